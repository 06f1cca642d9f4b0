"""An 8-specification sweep on one and on two estimation workers (real Redis, real Celery workers
started as `make up` and the deploy units start them, a stored panel), against baselines from the
same run: the same 8 fits as bare pyfixest calls one after another in this process, and as one
pyfixest multiple-estimation call (`sw()`), which shares the sample and fixed effects.

The sweep: structural PPML (exporter-year, importer-year and pair effects, pair clusters) on a
297,000-row synthetic panel, `trade ~ rta + z_k`, k = 1..8 (placebo controls): every
specification shares the sample and the fixed effects, the case where `sw()` could help.

Printed: wall time from creating the run to DONE on 1 worker (fanned out, and the same 8 in one
task), on 2 workers (fanned out), and the ratios; the goal is 2 workers <= 0.7 x 1 worker.
Run: .venv/bin/python bench/bench_sweep.py
"""

import os
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager

os.environ.setdefault("RAYON_NUM_THREADS", str(os.cpu_count() or 1))

# Estimator children are forked from a forkserver that imports this script as __mp_main__:
# everything that costs happens in main().

COUNTRIES, YEARS = 100, range(1990, 2020)
CONTROLS = [f"z{k}" for k in range(1, 9)]


def sweep_panel():
    import numpy as np

    from analysis.pure.simulate import simulate

    frame = simulate(countries=COUNTRIES, years=YEARS)
    rng = np.random.default_rng(7)
    for name in CONTROLS:
        frame[name] = rng.normal(size=len(frame))
    return frame


def sweep_specs():
    return [
        {
            "estimator": "ppml",
            "formula": f"trade ~ rta + {z} | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "pair_id"},
            "label": f"rta + {z}",
        }
        for z in CONTROLS
    ]


def start_worker(env, name):
    log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)  # noqa: SIM115 - the worker writes it after we return
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "estimation",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log_path = log.name
    return process


def stop_worker(process):
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@contextmanager
def workers_running(environments):
    """One solo estimation worker per environment, stopped on the way out."""
    workers = []
    try:
        for number, env in enumerate(environments, 1):
            workers.append(start_worker(env, f"estimation-{number}"))
        yield workers
    finally:
        for process in workers:
            stop_worker(process)
            os.unlink(process.log_path)


def timed_run(panel, specs, *, fan_out=None, timeout=900):
    """Seconds from creating the run (its tasks sent on commit) to DONE, and the run."""
    from analysis.models import ModelRun
    from analysis.services.runs import model_run_create

    started = time.perf_counter()
    run = model_run_create(panel=panel, specs=specs, fan_out=fan_out)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        status = ModelRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
        if status in {"DONE", "FAILED", "CANCELLED"}:
            seconds = time.perf_counter() - started
            run.refresh_from_db()
            if status != "DONE":
                raise SystemExit(f"run {run.pk} ended {status}: {run.error}")
            return seconds, run
        time.sleep(0.05)
    raise SystemExit(f"run {run.pk} did not finish within {timeout} s")


def main():
    from _django import setup

    media = tempfile.mkdtemp(prefix="bench-sweep-media-")
    os.environ["MEDIA_ROOT"] = media
    from config.devservices import redis_server

    with redis_server() as redis_url:
        os.environ["REDIS_URL"] = redis_url
        setup()
        warnings.simplefilter("ignore")
        from config.celery import app

        app.conf.broker_url = app.conf.result_backend = redis_url
        run_bench(redis_url)


def run_bench(redis_url):
    import pyfixest as pf

    from analysis.pure.gravity import prepare_panel
    from analysis.services.panels import panel_store

    frame = sweep_panel()
    panel, _ = panel_store(frame, name="sweep")
    specs = sweep_specs()
    sample = prepare_panel(frame)
    print(
        f"8-specification sweep: structural PPML, trade ~ rta + z_k, {len(sample):,} rows, {os.cpu_count()} "
        f"cores; RAYON_NUM_THREADS {os.environ['RAYON_NUM_THREADS']} here and for 1 worker, cores / 2 for each of 2"
    )

    fe = "exporter^year + importer^year + pair_id"
    pf.fepois(f"trade ~ rta + z1 | {fe}", data=sample, vcov={"CRV1": "pair_id"})  # warm-up
    started = time.perf_counter()
    bare = [pf.fepois(f"trade ~ rta + {z} | {fe}", data=sample, vcov={"CRV1": "pair_id"}) for z in CONTROLS]
    bare_seconds = time.perf_counter() - started
    started = time.perf_counter()
    multiple = pf.fepois(f"trade ~ rta + sw({', '.join(CONTROLS)}) | {fe}", data=sample, vcov={"CRV1": "pair_id"})
    sw_seconds = time.perf_counter() - started

    # Threads as README ("Running on several machines") says to set them: C estimation processes on
    # a machine of K cores get RAYON_NUM_THREADS = K / C each (pyfixest's demeaning is a rayon pool).
    cores = os.cpu_count() or 1
    one_worker = [{**os.environ, "RAYON_NUM_THREADS": str(cores)}]
    two_workers = [{**os.environ, "RAYON_NUM_THREADS": str(max(1, cores // 2))}] * 2
    if os.environ.get("BENCH_SWEEP_OVERSUBSCRIBED"):  # both workers with every core's threads
        two_workers = one_worker * 2
    with workers_running(one_worker):
        timed_run(panel, specs[:1])  # warm-up: the worker's estimator forkserver starts
        one_fanned, run_one = timed_run(panel, specs)
        one_task, _ = timed_run(panel, specs, fan_out=False)
    with workers_running(two_workers):
        timed_run(panel, specs[:2])  # warm-up of both: two specifications at once, one each
        two_fanned, run_two = timed_run(panel, specs)

    owners = {fit.worker for fit in run_two.fits.all()}
    ours = [r["coefficients"]["rta"]["estimate"] for r in run_two.results]
    theirs = [float(fit.coef()["rta"]) for fit in bare]
    largest = max(abs(a - b) for a, b in zip(ours, theirs))
    print(f"  bare pyfixest, 8 calls one after another: {bare_seconds:6.1f} s (baseline)")
    print(
        f"  pyfixest multiple estimation sw(), 1 call: {sw_seconds:6.1f} s, ratio {sw_seconds / bare_seconds:4.2f} "
        f"({len(multiple.all_fitted_models)} models)"
    )
    print(f"  1 worker, 8 specifications in one task:    {one_task:6.1f} s, ratio {one_task / bare_seconds:4.2f}")
    print(f"  1 worker, fanned out (8 child tasks):      {one_fanned:6.1f} s, ratio {one_fanned / bare_seconds:4.2f}")
    print(
        f"  2 workers, fanned out:                     {two_fanned:6.1f} s, ratio {two_fanned / bare_seconds:4.2f}; "
        f"2 workers / 1 worker {two_fanned / one_fanned:4.2f} (goal <= 0.70); fitted by {len(owners)} workers"
    )
    between = max(
        abs(a["coefficients"]["rta"]["estimate"] - b["coefficients"]["rta"]["estimate"])
        for a, b in zip(run_one.results, run_two.results)
    )
    print(f"  rta estimates: job vs bare pyfixest, largest difference {largest:.1e}; 1 vs 2 workers {between:.1e}")


if __name__ == "__main__":
    main()
