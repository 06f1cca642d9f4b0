"""Sample rules as checks: a codebook's `inclusion` rules are parsed as data (INDICATOR = VALUE),
refused naming the file and field otherwise, and a release lists the treaties that break them;
`release_dataset --strict` refuses, naming them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analysis.models import DatasetRelease
from coding.importers.errors import ImportFailed
from coding.models import Answer, Coding
from coding.pure.inclusion_rules import Rule, RuleError, breaches, parse_rules
from coding.services.codebooks import codebook_import
from coding.services.users import reference_coder_get_or_create
from tests.conftest import MINI_CODEBOOK, SHARED
from tests.factories import AgreementFactory

ALLOWED = {"wto": [0, 1], "harmon": [0, 1, 2, 3]}


def test_rules_are_indicator_equals_value_and_nothing_else():
    assert parse_rules(None, ALLOWED) == [] and parse_rules([], ALLOWED) == []
    assert parse_rules(["wto = 1", " harmon=0 "], ALLOWED) == [Rule("wto", 1), Rule("harmon", 0)]
    refused = {
        "wto > 0": "is not a rule",
        "wto = 1 or 1": "is not a rule",
        "__import__('os') = 1": "is not a rule",
        "prov = 1": "unknown indicator 'prov'",
        "harmon = 4": "4 is not a value of harmon (values: 0, 1, 2, 3)",
    }
    for text, reason in refused.items():
        with pytest.raises(RuleError, match=reason.replace("(", r"\(").replace(")", r"\)")) as caught:
            parse_rules(["wto = 1", text], ALLOWED)
        assert caught.value.index == 1  # the rule's place, for the field path
    with pytest.raises(RuleError, match="must be a list"):
        parse_rules("wto = 1", ALLOWED)
    with pytest.raises(RuleError, match="appears twice"):
        parse_rules(["wto = 1", "wto=1"], ALLOWED)


def test_breaches_name_the_rows_and_treat_missing_as_not_met():
    rows = [
        {"agreement_id": 1, "name": "A", "wto": 1},
        {"agreement_id": 2, "name": "B", "wto": 0, "desta_number": "166"},
        {"agreement_id": 3, "name": "C", "wto": None},
    ]
    found = breaches([Rule("wto", 1)], rows)
    assert [(b["agreement_id"], b["value"]) for b in found] == [(2, 0), (3, None)]


def mini_with(tmp_path, inclusion):
    path = tmp_path / "mini_rules.yaml"
    path.write_text(MINI_CODEBOOK + f"inclusion: {inclusion}\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_importer_keeps_good_rules_and_refuses_bad_ones_naming_file_and_field(tmp_path):
    version = codebook_import(path=mini_with(tmp_path, '["wto = 1"]')).version
    assert "inclusion" in version.source_text
    with pytest.raises(ImportFailed) as caught:
        codebook_import(path=mini_with(tmp_path, '["wto = 1", "harmon >= 2"]'))
    assert caught.value.field == "inclusion[1]" and "mini_rules.yaml" in str(caught.value)
    assert "'harmon >= 2' is not a rule" in str(caught.value)


@pytest.mark.django_db
def test_the_shared_codebooks_still_import():
    files = sorted((SHARED / "codebook").glob("*.yaml"))
    if not files:
        pytest.skip(f"no codebooks in {SHARED / 'codebook'} (../shared absent)")
    for path in files:
        assert codebook_import(path=path).version.indicators.exists()


@pytest.fixture
def desta_codes(tmp_path, db):
    """DESTA codes Jordan-Canada with no TBT provisions (wto = 0 stands for tbt_prov here)."""
    version = codebook_import(path=mini_with(tmp_path, '["wto = 1"]')).version
    desta = reference_coder_get_or_create("DESTA 2.1")
    treaties = {}
    for name, number, parties, values in [
        ("Canada Jordan", "166", ["CAN", "JOR"], (0, 0)),
        ("China Chile", "199", ["CHN", "CHL"], (1, 2)),
        ("Korea China", "909", ["KOR", "CHN"], (1, 1)),
    ]:
        agreement = AgreementFactory(name=name, desta_number=number, parties=parties)
        coding = Coding.objects.create(agreement=agreement, version=version, coder=desta, state=Coding.State.SUBMITTED)
        for indicator, value in zip(version.indicators.all(), values):
            Answer.objects.create(coding=coding, indicator=indicator, value=value)
        treaties[name] = agreement
    return version, treaties


def release(*extra):
    out, err = StringIO(), StringIO()
    call_command("release_dataset", "--codebook", "mini", "--source", "DESTA 2.1", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_release_lists_the_treaties_that_break_the_rules_and_strict_refuses(desta_codes, client_for, users, tmp_path):
    _version, treaties = desta_codes
    with pytest.raises(CommandError, match=r"strict: 1 agreements break .*Canada Jordan \(desta:166\): wto is 0"):
        release("--name", "strict", "--strict")
    assert not DatasetRelease.objects.exists()
    _out, err = release("--name", "all")
    assert "breaks the sample rules: Canada Jordan (desta:166)" in err
    made = DatasetRelease.objects.get()
    assert made.summary["inclusion"]["rules"] == ["wto = 1"]
    assert [(b["name"], b["value"]) for b in made.summary["inclusion"]["breaches"]] == [("Canada Jordan", 0)]
    page = client_for(users["supervisor"]).get(made.get_absolute_url()).content.decode()
    assert 'id="inclusion-breaches"' in page and "Canada Jordan" in page
    # Restricted to the treaties that meet the rule, --strict releases them
    listed = tmp_path / "keep.txt"
    listed.write_text(f"# the study's sample\ndesta:199\n{treaties['Korea China'].pk}\n", encoding="utf-8")
    out, err = release("--name", "kept", "--strict", "--agreements", str(listed))
    kept = DatasetRelease.objects.get(name="kept")
    assert "2 agreements" in out and not err and kept.summary["inclusion"]["breaches"] == []
