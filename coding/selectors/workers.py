"""Which queues have a live worker, and so why a QUEUED job is still waiting (issue 19).

Every worker process writes a heartbeat into the broker's Redis (coding/services/workers.py, started
in config/celery.py): the queues it consumes and when, in one hash; a worker counts as live for
three heartbeat intervals after its last beat. Reading them is one round trip that never blocks a
page. Celery's own ways block or need a listener: `inspect().active_queues()` waits its whole
timeout for replies (it cannot know how many workers should answer) and misses a solo-pool worker
busy with a long task; worker heartbeat events need a process receiving them all the time."""
import json
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from ..models.jobs import JobStatus

logger = logging.getLogger(__name__)

# One Redis hash: a field per worker process, holding its queues and the Redis server's time of its
# last beat (the server's clock, so machines whose clocks differ still agree on what is recent).
WORKERS_KEY = "workbench:workers"


def worker_heartbeat_seconds():
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 5))


def worker_heartbeat_ttl():
    """How long a worker counts as live after its last heartbeat: three beats, so one slow beat
    (a busy machine) does not make it vanish, and a killed worker is gone within 15 s."""
    return max(1, round(3 * worker_heartbeat_seconds()))


def broker_redis(*, connect_timeout=0.5):
    """A client of the broker's Redis (CELERY_BROKER_URL as the Celery app has it now), with short
    timeouts: a page asking must not wait for a Redis that is down. The caller closes it."""
    import redis
    from celery import current_app

    return redis.Redis.from_url(current_app.conf.broker_url, socket_connect_timeout=connect_timeout,
                                socket_timeout=2 * connect_timeout + 1)


def worker_beats(client):
    """{worker: (seconds since its last beat, queues)} from the hash, by the Redis server's clock."""
    with client.pipeline(transaction=False) as pipe:
        now, entries = pipe.time().hgetall(WORKERS_KEY).execute()
    now = now[0] + now[1] / 1e6
    beats = {}
    for name, raw in entries.items():
        try:
            entry = json.loads(raw)
            beats[name.decode() if isinstance(name, bytes) else name] = (now - float(entry["at"]), list(entry["queues"]))
        except (TypeError, ValueError, KeyError):  # not ours: ignore it
            continue
    return beats


def live_queues():
    """The names of the queues at least one live worker consumes, or None when the broker cannot
    be reached (then nothing can be said about workers, and no task can be sent either)."""
    try:
        client = broker_redis()
        try:
            beats = worker_beats(client)
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - redis-py raises many types (and ValueError for a bad URL)
        logger.info("cannot read the workers' heartbeats", exc_info=True)
        return None
    ttl = worker_heartbeat_ttl()
    return {queue for age, queues in beats.values() if age <= ttl for queue in queues}


def job_queue(model):
    """The queue a job model's task is routed to (CELERY_TASK_ROUTES): "default" or "estimation"."""
    from celery import current_app

    return current_app.amqp.router.route({}, model.TASK_NAME)["queue"].name


def job_waiting_reason(job):
    """Why QUEUED `job` is not being worked on, in the reader's language, or None: no live worker
    consumes its queue, or the task queue cannot be reached. None for a job that is not QUEUED,
    or whose queue has a live worker (then it waits its turn)."""
    if job is None or job.status != JobStatus.QUEUED:
        return None
    queue = job_queue(type(job))
    live = live_queues()
    if live is None:
        return _("The task queue is unreachable (is Redis running at REDIS_URL?): this job waits until it is back.")
    if queue in live:
        return None
    return _("No worker is consuming the “%(queue)s” queue, so this job waits. Start one with: "
             "celery -A config worker -Q %(queue)s") % {"queue": queue}


def jobs_waiting_reason(jobs):
    """The waiting reason of the first QUEUED job among `jobs` (a page listing a few jobs of one
    kind asks once), or None."""
    return job_waiting_reason(next((job for job in jobs if job.status == JobStatus.QUEUED), None))
