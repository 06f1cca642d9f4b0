"""Worker heartbeats: every worker says in Redis which queues it consumes, every
WORKER_HEARTBEAT_SECONDS, from a thread of its main process (config/celery.py starts it when the
worker is ready and stops it when the worker shuts down). jobs/selectors.py reads them,
so a job waiting on a queue nobody consumes says so. A worker killed without a word stops counting
three beats after its last one (and its entry is pruned later); one that stops normally removes
its entry at once."""

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .selectors import WORKERS_KEY, broker_redis, worker_beats, worker_heartbeat_seconds, worker_heartbeat_ttl

logger = logging.getLogger(__name__)

PRUNE_AFTER_TTLS = 20  # entries of workers silent this many TTLs (5 minutes by default) are removed

_thread: threading.Thread | None = None
_stop = threading.Event()


def worker_entry_name(name: str) -> str:
    """This process's field in the hash: the worker's node name ("celery@host") and its pid (two
    workers started without -n on one machine share a node name)."""
    return f"{name}:{os.getpid()}"


def worker_heartbeat_write(*, name: str, queues: Iterable[str], client: Any) -> None:
    """One beat: this worker's queues at the Redis server's time; entries of workers long gone
    are pruned on the way (a killed worker never removes its own)."""
    seconds, micros = client.time()
    client.hset(
        WORKERS_KEY, worker_entry_name(name), json.dumps({"queues": sorted(queues), "at": seconds + micros / 1e6})
    )
    stale = [
        other for other, (age, _) in worker_beats(client).items() if age > PRUNE_AFTER_TTLS * worker_heartbeat_ttl()
    ]
    if stale:
        client.hdel(WORKERS_KEY, *stale)


def worker_heartbeat_remove(*, name: str, client: Any) -> None:
    client.hdel(WORKERS_KEY, worker_entry_name(name))


def _with_client(action: Callable[..., None], **kwargs: Any) -> None:
    client = broker_redis(connect_timeout=2)
    try:
        action(client=client, **kwargs)
    finally:
        client.close()


def worker_heartbeat_start(*, name: str, queues_of: Callable[[], Iterable[str]]) -> threading.Thread:
    """Beat now, then every WORKER_HEARTBEAT_SECONDS until worker_heartbeat_stop(). `queues_of()`
    gives the queues the worker consumes at that moment (a queue added with `celery control
    add_consumer` counts from the next beat). Starting it twice starts one thread."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    _stop.clear()

    def loop() -> None:
        failing = False
        while True:
            try:
                _with_client(worker_heartbeat_write, name=name, queues=queues_of())
                failing = False
            except Exception:  # Redis down: the worker reconnects by itself; beat again
                if not failing:  # once per outage, not every beat
                    logger.warning("worker heartbeat not written", exc_info=True)
                failing = True
            if _stop.wait(worker_heartbeat_seconds()):
                break
        try:
            _with_client(worker_heartbeat_remove, name=name)
        except Exception:  # it stops counting after three beats anyway
            logger.info("worker heartbeat not removed", exc_info=True)

    _thread = threading.Thread(target=loop, daemon=True, name="worker-heartbeat")
    _thread.start()
    return _thread


def worker_heartbeat_stop(*, timeout: float = 3) -> None:
    """Stop beating and remove this worker's entry (so it stops counting at once)."""
    _stop.set()
    if _thread is not None:
        _thread.join(timeout=timeout)
