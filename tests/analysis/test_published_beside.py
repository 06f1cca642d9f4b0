"""The study beside us (issue 22, item 6): a study preset's regression table shows the study's
published coefficient (Tables 9 and 10, shipped in analysis/reference/) next to ours, with the
printed stars and a note in words on what differs; a specification that is not the study's shows
nothing of it. The published numbers are checked against ../shared/reference's copy of the
tables when it is there."""

import csv
import io

import docx
import openpyxl
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from analysis.models import ModelRun
from analysis.pure import formats, published, tables
from analysis.pure.presets import PRESETS
from analysis.pure.simulate import demo_panel
from analysis.pure.spec.grammar import parse
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create


def coefficient(estimate, se, p):
    return {"estimate": estimate, "se": se, "t": estimate / se, "p": p, "ci_low": 0.0, "ci_high": 0.0}


def study_result(spec, **changes):
    """A stored result of the study preset `spec`, as the worker writes it."""
    return {
        "estimator": "ols",
        "formula": parse(spec["formula"]).canonical,
        "vcov": "hetero",
        "n_obs": 8400,
        "r2": 0.9123,
        "fixed_effects": {"exporter": 20, "importer": 20, "year": 21},
        "label": spec["label"],
        "coefficients": {
            "fta": coefficient(0.1234, 0.05, 0.014),
            "ln_tbt_j": coefficient(-0.02, 0.01, 0.2),
            "ln_gdp_i": coefficient(0.9, 0.1, 0.0),
            "ln_gdp_j": coefficient(0.8, 0.1, 0.0),
            "ln_dist": coefficient(-1.1, 0.2, 0.0),
        },
        **changes,
    }


TABLE9_FTA = PRESETS["study-table9"][0]  # column (1): total exports on FTA


def test_the_shipped_tables_are_the_studys_as_printed():
    columns = published.published_columns()
    assert sorted(columns) == ["10.1", "10.2", "10.3", "10.4", "9.1", "9.2", "9.3", "9.4"]
    # Table 9 (1): FTA 0.726***, TBT -0.010***, R² 0.8592; Table 10 (3) printed TBT and lnGDP_i without stars
    assert columns["9.1"].coefficients["fta"] == (0.726, "***")
    assert columns["9.1"].coefficients["ln_tbt_j"] == (-0.010, "***") and columns["9.1"].r2 == 0.8592
    assert "fta" not in columns["9.2"].coefficients and columns["9.2"].coefficients["depth_fta"] == (0.040, "***")
    assert columns["10.3"].coefficients["ln_tbt_j"] == (-0.011, "") and columns["10.3"].coefficients["ln_gdp_i"] == (
        1.210,
        "",
    )
    assert columns["9.3"].coefficients["ln_tbt_j"] == (-0.009, "*")
    shared = django_settings.SHARED_DIR / "reference" / "paper_tables9_10_regressions.csv"
    if not shared.exists():
        print(f"{shared} absent: the shipped copy is not compared with ../shared")
        return
    assert published.PUBLISHED_CSV.read_bytes() == shared.read_bytes()


def test_every_study_preset_column_has_its_published_column():
    named = {spec["study_column"] for specs in PRESETS.values() for spec in specs if spec.get("study_column")}
    assert named == set(published.published_columns())
    for name in ("study-table9", "study-table10"):
        for spec in PRESETS[name]:
            assert published.study_column_of(study_result(spec)).key == spec["study_column"]


