"""In a real browser (issue 22, items 2, 5 and 6): a run of two of the study's specifications on a
panel whose high-tech exports are 0 in every row. Table 9's column (1) fits; column (3), the log
of high-tech exports, has no observation left and fails. The run page shows the table of the one that succeeded, the
study's published coefficient beside it, and the failed column marked with its reason; its Word
and Excel downloads, fetched through the page's own links, open in python-docx and openpyxl and
hold the fitted coefficient. The run is fitted in this process on the one fitting path
(model_run_execute), so no Redis or worker is needed."""

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import expect

from analysis.models import ModelRun, SpecFit
from analysis.pure import tables
from analysis.pure.presets import PRESETS
from analysis.pure.simulate import demo_panel
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create, model_run_execute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTAL_FTA, HIGHTECH_FTA = PRESETS["study-table9"][0], PRESETS["study-table9"][2]


def test_a_partly_failed_run_shows_its_table_and_its_word_and_excel_files_open(
    page, live_server, login, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    frame = demo_panel(countries=5)
    frame["hightech_exports"] = 0.0  # the study's high-tech column without any high-tech trade
    panel, _ = panel_store(frame, name="SYNTHETIC demo, no high-tech exports", synthetic=True)
    run = model_run_create(panel=panel, specs=[TOTAL_FTA, HIGHTECH_FTA], user=users["supervisor"], dispatch=False)
    model_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ModelRun.Status.FAILED and len(run.results) == 1
    fta, p = (run.results[0]["coefficients"]["fta"][key] for key in ("estimate", "p"))
    ours = f"{fta:.3f}{tables.stars(p)}"
    reason = SpecFit.objects.get(run=run, position=1).error
    assert reason and not SpecFit.objects.filter(run=run, position=0).exclude(status="DONE").exists()

    login(page, "supervisor")
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.locator("#partial-mark")).to_have_text("partial: run failed")
    # The succeeded column, the study's published one beside it, the failed one marked with its reason
    columns = page.locator("#regression-table thead th").all_inner_texts()[1:]
    assert columns == ["(1) (1) total, FTA", "Study, Table 9 (1), published", "(2) (3) high-tech, FTA"]
    fta_row = page.locator("#regression-table tbody tr", has_text="fta").first.locator("td").all_inner_texts()
    assert fta_row[1].split("\n")[0] == ours and fta_row[2] == "0.726***" and fta_row[3] == ""
    marks = page.locator("#regression-table tbody tr.footer", has_text="Not estimated").locator("td").all_inner_texts()
    assert marks[1:] == ["", "", f"failed: {reason}"]
    expect(page.locator(".published-notes li")).to_contain_text("SYNTHETIC demo panel")
    expect(page.locator("#coefficient-plot")).to_have_count(0)  # no plot of a run that did not finish

    # The downloads, through the page's own links, open and hold the fitted coefficient
    with page.expect_download() as word_download:
        page.click("#finished-table-downloads a:text('Word')")
    word = docx.Document(word_download.value.path())
    cells = [[cell.text for cell in row.cells] for row in word.tables[0].rows]
    assert cells[0][1:] == columns
    assert next(row for row in cells if row[0] == "FTA")[1:] == [ours, "0.726***", ""]
    assert next(row for row in cells if row[0] == "Not estimated")[1:] == ["", "", f"failed: {reason}"]

    with page.expect_download() as excel_download:
        page.click("#finished-table-downloads a:text('Excel')")
    # a download's file has no extension, which openpyxl's loader asks for: read it as bytes
    sheet = openpyxl.load_workbook(io.BytesIO(Path(excel_download.value.path()).read_bytes()))["table"]
    labels = [cell.value for cell in sheet["A"]]
    row = labels.index("FTA") + 1
    assert sheet.cell(row=row, column=2).value == pytest.approx(fta, abs=1e-9)
    assert sheet.cell(row=row, column=3).value == pytest.approx(0.726)
    assert sheet.cell(row=labels.index("Not estimated") + 1, column=4).value == f"failed: {reason}"
