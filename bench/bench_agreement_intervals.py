"""Agreement with intervals (issue 21): 450 treaties x 7 indicators x 3 coders, every coefficient's
analytic interval and a 2,000-replicate bootstrap over treaties, plus the depth score (interval
level), against the point estimates alone (reliability.indicator_summary) in the same process.
Goal: the intervals <= 2 s in total; the ratio to the point estimates is printed too.
Pure: no database (the matrices are built in memory, as agreement_report's selectors hand them over).

Run: .venv/bin/python bench/bench_agreement_intervals.py
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coding.pure import reliability
from coding.pure.agreement_intervals import uncertainty

TREATIES, CODERS, REPLICATES, GOAL = 450, 3, 2000, 2.0
# (level, codebook values) of 7 indicators like the DESTA TBT codebook: binary and 0..3 ordinal
INDICATORS = [("nominal", [0, 1])] * 4 + [("ordinal", [0, 1, 2, 3])] * 3


def matrices(seed=0):
    """Per indicator a treaties x coders matrix: each coder gives the true value with p = .85, else
    a random value; 3% of cells missing."""
    rng = np.random.default_rng(seed)
    out = []
    for level, values in INDICATORS:
        truth = rng.choice(values, size=TREATIES)
        codes = np.where(rng.random((TREATIES, CODERS)) < 0.85, truth[:, None], rng.choice(values, (TREATIES, CODERS)))
        codes = np.where(rng.random((TREATIES, CODERS)) < 0.03, np.nan, codes.astype(float))
        out.append((level, values, pd.DataFrame(codes, columns=[f"coder {i + 1}" for i in range(CODERS)])))
    return out


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    data = matrices()
    depth = sum(m for level, _, m in data[4:])  # an additive score of the ordinal indicators
    points, _ = timed(
        lambda: [reliability.indicator_summary(m, level=level, categories=values) for level, values, m in data]
    )
    intervals, results = timed(
        lambda: (
            [uncertainty(m, level=level, categories=values, replicates=REPLICATES, seed=0) for level, values, m in data]
            + [uncertainty(depth, level="interval", replicates=REPLICATES, seed=0)]
        )
    )
    print(
        f"{TREATIES} treaties x {len(INDICATORS)} indicators x {CODERS} coders (+ the depth score), "
        f"{REPLICATES} bootstrap replicates"
    )
    print(f"point estimates alone (indicator_summary):      {points:6.3f} s")
    print(
        f"intervals (analytic + bootstrap, 8 matrices):   {intervals:6.3f} s   goal <= {GOAL:.1f} s: "
        f"{'met' if intervals <= GOAL else 'MISSED'}"
    )
    print(f"ratio intervals / point estimates:              {intervals / points:6.2f}")
    alpha = results[0]["uncertainty"]["krippendorff_alpha"]
    print(
        f"e.g. indicator 1: alpha {results[0]['estimates']['krippendorff_alpha']:.3f}, analytic "
        f"[{alpha['ci'][0]:.3f}, {alpha['ci'][1]:.3f}], bootstrap [{alpha['bootstrap_ci'][0]:.3f}, "
        f"{alpha['bootstrap_ci'][1]:.3f}]"
    )


if __name__ == "__main__":
    main()
