"""What a run fitted in one task (services/runs.py) and a fanned-out specification
(services/fanout.py) share: the package versions a result is stamped with, the heartbeat kept
while the estimator works, and the words a failure is shown in."""
import logging
import time
from importlib import metadata

from celery.exceptions import SoftTimeLimitExceeded

from coding.services.jobs import job_heartbeat, job_setting

from ..pure import gravity
from . import estimation

logger = logging.getLogger(__name__)

PACKAGES = ["pyfixest", "pandas", "numpy", "django", "celery", "statsmodels"]


def package_versions():
    return {name: metadata.version(name) for name in PACKAGES}


def failure_reason(exc, what, time_limit):
    """The error a failed run (or specification) shows: plain words for what we expect, the
    exception otherwise. `what` names it in the log ("model run 3")."""
    if isinstance(exc, SoftTimeLimitExceeded):  # Celery's soft limit, raised in this thread
        return f"time limit of {time_limit or 0:g} s exceeded"
    if isinstance(exc, estimation.EstimationFailed):
        if not (exc.expected or isinstance(exc, estimation.EstimationTimeout)):
            logger.error("%s: %s", what, exc)
        return str(exc)
    if isinstance(exc, FileNotFoundError):  # the panel file (PanelFileMissing says where to look)
        return str(exc)
    if not isinstance(exc, (gravity.SpecError, KeyError, ValueError)):
        logger.exception("%s failed", what)
    return f"{type(exc).__name__}: {exc}"


class Heartbeat:
    """Called while the estimator works: a heartbeat on the job every JOB_HEARTBEAT_SECONDS."""

    def __init__(self, model, job_id):
        self.model, self.job_id, self.last = model, job_id, time.monotonic()

    def __call__(self):
        if time.monotonic() - self.last >= job_setting("JOB_HEARTBEAT_SECONDS"):
            self.last = time.monotonic()
            try:
                job_heartbeat(self.model, self.job_id)
            except Exception:  # noqa: BLE001 - a busy database: the next beat tries again
                logger.warning("heartbeat of %s %s not written", self.model.__name__, self.job_id, exc_info=True)
