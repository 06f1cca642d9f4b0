"""One lifecycle for every job kind (issue 20, item 2): a fit's progress is stored as a template
and its parameters and shown in the reader's language; Celery's soft time limit ends every kind
of job FAILED with one reason, given once by the runner (jobs/lifecycle.py: job_run); the
pre-coder's retraining and a sensitivity run answer the one job-status payload."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import translation

from analysis.models import SpecFit
from analysis.pure import gravity
from analysis.services.fanout import spec_fit_execute
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create, model_run_execute
from coding.models import JobStatus, PrecodeJob, PrecoderModel, PrecoderTrainingJob, TextImport
from coding.services.text_jobs import text_import_run
from jobs.lifecycle import job_run
from jobs.progress import TIME_LIMIT
from jobs.selectors import job_status_payload
from tests.analysis.test_gravity import small_panel
from tests.factories import AgreementFactory

PPML = {"estimator": "ppml", "formula": "trade ~ ln_dist + fta | exporter^year + importer^year", "label": "ppml"}


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return panel_store(small_panel(), name="small")[0]


def test_the_fit_reports_a_template_with_the_observations_it_fits():
    sent = []
    result = gravity.fit(small_panel(), PPML, progress=sent.append)
    assert sent == [(gravity.FITTING, {"estimator": "PPML", "n": sent[0][1]["n"]})]
    # The rows handed to pyfixest: those it kept, plus the singletons and separated rows it dropped.
    dropped = result["dropped"]
    assert sent[0][1]["n"] == result["n_obs"] + dropped["singletons"] + dropped["separation"] > 0


@pytest.mark.django_db
def test_a_fits_stored_progress_is_a_code_with_parameters_shown_in_chinese(panel):
    # One iteration cannot converge and the spec asks for convergence: the fit fails after it
    # started fitting, so its row keeps the progress the estimator sent.
    spec = dict(PPML, maxiter=1, require_convergence=True)
    run = model_run_create(panel=panel, specs=[spec], dispatch=False)
    fit = spec_fit_execute(fit_id=run.fits.get().pk)
    assert fit.status == JobStatus.FAILED and "did not converge" in fit.error, fit.error
    assert fit.progress == 50 and fit.progress_code == "fitting %(estimator)s on %(n)s observations"
    n = fit.progress_params["n"]
    assert fit.progress_params == {"estimator": "PPML", "n": n} and 0 < n <= len(small_panel())
    assert fit.progress_message == f"fitting PPML on {n} observations"
    with translation.override("zh-hans"):
        assert job_status_payload(fit)["message"] == f"正在用 {n} 个观测值估计 PPML"


def _raises_soft_limit(job, step):
    step.progress(30, "working")
    raise SoftTimeLimitExceeded()


def _jobs(version, agreement):
    model = PrecoderModel.objects.create(
        number=1, version=version, codebook_hash=version.content_hash, reference="DESTA 2.1", file="x", file_hash="x"
    )
    return {
        TextImport: TextImport.objects.create(agreement=agreement, upload="text_imports/x.txt", original_name="x.txt"),
        PrecodeJob: PrecodeJob.objects.create(agreement_ids=[agreement.pk], model=model),
        PrecoderTrainingJob: PrecoderTrainingJob.objects.create(version=version, reference="DESTA 2.1"),
    }


@pytest.mark.django_db
def test_the_soft_time_limit_ends_every_job_kind_with_one_reason(panel, mini_version):
    jobs = _jobs(mini_version, AgreementFactory())
    jobs[SpecFit] = model_run_create(panel=panel, specs=[PPML], dispatch=False).fits.get()
    for model, job in jobs.items():
        # Each kind's own failure words are never asked: the runner gives the one reason.
        ended = job_run(model, job.pk, _raises_soft_limit, time_limit=2.5, reason=lambda exc, job: "not this")
        assert (ended.status, ended.error) == (JobStatus.FAILED, "time limit of 2.5 s exceeded"), model
        assert (ended.error_code, ended.error_params) == (TIME_LIMIT, {"seconds": "2.5"}), model
        assert (ended.progress, ended.progress_message) == (30, "working"), model  # how far it got stays
        with translation.override("zh-hans"):
            assert job_status_payload(ended)["error"] == "超过了 2.5 秒的时间限制", model
        assert job_status_payload(ended)["error"] == "time limit of 2.5 s exceeded"


@pytest.mark.django_db
def test_a_kinds_own_runner_and_a_run_of_one_process_carry_the_one_reason(panel, settings, monkeypatch):
    # A text import whose import is interrupted: no task, so the settings' soft limit is the one named.
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 7
    job = TextImport.objects.create(agreement=AgreementFactory(), upload="text_imports/x.txt", original_name="x.txt")

    def interrupted(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("coding.services.text_jobs.text_import_file", interrupted)
    ended = text_import_run(job_id=job.pk)
    assert (ended.status, ended.error) == (JobStatus.FAILED, "time limit of 7 s exceeded")
    # A run fitted in one process: its specification is interrupted, and the run says why in the
    # reader's language too (the child's reason carried on as data, not as text).
    monkeypatch.setattr("analysis.services.estimation.fit_isolated", lambda *args, **kwargs: interrupted())
    run = model_run_execute(run_id=model_run_create(panel=panel, specs=[PPML], dispatch=False).pk, time_limit=3)
    assert (run.status, run.error) == (JobStatus.FAILED, "time limit of 3 s exceeded")
    with translation.override("zh-hans"):
        assert job_status_payload(run)["error"] == "超过了 3 秒的时间限制"


@pytest.mark.django_db
def test_the_retraining_shows_its_status_and_bar_on_the_assignment_page(client_for, users, mini_version):
    job = PrecoderTrainingJob.objects.create(version=mini_version, reference="DESTA 2.1")
    PrecoderTrainingJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        progress=40,
        progress_code="cross-validation: fold %(n)s of %(total)s",
        progress_params={"n": 2, "total": 5},
    )
    client = client_for(users["supervisor"])
    url = reverse("coding:precoder_training_status", args=[job.pk])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["id"], english["status"], english["progress"]) == (job.pk, "RUNNING", 40)
    assert english["message"] == "cross-validation: fold 2 of 5" and english["bar"]["width"] == 40
    assert chinese["message"] == "交叉验证：第 2 折，共 5 折"
    page = client.get(reverse("coding:assign") + f"?plan_version={mini_version.pk}").content.decode()
    assert f'data-job-status-url="{url}"' in page and 'data-status="RUNNING"' in page
    assert 'progress max="100" value="40"' in page and "cross-validation: fold 2 of 5" in page
    assert client_for(users["coder"]).get(url).status_code == 403
