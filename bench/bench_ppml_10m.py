"""A 10M-row three-way structural PPML job against a bare pyfixest call on the same data: wall
time and peak memory, each as a ratio job / bare from the same run.

The panel: simulate() with 320 countries x 100 years = 10,208,000 pair-years (102,080 pairs),
the preset "structural-ppml": trade ~ rta | exporter^year + importer^year + pair_id, clustered by
pair (32,000 + 32,000 + 102,080 fixed effects). It is stored once with panel_store(), as an
upload is.

- Our job: model_run_create(dispatch=False) + model_run_execute(run_id), as the Celery task
  runs it minus the broker, in a fresh "worker" process whose estimator forkserver is warm
  (estimation.warm_up() and one small job first, as a worker has after its first job). Its time
  is model_run_execute's wall time: forking the estimator, the estimator reading the stored
  panel, the fit, writing the results.
- The baseline: `pf.fepois(formula, data=frame, vcov={"CRV1": "pair_id"})` with pyfixest's
  defaults, on the frame as a user has it (what simulate() returns: string identifiers), in a
  fresh process with pyfixest imported and warmed up on a small panel. Its time is the call
  alone: the frame is already in memory (loaded before the clock starts).

Peak memory = the kernel's high-water mark of resident memory (RSS), not a guess from samples:
- the job: the estimator is a child of the forkserver, a grandchild of the worker process, so
  neither the worker's RUSAGE_SELF nor its RUSAGE_CHILDREN sees it while the forkserver lives
  (RUSAGE_CHILDREN counts only descendants that ended and were waited for, all the way up). So
  the worker process stops its forkserver at the end (ForkServer._stop() waits for it); the
  forkserver has already waited for each estimator (it reaps its children), so the worker's
  getrusage(RUSAGE_CHILDREN).ru_maxrss is then the largest peak RSS of the forkserver and of
  every estimator it forked: the 10M-row estimator's. One catch, checked on this machine: a
  process started by fork + exec keeps as its ru_maxrss the RSS its parent had when it forked
  (a 4 GB parent made a 1 GB estimator read 4 GB), so the figure is exact only above the
  worker's RSS when it started the forkserver (~0.1 GB; checked below). Printed beside it as a
  check: the estimator's own VmHWM (/proc/<pid>/status, per address space, so without that
  catch) read every 50 ms by a thread while it lives; it only grows, and nothing is allocated
  after the fit, so the last reading is the peak. The two agree.
- the baseline: its process's VmHWM, reset (/proc/self/clear_refs "5") once the frame is
  loaded, so that it is the peak of the call with the frame in memory, as the estimator's is
  the peak of its whole life with the panel it loaded in memory. The RSS with the frame loaded
  (the interpreter, pyfixest and the frame) is printed too.

Why the job needs less memory and less time than the bare call on the same rows (read in
analysis/pure/gravity.py and services/estimation.py, and measured on this panel by fitting in
fresh processes with the high-water mark reset at each stage, load average ~3):
1. Memory: the data each process holds. The estimator reads the stored panel, whose identifiers
   prepare_panel() made categoricals (a small integer code per row, not a Python string object
   per row): 0.5 GB deep, RSS 0.67 GB with the interpreter, against 2.3 GB deep and 2.65 GB for
   the user's frame; the same 8 columns (the job does not read fewer: fit() hands pyfixest the
   whole panel plus two code columns). The call itself costs about the same: pf.fepois inside
   the job peaked at 5.55 GB (4.7 GB above the 0.84 GB it started from; fit()'s own preparation
   before it peaked at 1.25 GB), and the bare call given the stored categorical panel instead
   of the user's frame peaked at 5.67 GB. So pyfixest's fit is most of the job's peak. The
   job's peak varies by ~0.8 GB from run to run (4.75 to 5.55 GB seen), the bare call's by less.
2. Time: fit() replaces exporter^year and importer^year by integer group codes
   (groupby().ngroup(), encode_interacted_effects()), where pyfixest, given "^", casts both
   columns to strings, concatenates them row by row (1.4 GB of new strings for the two) and
   factorises the result: the bare call on the stored categorical panel took 75 s, the same
   fit inside the job 44 s.
3. Separation: fit() drops fixed-effect groups whose outcome is zero throughout itself and asks
   pyfixest for no check, where the bare call runs pyfixest's "fe" crosstabs; this panel has no
   zero trade flow, so neither does anything here.

Run: .venv/bin/python bench/bench_ppml_10m.py   (about 3 minutes on 2 cores; ~10 GB of RAM at
the peak of the bare call). BENCH_PPML_COUNTRIES / BENCH_PPML_YEARS change the panel's size.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("RAYON_NUM_THREADS", "2")

# The estimator is forked from a forkserver that runs this file first as "__mp_main__"
# (multiprocessing does so with a script): all work happens in the functions called from the
# `if __name__ == "__main__"` block at the end, never at import.

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FORMULA = "trade ~ rta | exporter^year + importer^year + pair_id"


def status_kb(pid, field):
    """A field of /proc/<pid>/status in kB (VmHWM: peak RSS, VmRSS: RSS now); None once gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def descendants(pid):
    """The pids of every descendant of `pid`, from /proc (children files of every thread)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    children = [int(child) for child in handle.read().split()]
            except FileNotFoundError:
                continue
            found += children
            todo += children
    return found


class HighWaterSampler(threading.Thread):
    """Every `interval` seconds: the VmHWM of every descendant of process `root`, the largest
    kept per pid (a cross-check of the exact RUSAGE_CHILDREN figure)."""

    def __init__(self, root, interval=0.05):
        super().__init__(daemon=True)
        self.root, self.interval, self.peaks, self.stopped = root, interval, {}, threading.Event()

    def run(self):
        while not self.stopped.wait(self.interval):
            for pid in descendants(self.root):
                peak = status_kb(pid, "VmHWM")
                if peak is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)

    def stop(self):
        self.stopped.set()
        self.join()


def worker_process(run_id, warm_run_id):
    """In a fresh process, as a Celery worker: warm forkserver, one small job, then the 10M-row
    job. Prints one JSON line."""
    import resource
    import warnings

    warnings.simplefilter("ignore")
    sys.path.insert(0, HERE)
    from _django import setup

    setup()
    from multiprocessing import forkserver

    from analysis.services import estimation
    from analysis.services.runs import model_run_execute

    spawned_kb = status_kb(os.getpid(), "VmRSS")  # what the forkserver's figure cannot go below, see above
    estimation.warm_up()
    model_run_execute(run_id=warm_run_id)  # the forkserver has imported pyfixest; a first fit is done
    sampler = HighWaterSampler(forkserver._forkserver._forkserver_pid)  # its children: the estimators
    sampler.start()
    started = time.perf_counter()
    run = model_run_execute(run_id=run_id)
    seconds = time.perf_counter() - started
    sampler.stop()
    forkserver._forkserver._stop()  # waits for the forkserver, which waited for its estimators
    result = run.results[0] if run.results else {}
    print(
        json.dumps(
            {
                "status": run.status,
                "error": run.error,
                "seconds": seconds,
                "tree_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                "spawned_kb": spawned_kb,
                "sampled_estimator_peak_kb": max(sampler.peaks.values(), default=None),
                "worker_peak_kb": status_kb(os.getpid(), "VmHWM"),
                "rta": result.get("coefficients", {}).get("rta", {}).get("estimate"),
                "n_obs": result.get("n_obs"),
                "fit_seconds": result.get("seconds"),
            }
        )
    )


def bare_process(path):
    """In a fresh process: pyfixest warmed up on a small panel, the user's frame loaded, then the
    bare call alone. Prints one JSON line."""
    import gc
    import warnings

    warnings.simplefilter("ignore")
    import pandas as pd
    import pyfixest as pf

    from analysis.pure.simulate import simulate

    pf.fepois(FORMULA, data=simulate(countries=8, years=range(2000, 2008, 2)), vcov={"CRV1": "pair_id"})
    frame = pd.read_pickle(path)
    gc.collect()
    loaded_kb = status_kb(os.getpid(), "VmRSS")
    with open("/proc/self/clear_refs", "w") as handle:  # VmHWM := VmRSS now
        handle.write("5")
    started = time.perf_counter()
    fit = pf.fepois(FORMULA, data=frame, vcov={"CRV1": "pair_id"})
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_kb": status_kb(os.getpid(), "VmHWM"),
                "loaded_kb": loaded_kb,
                "rta": float(fit.coef()["rta"]),
                "n_obs": int(fit._N),
            }
        )
    )


def in_fresh_process(*args):
    """Run this file with `args` in a fresh interpreter; its JSON line."""
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} process failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def release_free_memory():
    """glibc keeps freed small objects' memory (10M strings' worth here): hand it back."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def gb(kb):
    return f"{kb / 1024**2:5.2f} GB" if kb else "  n/a  "


