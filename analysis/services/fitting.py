"""What a run (services/runs.py) and each of its specifications (services/fanout.py) share:
the package versions a result is stamped with and the words a failure is shown in (the
heartbeat kept while the estimator works is jobs.lifecycle.Heartbeat)."""

import logging
from importlib import metadata

from jobs.progress import Reason, time_limit_reason

from ..pure.errors import SpecError
from . import estimation

logger = logging.getLogger(__name__)

PACKAGES = ["pyfixest", "pandas", "numpy", "django", "celery", "statsmodels"]


def package_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in PACKAGES}


def failure_reason(exc: BaseException, what: str, time_limit: float | None) -> str | Reason:
    """The error a failed run (or specification) shows: plain words for what we expect, the
    exception otherwise. `what` names it in the log ("model run 3"). The run's own deadline
    (EstimationTimeout) is the same reason as Celery's soft limit (jobs.lifecycle.job_run)."""
    if isinstance(exc, estimation.EstimationTimeout):
        return time_limit_reason(time_limit)
    if isinstance(exc, estimation.EstimationFailed):
        if not (exc.expected or isinstance(exc, estimation.EstimationTimeout)):
            logger.error("%s: %s", what, exc)
        return str(exc)
    if isinstance(exc, (FileNotFoundError, SpecError)):  # the panel file; a refusal in plain words
        return str(exc)
    if not isinstance(exc, (SpecError, KeyError, ValueError)):
        logger.exception("%s failed", what)
    return f"{type(exc).__name__}: {exc}"
