"""agreement_report --coders uses the agreements coded by at least two chosen coders, as the
dashboard does; unknown coders are named. import_codings makes only reference coders, and only
with --reference. Import commands fail with a CommandError that names the file or codebook and
write nothing. Re-importing approved codings is a no-op."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from coding.models import Adjudication, Answer, Coding, FinalValue
from coding.roles import CODER, REFERENCE
from coding.selectors.dashboard import supervisor_dashboard
from tests.coding.test_coding_import_report import write_long_csv
from tests.factories import AgreementFactory, UserFactory


def report(*args, fmt="json"):
    out = StringIO()
    call_command("agreement_report", "--format", fmt, *args, stdout=out)
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


@pytest.fixture
def two_sources_and_extra(tmp_path, mini_version):
    """Reference sources 'ra' and 'rb' both code 4 agreements (disagreeing on one); 'ra' alone
    codes 12 more, all wto=1, which would swamp the category shares if they counted."""
    shared = [AgreementFactory() for _ in range(4)]
    extra = [AgreementFactory() for _ in range(12)]
    rows = []
    for index, agreement in enumerate(shared):
        rows += [
            [agreement.pk, "ra", "wto", index % 2, "", ""],
            [agreement.pk, "rb", "wto", 0 if index == 1 else index % 2, "", ""],
        ]
    rows += [[agreement.pk, "ra", "wto", 1, "", ""] for agreement in extra]
    path = tmp_path / "sources.csv"
    write_long_csv(path, rows)
    call_command("import_codings", str(path), "--codebook", "mini", "--reference")
    return shared, extra


@pytest.mark.django_db
def test_report_with_coders_uses_agreements_both_code_like_the_dashboard(two_sources_and_extra, mini_version):
    shared, _extra = two_sources_and_extra

    # When the report names the two coders (and no agreements)
    result = report("--codebook", "mini", "--coders", "ra,rb")

    # Then only the 4 agreements both code count, exactly as if they had been listed
    listed = report("--codebook", "mini", "--coders", "ra,rb", "--agreements", ",".join(str(a.pk) for a in shared))
    assert result["indicators"] == listed["indicators"]
    assert (
        set(result) == {"codebook", "version", "indicators", "agreements", "scores", "bootstrap"}
        and result["agreements"] == 4
    )
    wto = result["indicators"]["wto"]
    assert wto["n_units"] == 4 and wto["percent_agreement"] == 0.75
    points = {
        "n_units",
        "n_coders",
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac",
        "level",
    }
    assert set(wto) == points | {
        "warnings",
        "uncertainty",
        "p_alpha_below",
        "min_units",
        "not_estimable",
        "warning_codes",
        "warning_notes",
        "n_analytic",
    }
    # and the dashboard's reference comparison gives the same numbers
    dashboard = supervisor_dashboard(version=mini_version)
    assert dashboard["reference_pair"] == ["ra", "rb"]
    assert {k: dashboard["reference_agreement"]["wto"][k] for k in points} == {k: wto[k] for k in points}

    # and the table and csv say so
    assert "only the 4 agreements coded (submitted) by at least two of the chosen coders" in report(
        "--codebook", "mini", "--coders", "ra,rb", fmt="table"
    )
    csv_text = report("--codebook", "mini", "--coders", "ra,rb", fmt="csv")
    assert csv_text.splitlines()[0].startswith("indicator,") and csv_text.splitlines()[-1].startswith(
        "# note: only the 4"
    )


@pytest.mark.django_db
def test_report_names_unknown_coders_and_lists_known_ones(two_sources_and_extra):
    with pytest.raises(CommandError) as error:
        report("--codebook", "mini", "--coders", "ra,nobody,rc")
    message = str(error.value)
    assert "'nobody', 'rc'" in message and "'ra', 'rb'" in message and "mini:1" in message


@pytest.mark.django_db
def test_dashboard_compares_the_study_with_desta_by_name(tmp_path, mini_version, treaty):
    # Given four reference coders; alphabetically "DESTA 2.1" and "a source" come first
    rows = [[treaty.pk, name, "wto", 1, "", ""] for name in ("DESTA 2.1", "a source", "the study", "z source")]
    path = tmp_path / "refs.csv"
    write_long_csv(path, rows)
    call_command("import_codings", str(path), "--codebook", "mini", "--reference")

    # Then the dashboard picks the study and DESTA 2.1
    assert supervisor_dashboard(version=mini_version)["reference_pair"] == ["the study", "DESTA 2.1"]


@pytest.mark.django_db
def test_import_creates_only_reference_coders_and_only_with_reference(tmp_path, mini_version, treaty):
    path = tmp_path / "codings.csv"
    write_long_csv(path, [[treaty.pk, "new coder", "wto", 1, "", ""]])

    with pytest.raises(CommandError, match=r"codings.csv, line 2, field coder: no coder 'new coder'; --reference"):
        call_command("import_codings", str(path), "--codebook", "mini")
    assert not get_user_model().objects.filter(username="new coder").exists()

    call_command("import_codings", str(path), "--codebook", "mini", "--reference")
    source = get_user_model().objects.get(username="new coder")
    assert set(source.groups.values_list("name", flat=True)) == {REFERENCE} and not source.is_active
    assert not source.has_usable_password() and CODER not in source.groups.values_list("name", flat=True)


def _nothing_written():
    return (
        not Coding.objects.exists()
        and not Answer.objects.exists()
        and not get_user_model().objects.filter(username__in=["ra", "r0", "DESTA 2.1"]).exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, expected",
    [
        (["import_codings", "{csv}", "--codebook", "nope"], ["codebook 'nope' not found", "known: mini (1)"]),
        (["import_codings", "{csv}", "--codebook", "mini:x"], ["codebook 'mini:x' not found", "known: mini (1)"]),
        (["import_desta_codings", "{csv}", "--codebook", "mini:9"], ["codebook 'mini:9' not found", "known: mini (1)"]),
        (
            ["import_desta_codings", "{missing}", "--codebook", "mini"],
            ["missing.csv: cannot open", "Nothing was imported"],
        ),
        (["import_codings", "{missing}", "--codebook", "mini"], ["missing.csv: cannot open", "Nothing was imported"]),
        (
            ["import_desta_codings", "{latin1}", "--codebook", "mini"],
            ["latin1.csv, line 4002: not UTF-8 text (byte 0xeb"],
        ),
        (["import_codings", "{latin1}", "--codebook", "mini"], ["latin1.csv, line 4002: not UTF-8 text (byte 0xeb"]),
        (["agreement_report", "--codebook", "mini:2"], ["codebook 'mini:2' not found", "known: mini (1)"]),
    ],
)
def test_import_commands_name_the_file_or_codebook_and_write_nothing(tmp_path, mini_version, treaty, args, expected):
    treaty.desta_number = "7"
    treaty.save()
    good = tmp_path / "good.csv"
    write_long_csv(good, [[treaty.pk, "ra", "wto", 1, "", ""]])
    latin1 = tmp_path / "latin1.csv"
    # a bad byte after 4000 good rows: the DESTA importer has written those before it meets it
    latin1.write_bytes(
        b"agreement,coder,indicator,value,number,wto\n"
        + "".join(f"{treaty.pk},r{i},wto,1,7,1\n" for i in range(4000)).encode()
        + "desta:7,Zoë,wto,1,7,1\n".encode("latin-1")
    )
    paths = {"csv": good, "missing": tmp_path / "missing.csv", "latin1": latin1}
    with pytest.raises(CommandError) as error:
        call_command(*[a.format(**paths) for a in args])
    for fragment in expected:
        assert fragment in str(error.value)
    assert _nothing_written()


@pytest.mark.django_db
def test_reimporting_approved_codings_changes_nothing(tmp_path, mini_version, treaty):
    path = tmp_path / "done.csv"
    write_long_csv(path, [[treaty.pk, "archive", "wto", 1, "", ""], [treaty.pk, "archive", "harmon", 2, "", ""]])
    call_command("import_codings", str(path), "--codebook", "mini", "--approved")
    decided = dict(FinalValue.objects.values_list("indicator__code", "decided_at"))
    counts = (FinalValue.history.count(), Adjudication.history.count(), Coding.history.count(), Answer.history.count())

    # When the same file is imported again
    call_command("import_codings", str(path), "--codebook", "mini", "--approved")

    # Then no row is written
    assert dict(FinalValue.objects.values_list("indicator__code", "decided_at")) == decided
    assert (
        FinalValue.history.count(),
        Adjudication.history.count(),
        Coding.history.count(),
        Answer.history.count(),
    ) == counts

    # and a changed value is written, only for that indicator
    write_long_csv(path, [[treaty.pk, "archive", "wto", 1, "", ""], [treaty.pk, "archive", "harmon", 3, "", ""]])
    boss = UserFactory(username="boss", role="supervisor")
    out = StringIO()
    call_command("import_codings", str(path), "--codebook", "mini", "--approved", "--user", "boss", stdout=out)
    assert f"approved {treaty}: harmon 2 → 3" in out.getvalue()
    assert dict(FinalValue.objects.values_list("indicator__code", "value")) == {"wto": 1, "harmon": 3}
    assert FinalValue.history.count() == counts[0] + 1
    assert FinalValue.history.latest("history_date").history_user == boss
    assert FinalValue.objects.get(indicator__code="wto").decided_at == decided["wto"]
