"""import_codings of published examples, then agreement_report gives the published numbers;
the study's Table 6 against DESTA 2.1 for China's 11 FTAs."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from coding.models import Adjudication, Answer, Coding
from coding.services import codebook_import
from config.demo import demo_agreements_create
from tests.coding.test_reliability import FLEISS_1971, KRIPPENDORFF_2011, from_counts, from_table
from tests.conftest import SHARED, require_shared
from tests.factories import AgreementFactory

EXAMPLES_CODEBOOK = """codebook: examples
indicators:
  - code: k_nominal
    question: {en: "Krippendorff's example, nominal"}
    values: {1: one, 2: two, 3: three, 4: four, 5: five}
  - code: k_ordinal
    question: {en: "Krippendorff's example, ordinal"}
    level: ordinal
    values: {1: one, 2: two, 3: three, 4: four, 5: five}
  - code: cohen
    question: {en: "Cohen's table"}
    values: {0: "no", 1: "yes"}
  - code: fleiss
    question: {en: "Fleiss 1971 diagnoses"}
    values: {1: depression, 2: personality disorder, 3: schizophrenia, 4: neurosis, 5: other}
"""


def write_long_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agreement", "coder", "indicator", "value", "evidence", "note"])
        writer.writerows(rows)


def matrix_rows(matrix, indicator, agreements):
    rows = []
    for unit, (_, row) in enumerate(matrix.iterrows()):
        for coder, value in row.items():
            rows.append(
                [agreements[unit].pk, f"coder {coder}", indicator, "" if value != value else int(value), "", ""]
            )
    return rows


def report(*args):
    from io import StringIO

    out = StringIO()
    call_command("agreement_report", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_published_examples_through_import_and_report(tmp_path):
    version_path = tmp_path / "examples.yaml"
    version_path.write_text(EXAMPLES_CODEBOOK, encoding="utf-8")
    codebook_import(path=version_path)
    agreements = [AgreementFactory() for _ in range(50)]
    rows = (
        matrix_rows(KRIPPENDORFF_2011, "k_nominal", agreements)
        + matrix_rows(KRIPPENDORFF_2011, "k_ordinal", agreements)
        + matrix_rows(from_table([[20, 5], [10, 15]]), "cohen", agreements)
        + matrix_rows(from_counts(FLEISS_1971), "fleiss", agreements)
    )
    # the Cohen and Fleiss examples are coded by other coders than the Krippendorff one
    for row in rows:
        if row[2] == "cohen":
            row[1] = {"coder coder1": "rater 1", "coder coder2": "rater 2"}[row[1]]
        if row[2] == "fleiss":
            row[1] = row[1].replace("coder", "psychiatrist")
    path = tmp_path / "examples.csv"
    write_long_csv(path, rows)
    call_command("import_codings", str(path), "--codebook", "examples", "--reference")

    k = report("--codebook", "examples", "--coders", "coder A,coder B,coder C,coder D")["indicators"]
    assert k["k_nominal"]["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    assert k["k_ordinal"]["krippendorff_alpha"] == pytest.approx(0.815, abs=5e-4)
    assert k["k_nominal"]["gwet_ac"] == pytest.approx(0.77544, abs=1e-5)
    assert k["k_nominal"]["percent_agreement"] == pytest.approx(0.8181818, abs=1e-6)
    assert k["k_nominal"]["fleiss_kappa"] == pytest.approx(0.76117, abs=1e-5)
    assert (k["k_nominal"]["n_units"], k["k_nominal"]["n_coders"], k["k_ordinal"]["level"]) == (11, 4, "ordinal")

    cohen = report("--codebook", "examples", "--coders", '"rater 1","rater 2"')["indicators"]["cohen"]
    assert cohen["cohen_kappa"] == pytest.approx(0.4, abs=1e-9) and cohen["n_units"] == 50

    detail = report("--codebook", "examples", "--coders", '"rater 1","rater 2"', "--detail")
    [pair] = detail["pairs"]["cohen"]
    assert (pair["coder_a"], pair["coder_b"], pair["n_units"]) == ("rater 1", "rater 2", 50)
    assert pair["cohen_kappa"] == pytest.approx(0.4, abs=1e-9)
    assert detail["accuracy"] == []  # nothing approved under this codebook

    psychiatrists = ",".join(f"psychiatrist {i}" for i in range(6))
    fleiss = report("--codebook", "examples", "--coders", psychiatrists)["indicators"]["fleiss"]
    assert fleiss["fleiss_kappa"] == pytest.approx(0.430, abs=5e-4) and fleiss["n_coders"] == 6
    assert fleiss["cohen_kappa"] is None


@pytest.mark.django_db
def test_bad_codings_csv_names_line_and_field_and_imports_nothing(tmp_path, mini_version, treaty):
    path = tmp_path / "bad.csv"
    write_long_csv(path, [[treaty.pk, "ra", "wto", 1, "60", ""], [treaty.pk, "ra", "harmon", 7, "", ""]])
    with pytest.raises(CommandError, match=r"bad.csv, line 3, field value: 7 is not an allowed value"):
        call_command("import_codings", str(path), "--codebook", "mini")
    write_long_csv(path, [[treaty.pk, "ra", "wto", 1, "60;99", ""]])
    with pytest.raises(CommandError, match=r"line 2, field evidence: articles not in this treaty: 99"):
        call_command("import_codings", str(path), "--codebook", "mini:1")
    write_long_csv(path, [["desta:404", "ra", "wto", 1, "", ""]])
    with pytest.raises(CommandError, match=r"line 2, field agreement: no agreement matches 'desta:404'"):
        call_command("import_codings", str(path), "--codebook", "mini")
    assert not Coding.objects.exists() and not Answer.objects.exists()


@pytest.mark.django_db
def test_approved_import_and_evidence(tmp_path, mini_version, treaty):
    path = tmp_path / "done.csv"
    write_long_csv(
        path,
        [
            [f"{treaty.pk}", "archive", "wto", 1, "60", "from the 2019 spreadsheet"],
            [f"{treaty.pk}", "archive", "harmon", "", "", ""],
        ],
    )
    call_command("import_codings", str(path), "--codebook", "mini", "--approved")
    adjudication = Adjudication.objects.get(agreement=treaty)
    assert adjudication.state == "approved"
    assert {f.indicator.code: f.value for f in adjudication.final_values.all()} == {"wto": 1}  # missing stays missing
    answer = Answer.objects.get(indicator__code="wto")
    assert [e.article_identifier for e in answer.evidence.all()] == [
        "60"
    ] and answer.note == "from the 2019 spreadsheet"


def study_table6_long_csv(path):
    """The study's Table 6 (wide, one row per FTA) as the long CSV import_codings takes."""
    with open(SHARED / "reference" / "paper_table5_depth_scores.csv", encoding="utf-8") as handle:
        table5 = {frozenset((r["party_a"], r["party_b"])): r["desta_number"] for r in csv.DictReader(handle)}
    with open(SHARED / "reference" / "paper_table6_china_codings.csv", encoding="utf-8") as handle:
        table6 = list(csv.DictReader(handle))
    rows = []
    for row in table6:
        desta = table5[frozenset((row["party_a"], row["party_b"]))]
        for code in ("tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon"):
            rows.append([f"desta:{desta}", "the study", code, row[code], "", ""])
    write_long_csv(path, rows)


