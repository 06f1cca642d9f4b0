"""Two queues, two workers, one Redis, one database (config/settings/base.py: CELERY_TASK_ROUTES):
a worker on `default` imports texts and never takes a model fit; a worker on `estimation`, set up
like another machine (its own VAR_DIR and MEDIA_ROOT, only PANEL_DIR shared), fits every
specification of a fanned-out run; a worker whose PANEL_DIR is not the shared one fails the run
saying so."""

import socket
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analysis.models import ModelRun
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create
from coding.models import TextImport
from tests.analysis.test_gravity import small_panel
from tests.coding.test_text_import import TREATY
from tests.factories import AgreementFactory
from tests.live_services import celery_worker, wait_for

PPML = {
    "estimator": "ppml",
    "formula": "trade ~ ln_dist + fta | exporter^year + importer^year",
    "vcov": {"cluster": "pair_id"},
}
SPECS = [
    dict(PPML, label="pair clusters"),
    dict(PPML, vcov="hetero", label="robust"),
    {
        "estimator": "ols",
        "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year",
        "vcov": "hetero",
        "label": "ols",
    },
]


def another_machine(tmp_path, name, **extra):
    """The environment of a worker on another machine: files of its own, except what `extra` shares."""
    return {"VAR_DIR": str(tmp_path / name / "var"), "MEDIA_ROOT": str(tmp_path / name / "media"), **extra}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_default_worker_never_fits_and_an_estimation_worker_elsewhere_fits_every_specification(
    client_for, users, settings, tmp_path, redis_broker
):
    settings.MEDIA_ROOT = tmp_path / "web" / "media"  # the web host's uploads
    settings.PANEL_DIR = tmp_path / "shared" / "panels"  # the shared directory (NFS in a lab)
    panel, _ = panel_store(small_panel(), name="small")
    assert (settings.PANEL_DIR / panel.path).is_file() and panel.path == f"{panel.content_hash}.pkl"
    agreement = AgreementFactory(name="A - B")
    host = socket.gethostname()
    with celery_worker(redis_broker, queues=["default"]) as light:
        run = model_run_create(panel=panel, specs=SPECS, user=users["supervisor"])
        response = client_for(users["supervisor"]).post(
            reverse("coding:text_import_create", args=[agreement.pk]),
            {"file": SimpleUploadedFile("a-b.txt", TREATY.encode("utf-8"), content_type="text/plain")},
        )
        assert response.status_code == 302
        text_import = TextImport.objects.get()
        assert wait_for(lambda: TextImport.objects.get(pk=text_import.pk).finished, process=light)
        text_import.refresh_from_db()
        assert text_import.status == "DONE" and text_import.worker == f"{host}:{light.pid}", text_import.error
        # The fits wait in `estimation`, untouched by the worker on `default`.
        assert not wait_for(lambda: run.fits.exclude(status="QUEUED").exists(), timeout=2, process=light)
        assert ModelRun.objects.get(pk=run.pk).status == "QUEUED"

        machine_b = another_machine(tmp_path, "machine-b", PANEL_DIR=str(settings.PANEL_DIR))
        with celery_worker(redis_broker, queues=["estimation"], env=machine_b) as heavy:
            assert wait_for(lambda: ModelRun.objects.get(pk=run.pk).finished, timeout=120, process=heavy)
    run.refresh_from_db()
    assert run.status == "DONE", run.error
    assert [fit.worker for fit in run.fits.order_by("position")] == [f"{host}:{heavy.pid}"] * 3
    assert [result["label"] for result in run.results] == ["pair clusters", "robust", "ols"]
    assert not Path(machine_b["MEDIA_ROOT"], "panels").exists()  # it read the shared PANEL_DIR only


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_without_the_shared_panel_directory_fails_the_run_saying_so(settings, tmp_path, redis_broker):
    settings.MEDIA_ROOT = tmp_path / "web" / "media"
    settings.PANEL_DIR = tmp_path / "shared" / "panels"
    panel, _ = panel_store(small_panel(), name="small")
    elsewhere = another_machine(tmp_path, "machine-c", PANEL_DIR=str(tmp_path / "machine-c" / "not-mounted"))
    with celery_worker(redis_broker, queues=["estimation"], env=elsewhere) as worker:
        run = model_run_create(panel=panel, specs=[PPML])
        assert wait_for(lambda: ModelRun.objects.get(pk=run.pk).finished, timeout=60, process=worker)
    run.refresh_from_db()
    assert run.status == "FAILED"
    assert run.error.startswith(
        f"the panel file {panel.content_hash}.pkl is not in PANEL_DIR "
        f"({tmp_path / 'machine-c' / 'not-mounted'}) on this machine"
    )
