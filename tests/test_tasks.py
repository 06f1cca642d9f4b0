"""Every Celery task of the workbench runs: sent the id of a job that does not exist, each one
loads nothing, claims nothing and says so. A task whose module cannot run (a name it calls but
never imported) fails here instead of in a worker, where its job would wait for the sweeper."""

import pytest

import analysis.tasks  # noqa: F401 - what a worker's autodiscovery imports
import coding.tasks  # noqa: F401 - the same, for the coding app
from config.celery import app

PROJECT_TASKS = sorted(name for name in app.tasks if name.startswith(("coding.", "analysis.")))


def test_every_job_model_has_its_task_registered():
    from jobs.sweeper import job_models

    assert sorted({model.TASK_NAME for model in job_models()}) == PROJECT_TASKS


@pytest.mark.django_db
@pytest.mark.parametrize("name", PROJECT_TASKS)
def test_a_task_for_a_job_that_does_not_exist_claims_nothing(name):
    result = app.tasks[name].apply(args=[2**31 - 1])
    assert result.successful(), result.traceback
    assert result.get() == "NOT_CLAIMED"
