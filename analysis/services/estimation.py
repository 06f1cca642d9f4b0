"""Fitting one gravity specification in a child process, so that whatever the estimator does to
its process (a Rust panic aborts it with SIGABRT, a segfault, the OOM killer's SIGKILL) ends
that specification with a reason while the worker lives on and takes the next job.

No Django here: the child imports this module, so it must stay importable without settings.
The children are forked from a forkserver (one per worker process, started when the process
starts, see config/celery.py) that has already imported pandas, pyfixest and our gravity module,
so a specification costs a fork and a read of the stored panel, not the ~2 s of importing
pyfixest (bench/bench_gravity.py measures it). The pickled panel's read is not what a child
costs (0.03 s for 1M rows, measured): its fresh memory is, which _keep_freed_memory makes cheaper.
Each child:
- gets the panel's path and the validated spec, and sends back the plain-dict result (or the
  SpecError / error text) and its progress messages; its stderr goes to a file whose lines
  explain a crash (the Rust panic's message) and then go to the worker's log;
- dies with the process that asked for it (a watchdog thread on multiprocessing's parent
  sentinel), so a worker process killed (`kill -9`, a hard time limit, a revoke with terminate)
  takes its estimator with it; the caller kills it at once when `should_stop()` says so.
Like every multiprocessing child, it first imports the parent's main module when that is a
script: scripts that fit models keep their work under `if __name__ == "__main__"`."""

import logging
import math
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from multiprocessing.connection import wait

from coding.pure.notes import Note, english, note

from ..pure.errors import SpecError, gettext_noop
from ..pure.estimators import preload_modules

logger = logging.getLogger(__name__)

# Imported once by the forkserver, inherited by every child: our modules, pyfixest's estimators and
# what its first fit imports (found by comparing sys.modules before and after a fit).
# Imports only: a fit here would start Rust thread pools, which a forked child cannot use.
PRELOAD = [
    "analysis.services.estimation",
    "analysis.pure.gravity",
    *preload_modules(),
    "formulaic.errors",
    "narwhals._pandas_like.namespace",
    "narwhals._pandas_like.dataframe",
    "narwhals._interchange.dataframe",
    "narwhals.stable.v1._namespace",
]
POLL_SECONDS = 0.25


class EstimationFailed(Exception):
    """The specification ended without a result; the message says why, in words for the run's
    page. `expected`: a refusal of the data (KeyError, ValueError), not worth a traceback."""

    expected = False


class EstimatorCrashed(EstimationFailed):
    def __init__(self, exitcode, detail=""):
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            number = -exitcode
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = "unknown signal"
            message = f"the estimator crashed (signal {number}, {name})"
            if number == signal.SIGKILL:
                message += "; it may have run out of memory"
        else:
            message = f"the estimator stopped unexpectedly (exit code {exitcode})"
        super().__init__(f"{message}: {detail}" if detail else message)


class EstimationTimeout(EstimationFailed):
    def __init__(self, seconds):
        super().__init__(f"time limit of {seconds:g} s exceeded")


class EstimationStopped(EstimationFailed):
    """`should_stop()` said so (the run was cancelled): the child was killed."""


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up():
    """Start this process's forkserver now (it imports pyfixest in the background, ~3 s on an idle
    machine), so the first job does not wait for it. Called when an estimation worker's process
    starts (config/celery.py). A thread then forks one child that does nothing: it returns when
    the forkserver has finished importing, which the log says ("estimator forkserver ready in
    3.1 s") and forkserver_ready() tells; the worker takes jobs meanwhile (a job that comes first
    waits only for what is left of the import)."""
    from multiprocessing import forkserver

    started = time.monotonic()
    _ready.clear()
    _context()
    forkserver.ensure_running()

    def probe():
        try:
            _start(_nothing, ()).join()
        except Exception:  # the first job starts (or reports) it instead
            logger.warning("the estimator forkserver did not answer", exc_info=True)
            return
        _ready.set()
        logger.info("estimator forkserver ready in %.1f s", time.monotonic() - started)

    threading.Thread(target=probe, daemon=True, name="estimator-warm-up").start()


