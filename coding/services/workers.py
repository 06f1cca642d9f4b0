"""Worker heartbeats: every worker says in Redis which queues it consumes, every
WORKER_HEARTBEAT_SECONDS, from a thread of its main process (config/celery.py starts it when the
worker is ready and stops it when the worker shuts down). coding/selectors/workers.py reads them,
so a job waiting on a queue nobody consumes says so. The key expires after three beats: a worker
killed without a word disappears within that; one that stops normally deletes its key at once."""
import json
import logging
import os
import threading
import time

from ..selectors.workers import KEY_PREFIX, broker_redis, worker_heartbeat_seconds, worker_heartbeat_ttl

logger = logging.getLogger(__name__)

_thread = None
_stop = threading.Event()


def worker_key(name):
    """The heartbeat key of worker `name` ("celery@host") in this process (two workers may share a
    node name on one machine when started without -n)."""
    return f"{KEY_PREFIX}{name}:{os.getpid()}"


def worker_heartbeat_write(*, name, queues, client):
    client.set(worker_key(name), json.dumps({"queues": sorted(queues), "at": time.time()}), ex=worker_heartbeat_ttl())


def worker_heartbeat_start(*, name, queues_of):
    """Beat now, then every WORKER_HEARTBEAT_SECONDS until worker_heartbeat_stop(). `queues_of()`
    gives the queues the worker consumes at that moment (a queue added with `celery control
    add_consumer` counts from the next beat). Starting it twice starts one thread."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    _stop.clear()

    def loop():
        failing = False
        while True:
            try:
                client = broker_redis(connect_timeout=2)
                try:
                    worker_heartbeat_write(name=name, queues=queues_of(), client=client)
                finally:
                    client.close()
                failing = False
            except Exception:  # noqa: BLE001 - Redis down: the worker reconnects by itself; beat again
                if not failing:  # once per outage, not every beat
                    logger.warning("worker heartbeat not written", exc_info=True)
                failing = True
            if _stop.wait(worker_heartbeat_seconds()):
                break
        try:
            client = broker_redis(connect_timeout=2)
            try:
                client.delete(worker_key(name))
            finally:
                client.close()
        except Exception:  # noqa: BLE001 - the key expires by itself
            logger.info("worker heartbeat key not deleted", exc_info=True)

    _thread = threading.Thread(target=loop, daemon=True, name="worker-heartbeat")
    _thread.start()
    return _thread


def worker_heartbeat_stop(*, timeout=3):
    """Stop beating and delete this worker's key (so it stops counting at once)."""
    _stop.set()
    if _thread is not None:
        _thread.join(timeout=timeout)
