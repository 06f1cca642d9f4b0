"""Learning curve of the pre-coder on DESTA 2.1's labels (issue 24, item 5): does coding the
treaties the model is least sure of first teach it more than coding them in random order?

English DESTA-coded ToTA texts (bench/_precoder_corpus.py). A fixed held-out fifth of the texts
(grouped by text) is never trained on. From a random start of 20 treaties, each step adds
treaties from the pool, either those with the highest uncertainty (mean over the indicators of
1 - the probability of the most probable value, under the model of the previous step) or at
random; the mean kappa over the seven indicators (most probable value) on the held-out fifth is
recorded per training size. Repeated over SEEDS (a different held-out fifth and start each);
the plot shows the mean and the range, saved as docs/precoder_learning_curve.svg.

Run: .venv/bin/python bench/bench_precoder_learning_curve.py   (about 5 minutes)
"""

import time

import _precoder_corpus as corpus
import numpy as np

from coding.precoder.active import STRATEGIES, learning_curve
from coding.precoder.plots import learning_curve_plot

SIZES = (20, 40, 60, 90, 130, 180, 274)
SEEDS = (0, 1)


def main():
    if not corpus.available():
        print(f"skipped: {corpus.CROSSWALK} or {corpus.TOTA} not found")
        return
    data = corpus.load(languages=("en",))
    series = []
    for strategy in STRATEGIES:
        started = time.perf_counter()
        runs = [
            learning_curve(
                data.specs, data.treaties, data.labels, sizes=SIZES, strategy=strategy, groups=data.groups, seed=s
            )
            for s in SEEDS
        ]
        points = []
        for step in range(len(SIZES)):
            kappas = [run[step]["kappa"] for run in runs]
            points.append(
                {"n": runs[0][step]["n"], "kappa": float(np.mean(kappas)), "low": min(kappas), "high": max(kappas)}
            )
        n_test = runs[0][0]["n_test"]
        series.append((f"{strategy} order (held-out n={n_test}, {len(SEEDS)} seeds)", points))
        print(f"{strategy} ({time.perf_counter() - started:.0f} s):")
        for p in points:
            print(f"  n {p['n']:>4}  mean kappa {p['kappa']:.3f}  (range {p['low']:.3f}-{p['high']:.3f})")
    svg = learning_curve_plot(series, title="Pre-coder learning curve on DESTA 2.1 (English ToTA texts)")
    (corpus.ROOT / "docs/precoder_learning_curve.svg").write_bytes(svg)
    print("wrote docs/precoder_learning_curve.svg")


if __name__ == "__main__":
    main()
