"""A run that did not finish (cancelled or failed) shows its state and what finished, and no
table, plot or download link: every link and image on its page answers."""

import re

import pytest

from analysis.models import ModelRun
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_cancel, model_run_create

SPEC = {"estimator": "ols", "formula": "log(trade) ~ rta | exporter + importer"}


@pytest.fixture
def half_done_run(db, settings, tmp_path):
    """A run of two specifications, cancelled after the worker finished the first."""
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=6, seed=3), name="SYNTHETIC", synthetic=True)
    run = model_run_create(
        panel=panel, specs=[SPEC, {**SPEC, "estimator": "ppml", "formula": "trade ~ rta"}], dispatch=False
    )
    ModelRun.objects.filter(pk=run.pk).update(
        status=ModelRun.Status.RUNNING,
        progress=50,
        results=[
            {
                "formula": SPEC["formula"],
                "estimator": "ols",
                "n_obs": 30,
                "coefficients": {
                    "rta": {"estimate": 0.4, "se": 0.1, "t": 4.0, "p": 0.0, "ci_low": 0.2, "ci_high": 0.6}
                },
            }
        ],
    )
    model_run_cancel(run=run)
    return ModelRun.objects.get(pk=run.pk)


@pytest.mark.parametrize("status", [ModelRun.Status.CANCELLED, ModelRun.Status.FAILED])
def test_unfinished_run_shows_what_finished_and_links_nothing_missing(half_done_run, status, client_for, users):
    # Given a run cancelled (or failed) after one of its two specifications
    ModelRun.objects.filter(pk=half_done_run.pk).update(status=status)
    client = client_for(users["supervisor"])

    # When its page is opened
    response = client.get(half_done_run.get_absolute_url())

    # Then it says what finished, without the results table, the plot or the files
    page = response.content.decode()
    assert response.status_code == 200 and response.context["table"] is None
    assert "1 of 2 specifications finished before the run ended" in page
    assert "log(trade) ~ rta | exporter + importer" in page
    assert (
        'id="coefficient-plot"' not in page
        and "/analysis/runs/table." not in page
        and "/analysis/runs/plot." not in page
    )
    # and every link and image of the page's content answers (none is a 404)
    content = page.split("<main>", 1)[1]
    for url in set(re.findall(r'(?:href|src)="(/[^"#]*)', content)):
        assert client.get(url.replace("&amp;", "&")).status_code in (200, 302), url


def test_unfinished_run_page_in_chinese(half_done_run, client_for, users):
    client = client_for(users["supervisor"])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(half_done_run.get_absolute_url()).content.decode()
    assert "已取消" in page
    assert "共 2 个模型设定，运行结束前完成了 1 个" in page


@pytest.mark.django_db
def test_a_run_id_larger_than_any_id_is_not_found(client_for, users):
    client = client_for(users["supervisor"])
    for url in ("/analysis/runs/99999999999999999999/", "/analysis/runs/99999999999999999999/status/"):
        assert client.get(url).status_code == 404