@pytest.mark.django_db
def test_study_against_desta_for_chinas_11_ftas(tmp_path, capsys):
    require_shared(SHARED / "reference" / "paper_table6_china_codings.csv")
    desta_tbt = require_shared(SHARED / "data" / "desta" / "desta_tbt_02_01.csv")
    codebook_import(path=SHARED / "codebook" / "desta_tbt.yaml")
    demo_agreements_create()
    study = tmp_path / "study.csv"
    study_table6_long_csv(study)
    call_command("import_codings", str(study), "--codebook", "desta-tbt", "--reference")
    call_command("import_desta_codings", str(desta_tbt))
    assert "60 agreements coded by 'DESTA 2.1'" in capsys.readouterr().out  # the demo's FTAs that DESTA codes

    china = [f"desta:{n}" for n in (222, 228, 909, 804, 990, 224, 199, 862, 227, 840, 955)]
    result = report("--codebook", "desta-tbt", "--coders", '"the study","DESTA 2.1"', "--agreements", ",".join(china))
    indicators = result["indicators"]
    assert result["codebook"] == "desta-tbt" and result["version"] == 1
    for code in ("tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon"):
        assert indicators[code]["n_coders"] == 2
        assert indicators[code]["n_units"] == 11
    assert indicators["tbt_prov"]["n_units"] == 0  # the study does not code tbt_prov
    # tbt_wto is 1 in both sources for every FTA: perfect agreement, kappa undefined, a warning.
    assert indicators["tbt_wto"]["percent_agreement"] == 1.0
    assert indicators["tbt_wto"]["cohen_kappa"] is None and indicators["tbt_wto"]["warnings"]
