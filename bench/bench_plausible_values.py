"""M = 20 plausible-value fits (spec depth_uncertainty, source irt) against twenty single fits of
the same specification, both fanned out on 2 estimation workers (real Redis, real Celery workers,
as bench/bench_sweep.py starts them). The plausible-value run has 21 children (the single fit and
20 draws), each draw fitted on a copy of the panel with its depths; the goal is <= 1.2x.

Panel: SYNTHETIC, simulate() over COUNTRIES countries x YEARS, FTA and depth from a release of
synthetic bilateral treaties carrying depth and depth_se. Run: .venv/bin/python bench/bench_plausible_values.py
"""

import os
import tempfile
import warnings

os.environ.setdefault("RAYON_NUM_THREADS", "1")

COUNTRIES, YEARS, TREATIES, DRAWS = int(os.environ.get("BENCH_PV_COUNTRIES", 40)), range(1990, 2011), 120, 20
SPEC = {
    "estimator": "ppml",
    "formula": "trade ~ depth_fta + fta | exporter^year + importer^year + pair_id",
    "vcov": {"cluster": "pair_id"},
}


def release_and_panel():
    import numpy as np

    from analysis.models import DatasetRelease
    from analysis.pure import panel_builder as builder
    from analysis.pure.exports import release_frame
    from analysis.pure.simulate import simulate
    from analysis.services.panels import panel_store
    from coding.services import codebook_import
    from tests.conftest import MINI_CODEBOOK

    path = os.path.join(tempfile.mkdtemp(), "mini.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(MINI_CODEBOOK)
    version = codebook_import(path=path).version
    rng = np.random.default_rng(1)
    base = simulate(countries=COUNTRIES, years=YEARS).drop(columns=["rta"])
    iso = sorted(set(base["exporter"]))
    rows, seen = [], set()
    while len(rows) < TREATIES:
        a, b = sorted(rng.choice(iso, size=2, replace=False))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        depth = float(rng.integers(1, 7))
        rows.append(
            {
                "agreement_id": len(rows) + 1,
                "name": f"{a}-{b}",
                "parties": [a, b],
                "tier": None,
                "depth": depth,
                "depth_se": 0.5,
                "entry_into_force_year": int(rng.integers(1991, 2009)),
            }
        )
    release = DatasetRelease.objects.create(
        number=1, name="bench", version=version, method={"name": "irt"}, content_hash="0" * 64, rows=rows
    )
    frame = builder.panel_from(builder.Prepared(base, 0, {}, "dist"), release_frame(rows, [], shape="dyad"), lags=[])
    frame["trade"] = frame["trade"] * np.exp(0.05 * frame["depth_fta"].fillna(0))
    return panel_store(frame, name="SYNTHETIC plausible-values bench", release=release)[0]


def main():
    from _django import setup

    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-pv-media-")
    from config.devservices import redis_server

    with redis_server() as redis_url:
        os.environ["REDIS_URL"] = redis_url
        setup()
        warnings.simplefilter("ignore")
        from config.celery import app

        app.conf.broker_url = app.conf.result_backend = redis_url
        from bench_sweep import timed_run, workers_running

        panel = release_and_panel()
        print(
            f"{panel.n_rows:,}-row SYNTHETIC panel, {TREATIES} treaties, structural PPML, 2 workers, {os.cpu_count()} cores"
        )
        env = {**os.environ, "RAYON_NUM_THREADS": "1"}
        with workers_running([env, env]):
            timed_run(panel, [SPEC, SPEC])  # warm-up: each worker's forkserver starts
            singles, _ = timed_run(panel, [dict(SPEC, label=f"copy {k}") for k in range(DRAWS)])
            drawn, run = timed_run(panel, dict(SPEC, depth_uncertainty={"draws": DRAWS, "source": "irt", "seed": 1}))
        cell = run.results[0]["plausible_values"]["coefficients"]["depth_fta"]
        single = run.results[0]["coefficients"]["depth_fta"]
        print(f"  twenty single fits:           {singles:6.1f} s (baseline)")
        print(f"  {DRAWS} plausible values (+1 single): {drawn:6.1f} s, ratio {drawn / singles:4.2f} (goal <= 1.20)")
        print(
            f"  depth_fta single {single['estimate']:.4f} ({single['se']:.4f}); combined {cell['estimate']:.4f} "
            f"({cell['se']:.4f}), FMI {cell['fmi']:.3f}, B {cell['between']:.2e}, W {cell['within']:.2e}"
        )


if __name__ == "__main__":
    main()
