"""Evidence survives an imported approval (issue 19, item 8): `import_codings --approved
--reference` with an evidence column and notes puts the cited articles (by the treaty's own
number), the notes and the source into the release's evidence, also on a treaty other coders
were assigned, and into the evidence CSV."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command

from analysis.selectors.releases import release_evidence, release_evidence_export
from analysis.services.releases import release_create
from coding.models import Article
from coding.services.assignments import assignment_create

HEADER = "agreement,coder,indicator,value,evidence,note\n"


def import_approved(tmp_path, treaty, *rows, name="archive.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{treaty.pk},{row}\n" for row in rows), encoding="utf-8")
    call_command("import_codings", str(path), "--codebook", "mini", "--approved", "--reference", stdout=StringIO())


def records(release):
    return {(r["indicator"], r["kind"]): r for r in release_evidence(release)}


@pytest.mark.django_db
@pytest.mark.parametrize("assigned", [False, True], ids=["no-assignments", "assigned-to-coders"])
def test_articles_and_notes_of_an_imported_approval_are_the_releases_evidence(
    users, mini_version, treaty, tmp_path, assigned
):
    # Given a treaty whose article 60 the text numbers "6.1", maybe assigned to two coders who never coded it
    Article.objects.filter(agreement=treaty, identifier="60").update(number="6.1")
    if assigned:
        assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])

    # When its finished coding is imported as approved, with cited articles and notes
    import_approved(
        tmp_path,
        treaty,
        "archive,wto,1,60,Article 6.1 affirms the TBT Agreement",
        "archive,harmon,2,,selective: electrical goods only",
    )
    release, _created = release_create(version=mini_version, name="imported", source="approved")

    # Then the release's evidence cites the article by its number, with the note and the source
    found = records(release)
    citation = found["wto", "citation"]
    assert (citation["article_id"], citation["article_number"], citation["coder"]) == ("60", "6.1", "archive")
    assert citation["rationale"] == "Article 6.1 affirms the TBT Agreement (imported from archive.csv)"
    # and a value backed by a note alone keeps the note and its source
    note = found["harmon", "rationale"]
    assert (note["value"], note["coder"]) == (2, "archive")
    assert note["rationale"] == "selective: electrical goods only (imported from archive.csv)"
    assert set(found) == {("wto", "citation"), ("harmon", "rationale")}


@pytest.mark.django_db
def test_the_evidence_csv_of_such_a_release_names_article_note_and_source(users, mini_version, treaty, tmp_path):
    Article.objects.filter(agreement=treaty, identifier="61").update(number="6.2")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    import_approved(tmp_path, treaty, "archive,wto,1,,", "archive,harmon,2,61,sector list in Annex 6")
    release, _created = release_create(version=mini_version, name="imported", source="approved")

    data, filename, _type = release_evidence_export(release, fmt="csv")

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert filename == f"release-{release.number}-evidence.csv"
    harmon = [r for r in rows if r["indicator"] == "harmon"]
    assert [(r["kind"], r["article"], r["coder"], r["rationale"]) for r in harmon] == [
        ("citation", "Art. 6.2", "archive", "sector list in Annex 6 (imported from archive.csv)")
    ]
    # wto had neither article nor note: the adjudication's own word stays
    assert [(r["kind"], r["rationale"]) for r in rows if r["indicator"] == "wto"] == [
        ("rationale", "imported from archive.csv")
    ]


@pytest.mark.django_db
def test_a_reference_sources_own_release_carries_its_notes(users, mini_version, treaty, tmp_path):
    import_approved(tmp_path, treaty, "archive,wto,1,60,affirmed in Article 60", "archive,harmon,0,,no harmonisation")
    release, _created = release_create(version=mini_version, name="archive's", source="archive")

    found = records(release)
    assert found["wto", "citation"]["rationale"] == "affirmed in Article 60"
    assert (found["harmon", "rationale"]["coder"], found["harmon", "rationale"]["rationale"]) == (
        "archive",
        "no harmonisation",
    )


@pytest.mark.django_db
def test_a_human_coders_note_stays_out_of_the_release(users, mini_version, treaty, tmp_path):
    """Notes are a reference source's reasoning only: a coder's working notes are not published."""
    from coding.models import Coding
    from coding.services.codings import coding_save, coding_submit

    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(agreement=treaty, coder=users["coder"])
    coding_save(
        coding=coding,
        user=users["coder"],
        revision=0,
        answers={
            "wto": {"value": 1, "note": "my private doubt", "evidence": [{"article": "60"}]},
            "harmon": {"value": 0},
        },
    )
    coding_submit(coding=coding, user=users["coder"], revision=1)

    release, _created = release_create(version=mini_version, name="coder a", source="coder_a")

    assert [(r["kind"], r["rationale"]) for r in release_evidence(release)] == [("citation", "")]


@pytest.mark.django_db
def test_an_import_cites_no_more_articles_per_answer_than_the_api_takes(users, mini_version, treaty, tmp_path):
    from django.core.management.base import CommandError

    from coding.services.evidence import MAX_EVIDENCE_PER_ANSWER

    too_many = ";".join(str(n) for n in range(MAX_EVIDENCE_PER_ANSWER + 1))
    with pytest.raises(CommandError) as refused:
        import_approved(tmp_path, treaty, f"archive,wto,1,{too_many},")
    message = str(refused.value)
    assert f"{MAX_EVIDENCE_PER_ANSWER + 1} articles cited: at most {MAX_EVIDENCE_PER_ANSWER} per answer" in message
    assert "archive.csv, line 2, field evidence" in message and "Nothing was imported." in message
