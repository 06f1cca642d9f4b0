"""Panels and tables that leave the workbench (issue 22, items 5 and 7): `export_panel` to CSV,
Stata (every variable labelled in at most 80 characters, `tier` a labelled number) and Parquet;
the panel download behind the run page's visibility; regression tables as Word and Excel in the
reader's language; every preset's columns on the demo's synthetic panel."""

import io
from io import StringIO

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.models import ModelRun
from analysis.pure import formats, tables
from analysis.pure.presets import PRESETS
from analysis.pure.simulate import demo_panel, simulate
from analysis.pure.spec.schema import validate_specs
from analysis.pure.variable_labels import fit_label
from analysis.selectors.panel_exports import panel_frame
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create

RESULT = {
    "formula": "log(exports) ~ depth_fta + fta | exporter + importer + year",
    "estimator": "ols",
    "vcov": "hetero",
    "n_obs": 1234,
    "r2": 0.81,
    "fixed_effects": {"exporter": 4, "importer": 4, "year": 3},
    "label": "(2) total, Depth x FTA",
    "coefficients": {
        "depth_fta": {"estimate": 0.0761234, "se": 0.0123456, "t": 6.2, "p": 0.0001, "ci_low": 0.05, "ci_high": 0.1},
        "fta": {"estimate": -0.25, "se": 0.2, "t": -1.25, "p": 0.21, "ci_low": -0.6, "ci_high": 0.1},
    },
}


