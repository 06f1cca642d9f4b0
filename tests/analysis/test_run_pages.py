"""Run pages: create from a preset, detail with progress bar and table, table downloads, plot, zh."""

import pytest
from django.urls import reverse

from analysis.models import ModelRun
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_fit_here


@pytest.mark.django_db
def test_run_from_the_page_then_table_and_plot(
    client_for, users, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=12, seed=3), name="SYNTHETIC", synthetic=True)
    sent = []
    # the broker is tested elsewhere; one specification is a fan-out of one (its child's task is sent)
    monkeypatch.setattr("jobs.dispatch.job_send_group", lambda jobs, on_failure=None: sent.extend(j.pk for j in jobs))
    client = client_for(users["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analysis:run_list"), {"panel": panel.pk, "preset": "structural-ppml"})
    run = ModelRun.objects.get()
    assert response.status_code == 302 and sent == [run.fits.get().pk] and run.status == "QUEUED"
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="run-progress"' in page and 'data-finished="0"' in page
    model_run_fit_here(run_id=run.pk)
    page = client.get(run.get_absolute_url())
    assert page.context["table"]["rows"][0]["variable"] == "rta"
    tex = client.get(reverse("analysis:run_table", args=["tex"]), {"runs": run.pk}).content.decode()
    assert r"\begin{tabular}" in tex and "rta" in tex and "$^{***}$" in tex
    md = client.get(reverse("analysis:run_table", args=["md"]), {"runs": f"{run.pk},{run.pk}"}).content.decode()
    assert md.count("| rta |") == 1 and "| N |" in md
    assert client.get(reverse("analysis:run_plot", args=["png"]), {"runs": run.pk}).content[:4] == b"\x89PNG"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "引力模型" in client.get(reverse("analysis:run_list")).content.decode()


@pytest.mark.django_db
def test_bad_spec_on_the_page_is_a_message(client_for, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=5, seed=3), name="tiny")
    response = client_for(users["supervisor"]).post(
        reverse("analysis:run_list"), {"panel": panel.pk, "spec": '{"formula": "trade ~ nope"}'}
    )
    assert response.status_code == 400 and not ModelRun.objects.exists()
    page = response.content.decode()
    assert "columns not in the panel: nope" in page and "trade ~ nope" in page  # the message, and the form as sent