def main():
    media = tempfile.mkdtemp(prefix="bench-media-")
    os.environ.setdefault("MEDIA_ROOT", media)  # the 10M-row pickle goes to a throw-away folder
    try:
        run_bench(media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run_bench(media):
    import gc
    import warnings

    warnings.simplefilter("ignore")
    sys.path.insert(0, HERE)
    from _django import setup

    setup()
    from analysis.pure.presets import preset
    from analysis.pure.simulate import simulate
    from analysis.services.panels import panel_store
    from analysis.services.runs import model_run_create

    countries = int(os.environ.get("BENCH_PPML_COUNTRIES", "320"))
    years = range(2020 - int(os.environ.get("BENCH_PPML_YEARS", "100")), 2020)
    spec = dict(preset("structural-ppml")[0])
    load = os.getloadavg()[0]

    started = time.perf_counter()
    frame = simulate(countries=countries, years=years)
    simulate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    panel, _ = panel_store(frame, name=f"synthetic {countries} x {len(years)}", synthetic=True)
    store_seconds = time.perf_counter() - started
    raw_path = os.path.join(media, "user-frame.pkl")
    frame.to_pickle(raw_path)
    n_rows = len(frame)
    del frame
    gc.collect()
    release_free_memory()  # so that this process holds little while the two others run
    warm, _ = panel_store(simulate(countries=8, years=range(2000, 2008, 2)), name="small")
    print(
        f"{n_rows:,} rows ({countries} countries x {len(years)} years), structural PPML, pair clusters; "
        f"simulate() {simulate_seconds:.0f} s, panel_store() {store_seconds:.0f} s; load average {load:.1f} at the start"
    )

    def job():
        run = model_run_create(panel=panel, specs=[spec], dispatch=False)
        warm_run = model_run_create(panel=warm, specs=[spec], dispatch=False)
        return in_fresh_process("worker", str(run.pk), str(warm_run.pk))

    # One of each, back to back, so that a change of the machine's load hits both within the same
    # two minutes; a second pair would double the bench's time (the peaks do not need it).
    ours, bare = job(), in_fresh_process("bare", raw_path)
    if ours["status"] != "DONE":
        raise RuntimeError(f"the job failed: {ours['error']}")
    exact = ours["tree_peak_kb"] > 1.5 * ours["spawned_kb"]  # else the figure may be the worker's RSS, see above
    job_kb = ours["tree_peak_kb"] if exact else ours["sampled_estimator_peak_kb"]
    print(
        f"bare pf.fepois: {bare['seconds']:6.1f} s, peak RSS {gb(bare['peak_kb'])} (with the frame loaded, before the "
        f"call: {gb(bare['loaded_kb'])})"
    )
    print(
        f"our job:        {ours['seconds']:6.1f} s, peak RSS {gb(job_kb)} (the estimator: RUSAGE_CHILDREN "
        f"{gb(ours['tree_peak_kb'])}{'' if exact else ' NOT exact here'} (exact above the worker's "
        f"{gb(ours['spawned_kb'])} when it started the forkserver), its VmHWM sampled "
        f"{gb(ours['sampled_estimator_peak_kb'])}; the worker process {gb(ours['worker_peak_kb'])}); "
        f"pyfixest's fit in it {ours['fit_seconds']:.1f} s"
    )
    print(
        f"ratio job / bare: time {ours['seconds'] / bare['seconds']:4.2f}, peak memory {job_kb / bare['peak_kb']:4.2f} "
        f"(measured before: job 32.8 s / 5.1 GB, bare 48.1 s / 8.9 GB: 0.68 and 0.57)"
    )
    print(
        f"rta: job {ours['rta']:.10f}, bare {bare['rta']:.10f}, difference {abs(ours['rta'] - bare['rta']):.1e} "
        f"on {ours['n_obs']:,} and {bare['n_obs']:,} observations; load average {os.getloadavg()[0]:.1f} at the end "
        f"(2 cores: above 2, other work shares them)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker_process(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["bare"]:
        sys.path.insert(0, ROOT)
        bare_process(sys.argv[2])
    else:
        main()
