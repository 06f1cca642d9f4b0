"""import_tota on the 450 real ToTA files: every agreement and article, idempotent, atomic."""

import re

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from coding.models import Agreement, AgreementParty, Article, Chapter


def counts():
    return (Agreement.objects.count(), Chapter.objects.count(), Article.objects.count(), AgreementParty.objects.count())


def expected_totals(folder):
    agreements = articles = 0
    for path in folder.glob("*.xml"):
        root = etree.parse(str(path)).getroot()
        agreements += 1
        articles += len(root.findall("body/chapter/article"))
    return agreements, articles


@pytest.mark.django_db
def test_full_tota_import_is_complete_and_idempotent(tota_dir, capsys):
    n_agreements, n_articles = expected_totals(tota_dir)
    assert n_agreements == 450  # the shared corpus; a changed corpus should fail loudly here

    call_command("import_tota", str(tota_dir), "--no-progress")
    assert Agreement.objects.count() == 450
    assert Article.objects.count() == n_articles == 40993
    first = counts()
    korea = Agreement.objects.get(tota_id=398)
    assert sorted(korea.party_codes) == ["CHN", "KOR"]
    assert korea.date_into_force.year == 2015 and korea.membership == "bilateral"
    tbt = korea.chapters.get(name__icontains="Technical Barriers")
    assert tbt.articles.filter(text__icontains="international standards").exists()
    # <parties> is empty in some files; the members then come from <parties_original>.
    assert sorted(Agreement.objects.get(tota_id=165).party_codes) == ["ALB", "BIH"]

    history_rows = korea.history.count()
    capsys.readouterr()
    call_command("import_tota", str(tota_dir), "--no-progress")
    assert "0 created, 0 updated, 450 unchanged" in capsys.readouterr().out
    assert counts() == first
    assert korea.history.count() == history_rows  # a no-op run leaves no audit noise


@pytest.mark.django_db
def test_truncated_file_fails_with_name_and_line_and_changes_nothing(tota_dir, tmp_path):
    good = tmp_path / "pta_1.xml"
    good.write_bytes((tota_dir / "pta_1.xml").read_bytes())
    call_command("import_tota", str(good), "--no-progress")
    before = counts()

    broken_source = (tota_dir / "pta_2.xml").read_bytes()
    broken = tmp_path / "pta_2.xml"
    broken.write_bytes(broken_source[: len(broken_source) // 2])
    changed = tmp_path / "pta_3.xml"  # a valid file in the same run must not be written either
    changed.write_bytes((tota_dir / "pta_3.xml").read_bytes())

    with pytest.raises(CommandError) as error:
        call_command("import_tota", str(tmp_path), "--no-progress")
    message = str(error.value)
    assert "pta_2.xml" in message
    assert re.search(r"line \d+", message)
    assert "Nothing was imported" in message
    assert counts() == before


@pytest.mark.django_db
def test_missing_identifier_names_the_field(tmp_path):
    path = tmp_path / "pta_x.xml"
    path.write_text("<treaty><meta><name>X</name></meta><body/></treaty>", encoding="utf-8")
    with pytest.raises(CommandError, match=r"pta_x.xml.*field treaty_identifier"):
        call_command("import_tota", str(path), "--no-progress")
    assert Agreement.objects.count() == 0