def forkserver_ready(timeout=None):
    """True once warm_up()'s forkserver has forked its first child (its imports are done)."""
    return _ready.wait(timeout)


_ready = threading.Event()
# One child started at a time: _plain_parent swaps the process-wide current process.
_start_lock = threading.Lock()


def _nothing():
    pass


def _start(target, args, name="estimator"):
    """A started child of the forkserver running target(*args)."""
    with _start_lock, _plain_parent():
        process = _context().Process(target=target, args=args, name=name, daemon=True)
        process.start()
    return process


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def _keep_freed_memory():
    """The child fits once and exits, so its allocator may keep what it frees for the next array
    instead of returning it to the kernel and asking again. By default glibc maps every block
    over 128 kB (the threshold grows only as blocks are freed) and gives it back when freed: a
    fresh process fitting a 1M-row panel pays ~100,000 page faults and ~0.3 s of CPU in the kernel
    that a long-lived process does not (bench/bench_gravity.py). Blocks up to 1 GB now come from
    the heap, which is trimmed only above 2 GB. Not glibc (or no libc found): nothing changes."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        for parameter, value in (
            (_M_MMAP_THRESHOLD, 1 << 30),
            (_M_TRIM_THRESHOLD, (1 << 31) - 1),
            (_M_TOP_PAD, 64 << 20),
        ):
            libc.mallopt(parameter, value)
    except (OSError, AttributeError):
        pass


def _die_with_parent():
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="die-with-parent").start()


def _child(writer, panel_path, spec, stderr_path):
    """The child's whole life: load, fit, send one message, exit."""
    _die_with_parent()
    _keep_freed_memory()
    if stderr_path:
        fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    try:
        import pandas as pd

        from ..pure import gravity

        data = pd.read_pickle(panel_path)
        message = ("ok", gravity.fit(data, spec, progress=lambda text: writer.send(("progress", text))))
    except SpecError as exc:
        message = ("spec", str(exc))
    except (KeyError, ValueError) as exc:
        message = ("value", f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as text
        message = ("error", f"{type(exc).__name__}: {exc}")
    writer.send(message)
    writer.close()


@contextmanager
def _plain_parent():
    """Let a Celery prefork pool process start a child. billiard makes its pool process the
    standard library's current process: daemonic (multiprocessing refuses children of a daemonic
    process, which would be orphaned when it is killed; ours die with their parent, see
    _die_with_parent) and with an authentication key multiprocessing cannot pickle. While the
    child is made and started, the current process is a plain main process instead."""
    from multiprocessing import process as stdlib

    current = stdlib._current_process
    if isinstance(current, stdlib.BaseProcess) and not current._config.get("daemon"):
        yield
        return
    plain = stdlib.BaseProcess.__new__(stdlib.BaseProcess)  # what multiprocessing's main process holds
    plain._identity, plain._name, plain._parent_pid, plain._popen, plain._closed = (), "MainProcess", None, None, False
    plain._config = {"authkey": stdlib.AuthenticationString(os.urandom(32)), "semprefix": "/mp"}
    stdlib._current_process = plain
    try:
        yield
    finally:
        stdlib._current_process = current


def _crash_detail(path, limit=300):
    """The line of a Rust panic ("panicked at src/demean.rs:71:48: called `Option::unwrap()`
    on a `None` value"), else the last line the child wrote to stderr."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle.read()[-20_000:].splitlines() if line.strip()]
    except OSError:
        return ""
    for index, line in enumerate(lines):
        if "panicked at" in line:
            text = line[line.index("panicked at") :]
            follow = lines[index + 1] if index + 1 < len(lines) else ""
            return f"{text} {follow}"[:limit].strip()
    return lines[-1][:limit] if lines else ""


def fit_isolated(panel_path, spec, *, should_stop=None, deadline=None, time_limit=None, on_wait=None, progress=None):
    """Fit `spec` on the stored panel at `panel_path` in a child process; return its result dict.

    Raises SpecError (the spec does not fit this data), EstimationFailed (an exception in the
    child, as "Type: message"), EstimatorCrashed (the child died: signal or exit code, and the
    panic's line), EstimationTimeout (time.monotonic() passed `deadline`; `time_limit` is the
    number of seconds the message names) or EstimationStopped (`should_stop()` returned True).
    `should_stop()` and `on_wait()` (e.g. a heartbeat) are called every POLL_SECONDS while the
    child works; `progress((template, params))` gets its progress as a code and its
    parameters (gravity.FITTING: "fitting %(estimator)s on %(n)s observations"), translated when shown. The child is killed on every way out of here, including a
    SoftTimeLimitExceeded that Celery raises in this thread."""
    context = _context()
    reader, writer = context.Pipe(duplex=False)
    descriptor, stderr_path = tempfile.mkstemp(prefix="estimator-", suffix=".log")
    os.close(descriptor)
    process, message = None, None
    try:
        process = _start(_child, (writer, str(panel_path), spec, stderr_path))
        writer.close()  # ours: the reader sees EOF when the child dies without a message
        while True:
            ready = wait([reader, process.sentinel], timeout=POLL_SECONDS)
            if reader in ready:
                try:
                    message = reader.recv()
                except (EOFError, OSError):
                    message = None
                if message is not None and message[0] == "progress":
                    if progress is not None:
                        progress(message[1])
                    message = None
                    continue
                break
            if ready:  # the sentinel: the child ended without a message
                break
            if deadline is not None and time.monotonic() > deadline:
                raise EstimationTimeout(time_limit or 0)
            if should_stop is not None and should_stop():
                raise EstimationStopped("stopped")
            if on_wait is not None:
                on_wait()
        process.join(timeout=10)
    finally:
        if process is not None and process.is_alive():
            process.kill()
            process.join(timeout=5)
        reader.close()
        writer.close()
        detail = _crash_detail(stderr_path) if message is None else ""
        _forward_stderr(stderr_path)
    if message is None:
        raise EstimatorCrashed(process.exitcode if process is not None else None, detail)
    kind, payload = message
    if kind == "ok":
        return payload
    if kind == "spec":
        raise SpecError(payload)
    failure = EstimationFailed(payload)
    failure.expected = kind == "value"
    raise failure


def _forward_stderr(path):
    """What the child wrote to stderr goes to the worker's log, then the file goes."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()[-5_000:].strip()
        if text:
            logger.warning("estimator stderr:\n%s", text)
    except OSError:
        pass
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


SHOWN_REPLACEMENTS = 20
NOT_FINITE = gettext_noop("not a finite number, stored as empty: %(fields)s")
NOT_FINITE_MORE = gettext_noop("not a finite number, stored as empty: %(fields)s and %(more)s more")


def _not_finite_note(replaced: list[str]) -> Note:
    shown = replaced[:SHOWN_REPLACEMENTS]
    if len(replaced) > SHOWN_REPLACEMENTS:
        return note(NOT_FINITE_MORE, fields=shown, more=len(replaced) - SHOWN_REPLACEMENTS)
    return note(NOT_FINITE, fields=shown)


def clean_numbers(result):
    """A result with every NaN and +-inf replaced by None (JSON and PostgreSQL's jsonb have no
    such numbers: one of them made the write of the results, and of the failure, fail). Each
    replacement is named in result["warnings"]. Beside the English "warnings", "warning_notes"
    keeps them as notes (coding/pure/notes.py) for pages to translate."""
    replaced = []

    def clean(value, path):
        if isinstance(value, float) and not math.isfinite(value):
            replaced.append(f"{path} ({value})")
            return None
        if isinstance(value, dict):
            return {key: clean(item, f"{path}.{key}" if path else str(key)) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return value

    cleaned = clean(result, "")
    if not isinstance(cleaned, dict):
        return cleaned
    found = list(cleaned.get("warning_notes") or [])  # gravity.fit's own (collinear, SE 0)
    if replaced:
        found.append(_not_finite_note(replaced))
        cleaned["warnings"] = [*cleaned.get("warnings", []), english(found[-1])]
    if found:
        cleaned["warning_notes"] = found
    return cleaned