@pytest.fixture
def tiered_panel(db, settings, tmp_path):
    """A small stored panel with the study's Depth x FTA and a tier column (one tier missing)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    frame = simulate(countries=4, years=[2000, 2001], seed=3)
    frame["depth_fta"] = np.where(frame["rta"] == 1, 3.0, 0.0)
    frame["tier"] = (["first", "second", "third", None] * len(frame))[: len(frame)]
    panel, _ = panel_store(frame, name="SYNTHETIC tiers", synthetic=True)
    return panel


def test_export_panel_writes_csv_and_stata_that_read_back_the_same(tiered_panel, tmp_path):
    stored = panel_frame(tiered_panel)
    call_command(
        "export_panel", str(tiered_panel.pk), "--format", "csv", "--out", str(tmp_path / "p.csv"), stdout=StringIO()
    )
    csv = pd.read_csv(tmp_path / "p.csv", encoding="utf-8-sig")
    assert list(csv.columns) == list(stored.columns) and len(csv) == len(stored) == 24
    assert csv["trade"].tolist() == pytest.approx(stored["trade"].tolist())
    assert csv["exporter"].tolist() == stored["exporter"].astype(str).tolist()

    # The hash prefix finds the same panel.
    out = tmp_path / "p.dta"
    call_command("export_panel", tiered_panel.content_hash[:8], "--format", "dta", "--out", str(out), stdout=StringIO())
    with pd.read_stata(out, iterator=True, convert_categoricals=False) as reader:
        labels, value_labels, data = reader.variable_labels(), reader.value_labels(), reader.read()
    assert data["trade"].tolist() == pytest.approx(stored["trade"].tolist())
    assert data["pair_id"].tolist() == stored["pair_id"].astype(str).tolist()
    assert data["tier"].tolist()[:3] == [1, 2, 3] and pd.isna(data["tier"].iloc[3])
    assert value_labels["tier"] == {1: "first", 2: "second", 3: "third"}
    assert set(labels) == set(stored.columns) and all(0 < len(label) <= 80 for label in labels.values())
    assert labels["depth_fta"] == "depth x FTA: 0 without an agreement in force, the depth with one"
    assert labels["tier"] == "depth tier of the agreement"
    assert pd.read_stata(out)["tier"].tolist()[:3] == ["first", "second", "third"]  # Stata shows the names


@pytest.mark.skipif("parquet" not in formats.PANELS, reason="pyarrow is not installed")
def test_export_panel_parquet_keeps_values_and_labels(tiered_panel, tmp_path):
    import pyarrow.parquet as pq

    call_command(
        "export_panel",
        str(tiered_panel.pk),
        "--format",
        "parquet",
        "--out",
        str(tmp_path / "p.parquet"),
        stdout=StringIO(),
    )
    back = pd.read_parquet(tmp_path / "p.parquet")
    assert back["trade"].tolist() == pytest.approx(panel_frame(tiered_panel)["trade"].tolist())
    assert b"Depth x FTA" not in pq.read_schema(tmp_path / "p.parquet").metadata[b"workbench"]  # descriptions, in full
    assert b"depth x FTA: 0 without" in pq.read_schema(tmp_path / "p.parquet").metadata[b"workbench"]


def test_export_panel_refuses_a_missing_directory_and_an_unknown_panel(tiered_panel, tmp_path):
    with pytest.raises(CommandError, match=r"--out: the directory .*nowhere does not exist"):
        call_command(
            "export_panel", str(tiered_panel.pk), "--format", "csv", "--out", str(tmp_path / "nowhere" / "p.csv")
        )
    with pytest.raises(CommandError, match="no panel '999999'"):
        call_command("export_panel", "999999", "--format", "csv", "--out", str(tmp_path / "p.csv"))


def test_a_long_label_is_cut_between_words():
    question = (
        "Does the agreement provide for the mutual recognition of conformity assessment procedures and their results?"
    )
    fitted = fit_label(question)
    assert fitted == "Does the agreement provide for the mutual recognition of conformity assessment"
    assert len(fitted) <= 80 and question.startswith(fitted) and question[len(fitted)] == " "


def test_an_excel_table_keeps_a_label_that_looks_like_a_formula_as_text():
    table = tables.build([{**RESULT, "coefficients": {"=cmd()": RESULT["coefficients"]["fta"]}}], ["=HYPERLINK(1)"])
    sheet = openpyxl.load_workbook(io.BytesIO(formats.TABLES["xlsx"].write(table)))["table"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=cmd()", "s")
    assert (sheet["B1"].value, sheet["B1"].data_type) == ("=HYPERLINK(1)", "s")


def done_run(panel):
    run = model_run_create(
        panel=panel, specs=[{"estimator": "ols", "formula": "log(trade) ~ depth_fta + rta | exporter"}], dispatch=False
    )
    ModelRun.objects.filter(pk=run.pk).update(status=ModelRun.Status.DONE, progress=100, results=[RESULT])
    return run


def test_word_and_excel_tables_hold_the_runs_numbers_in_the_readers_language(tiered_panel, client_for, users):
    run = done_run(tiered_panel)
    client = client_for(users["supervisor"])
    page = client.get(run.get_absolute_url()).content.decode()
    for name in formats.TABLES:
        assert f"/analysis/runs/table.{name}?runs={run.pk}" in page
    for name in formats.PANELS:
        assert reverse("analysis:panel_download", args=[tiered_panel.pk, name]) in page
    assert "Depth x FTA" in page and '<code class="muted">depth_fta</code>' in page

    word = docx.Document(io.BytesIO(client.get(reverse("analysis:run_table", args=["docx"]), {"runs": run.pk}).content))
    cells = [[cell.text for cell in row.cells] for row in word.tables[0].rows]
    assert cells[1] == ["Depth x FTA", "0.076***"] and cells[2] == ["", "(0.012)"]
    assert cells[3] == ["FTA", "-0.250"] and cells[4] == ["", "(0.200)"]

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    excel = client.get(reverse("analysis:run_table", args=["xlsx"]), {"runs": run.pk})
    assert excel["Content-Type"] == formats.TABLES["xlsx"].content_type
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content))["table"]
    assert sheet["A2"].value == "深度 x FTA" and sheet["B2"].value == pytest.approx(0.0761234)
    assert sheet["B3"].value == pytest.approx(0.0123456) and sheet["B2"].number_format == '0.000"***"'
    assert sheet["B4"].value == pytest.approx(-0.25) and sheet["B5"].value == pytest.approx(0.2)
    assert "深度 x FTA" in client.get(run.get_absolute_url()).content.decode()
    tex = client.get(reverse("analysis:run_table", args=["tex"]), {"runs": run.pk}).content.decode()
    assert "depth\\_fta" in tex and "深度" not in tex  # a file for a paper keeps the names


def test_the_panel_download_is_as_visible_as_the_panels_release(
    client_for, users, mini_version, treaty, settings, tmp_path
):
    from analysis.selectors.releases import release_get
    from coding.models import Coding
    from coding.services.assignments import assignment_create
    from coding.services.codings import coding_save, coding_submit

    settings.MEDIA_ROOT = tmp_path / "media"
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    b = Coding.objects.get(coder=users["coder_b"])
    coding_save(coding=b, user=users["coder_b"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 3}})
    coding_submit(coding=b, user=users["coder_b"], revision=1)
    call_command(
        "release_dataset", "--codebook", "mini", "--name", "coder b only", "--source", "coder_b", stdout=StringIO()
    )
    panel, _ = panel_store(simulate(countries=3, years=[2000], seed=3), name="from b", release=release_get("1"))
    url = reverse("analysis:panel_download", args=[panel.pk, "csv"])
    assert client_for(users["coder"]).get(url).status_code == 404  # blind coding: coder A may not see B's codes
    download = client_for(users["supervisor"]).get(url)
    assert download.status_code == 200 and f'filename="panel-{panel.pk}-' in download["Content-Disposition"]
    assert (
        client_for(users["supervisor"]).get(reverse("analysis:panel_download", args=[panel.pk, "pkl"])).status_code
        == 404
    )


def test_every_preset_runs_on_the_demos_synthetic_panel():
    panel = demo_panel()
    for name, specs in PRESETS.items():
        assert validate_specs([dict(s) for s in specs], panel.columns), name
    # The study's filter and the Yotov preset's years keep rows, and the lags are not all missing.
    assert set(panel["exporter_group"]) == {"developed", "developing"}
    assert set(PRESETS["yotov-table3"][0]["years"]) <= set(panel["year"])
    assert panel[["fta_lag1", "depth_fta_lag1", "ln_tbt_j_lag1"]].notna().mean().min() > 0.9
    assert (panel["hightech_exports"] > 0).all() and panel["depth_fta"].gt(0).any()


def test_table_rows_follow_the_formula_not_the_stored_key_order():
    """PostgreSQL's jsonb gives a stored result's coefficients back shortest key first ("fta"
    before "depth_fta"): the table orders rows by the formula's terms, so both databases agree."""
    stored = {**RESULT, "coefficients": dict(reversed(list(RESULT["coefficients"].items())))}
    assert list(stored["coefficients"]) == ["fta", "depth_fta"]
    assert [row["variable"] for row in tables.build([stored])["rows"]] == ["depth_fta", "fta"]
    assert tables.formula_order({"formula": "y ~ fta + fta_lag1", "coefficients": {"fta_lag1": 1, "fta": 2}}) == [
        "fta",
        "fta_lag1",
    ]