def test_the_published_coefficient_stands_next_to_ours_in_every_format():
    result = study_result(TABLE9_FTA)
    table = published.beside(
        tables.build([result]), [result], facts=[{"name": "demo", "synthetic": True, "years": [1986, 2006]}]
    )
    assert table["columns"] == ["(1) total, FTA", "Study, Table 9 (1), published"]
    cells = {row["variable"]: row["cells"] for row in table["rows"]}
    assert cells["fta"] == [(0.1234, 0.05, "**"), (0.726, None, "***")]
    assert cells["ln_dist"] == [(-1.1, 0.2, "***"), (-0.976, None, "***")]
    footer = dict(table["footer"])
    assert footer["R² / pseudo R²"] == ["0.912", "0.859"]
    assert footer["N"] == ["8,400", "not printed per column (Table 8: 1,722)"]
    assert footer["Standard errors"] == ["robust", "not printed (stars only)"]
    assert footer["FE: year"] == ["yes", "yes"]
    [note] = table["notes"]
    for words in ("SYNTHETIC demo panel 'demo'", "8,400 observations", "years: 1986-2006", "total exports"):
        assert words in note
    assert "2000-2020" in note and "1,722" in note

    markdown = tables.to_markdown(table)
    assert "| fta | 0.123** | 0.726*** |" in markdown and "| | (0.050) |  |" in markdown and note in markdown
    latex = tables.to_latex(table)
    assert r"0.726$^{***}$" in latex and "()" not in latex
    rows = list(csv.reader(io.StringIO(tables.to_csv(table))))
    assert rows[1] == ["fta", "0.1234", "0.726"] and rows[3] == ["", "**", "***"] and rows[-1] == ["note", note]
    word = docx.Document(io.BytesIO(formats.TABLES["docx"].write(table)))
    assert [c.text for c in word.tables[0].rows[1].cells] == ["fta", "0.123**", "0.726***"]
    assert note in [p.text for p in word.paragraphs]
    sheet = openpyxl.load_workbook(io.BytesIO(formats.TABLES["xlsx"].write(table)))["table"]
    assert sheet["C2"].value == pytest.approx(0.726) and sheet["C2"].number_format == '0.000"***"'
    assert sheet["C3"].value is None


def test_a_specification_that_is_not_the_studys_shows_nothing_published():
    own_label = study_result(TABLE9_FTA, label="my FTA model")
    changed_formula = study_result(TABLE9_FTA, formula="log(exports) ~ fta + ln_dist | exporter + importer + year")
    lagged = study_result(PRESETS["study-robustness"][0])  # the study prints no coefficients for these
    for result in (own_label, changed_formula, lagged):
        assert published.study_column_of(result) is None
        table = tables.build([result])
        assert published.beside(table, [result]) == table


@pytest.fixture
def demo_run_panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(
        demo_panel(countries=4), name="SYNTHETIC demo", source={"years": [1986, 2006]}, synthetic=True
    )
    return panel


def test_the_run_page_and_its_downloads_show_the_study_beside_ours_in_english_and_chinese(
    demo_run_panel, client_for, users
):
    specs = [TABLE9_FTA, {**TABLE9_FTA, "label": "mine"}]
    run = model_run_create(panel=demo_run_panel, specs=specs, dispatch=False)
    results = [study_result(TABLE9_FTA), study_result(TABLE9_FTA, label="mine")]
    ModelRun.objects.filter(pk=run.pk).update(status=ModelRun.Status.DONE, progress=100, results=results)
    client = client_for(users["supervisor"])

    table = client.get(run.get_absolute_url()).context["table"]
    assert table["columns"] == ["(1) total, FTA", "Study, Table 9 (1), published", "mine"]
    page = client.get(run.get_absolute_url()).content.decode()
    assert "0.726***" in page and "SYNTHETIC demo panel &#x27;SYNTHETIC demo&#x27;" in page

    tex = client.get(reverse("analysis:run_table", args=["tex"]), {"runs": run.pk}).content.decode()
    assert r"0.726$^{***}$" in tex and "Study, Table 9 (1), published" in tex

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(run.get_absolute_url()).content.decode()
    assert "研究原文" in page and "0.726***" in page and "合成" in page
    excel = client.get(reverse("analysis:run_table", args=["xlsx"]), {"runs": run.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content))["table"]
    assert "研究原文" in sheet["C1"].value and sheet["C2"].value == pytest.approx(0.726)
    # a file for a paper stays in English
    tex = client.get(reverse("analysis:run_table", args=["tex"]), {"runs": run.pk}).content.decode()
    assert "Study, Table 9 (1), published" in tex and "研究原文" not in tex


def test_the_demo_names_the_published_tables_and_a_shared_copy_that_differs(settings, tmp_path):
    from config import demo

    settings.SHARED_DIR = tmp_path  # no ../shared: the shipped copy alone, offline
    logged = []
    demo.demo_published_tables(log=logged.append)
    assert logged == ["Published: the study's Tables 9 and 10 (8 columns) beside the study presets."]
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "paper_tables9_10_regressions.csv").write_text("table,column\n", encoding="utf-8")
    logged.clear()
    demo.demo_published_tables(log=logged.append)
    assert len(logged) == 2 and "differs from the shipped study_tables9_10.csv" in logged[0]
