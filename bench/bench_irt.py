"""Latent depth (issue 23, item 1): the Rasch / partial credit fit of analysis/pure/irt.py on 800
simulated treaties x 7 indicators (six binary, one coded 0-3 like tbt_harmon; 3% of answers
missing), timed from the codes to every treaty's EAP and posterior SD, item standard errors
included. Goal: <= 5 s. The recovered parameters are printed beside the true ones.
Pure: no database.

Run: .venv/bin/python bench/bench_irt.py
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.pure import irt

TREATIES, GOAL, REPEATS = 800, 5.0, 5
SLOPE = 1.2
DIFFICULTIES = [-1.5, -0.8, -0.2, 0.3, 0.9, 1.6]
HARMON = [-0.6, 0.4, 1.3]


def codes(seed=0):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(TREATIES)
    frame = {}
    for j, difficulty in enumerate(DIFFICULTIES):
        frame[f"item{j + 1}"] = (rng.random(TREATIES) < 1 / (1 + np.exp(-(SLOPE * theta - difficulty)))).astype(float)
    probabilities = np.exp(irt.category_log_probabilities(theta, SLOPE, np.array(HARMON)))
    frame["harmon"] = (rng.random(TREATIES)[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1).astype(float)
    table = pd.DataFrame(frame)
    table = table.mask(rng.random(table.shape) < 0.03)
    return table, theta


def main():
    table, theta = codes()
    ranges = {**dict.fromkeys(table.columns, (0, 1)), "harmon": (0, 3)}
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fitted = irt.fit(table, ranges)
        times.append(time.perf_counter() - start)
    print(f"{TREATIES} treaties x {table.shape[1]} indicators, {int(table.notna().sum().sum())} answers")
    print(f"fit + EAP + SEs: median {statistics.median(times):.3f} s, max {max(times):.3f} s over {REPEATS} runs")
    print(f"converged {fitted.converged} in {fitted.iterations} iterations, log-likelihood {fitted.log_likelihood:.2f}")
    print(f"slope {fitted.slope:.3f} (SE {fitted.slope_se:.3f}; true {SLOPE})")
    truth = [[d] for d in DIFFICULTIES] + [HARMON]
    for item, true in zip(fitted.items, truth, strict=True):
        shown = ", ".join(f"{t:.2f} ({s:.2f})" for t, s in zip(item.thresholds, item.threshold_ses, strict=True))
        print(f"  {item.code}: {shown}; true {', '.join(f'{t:.2f}' for t in true)}")
    print(
        f"corr(EAP, true depth) {np.corrcoef(fitted.eap, theta)[0, 1]:.3f}; mean posterior SD "
        f"{fitted.posterior_sd.mean():.3f}; marginal reliability {fitted.marginal_reliability:.3f}"
    )
    verdict = "within" if max(times) <= GOAL else "OVER"
    print(f"goal <= {GOAL:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
