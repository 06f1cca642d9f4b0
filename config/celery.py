"""Celery application. Broker and result backend are Redis (REDIS_URL); the CELERY_* settings
(config/settings/base.py) set acks_late, reject_on_worker_lost and the time limits.

Every worker also sweeps (jobs/sweeper.py): once when it is ready, then every
JOB_SWEEP_SECONDS from a thread of its main process, so jobs whose worker died or whose task was
lost end within a minute of a worker being up. A thread in the worker rather than celery beat:
`make up` runs no beat, one more process to keep alive is one more way for the sweep to stop
happening, and a worker can tell whether a process on its own machine is still alive, which a
beat elsewhere cannot. Sweeps of several workers do not conflict (every write is conditional).

Every worker also writes a heartbeat naming the queues it consumes (jobs/workers.py),
so the workbench knows when a job waits on a queue no live worker consumes."""

import logging
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutting_down

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_ready.connect
def start_sweeper(**_kwargs):
    from jobs.sweeper import sweeper_start

    sweeper_start()


@worker_shutting_down.connect
def stop_sweeper(**_kwargs):
    from jobs.sweeper import sweeper_stop

    sweeper_stop()


@worker_ready.connect
def start_worker_heartbeat(sender=None, **_kwargs):
    """Say in Redis which queues this worker consumes (jobs/workers.py), so a job waiting
    on a queue no worker consumes says so instead of waiting in silence."""
    from jobs.workers import worker_heartbeat_start

    def queues_of():
        consumer = getattr(sender, "task_consumer", None)
        if consumer is not None:
            return [queue.name for queue in consumer.queues]
        return list(app.amqp.queues.consume_from)

    worker_heartbeat_start(name=getattr(sender, "hostname", None) or "worker", queues_of=queues_of)


@worker_shutting_down.connect
def stop_worker_heartbeat(**_kwargs):
    from jobs.workers import worker_heartbeat_stop

    worker_heartbeat_stop()


@worker_process_init.connect
def start_estimator_server(**_kwargs):
    """A process of a worker that fits models (it consumes the queue the analysis tasks go to)
    starts its estimator forkserver at once, in the background, so the first specification does
    not wait ~3 s for pyfixest to be imported; a worker of the default queue alone never fits and
    starts none (each would hold ~300 MB). Sent by prefork pool processes and the solo pool."""
    fits_on = (app.conf.task_routes or {}).get("analysis.tasks.*", {}).get("queue", app.conf.task_default_queue)
    if fits_on not in app.amqp.queues.consume_from:
        return
    try:
        from analysis.services.estimation import warm_up

        warm_up()
    except Exception:  # the first run starts it instead
        logger.warning("could not start the estimator forkserver", exc_info=True)
