"""Monte Carlo of Weidner & Zylkin's bias correction of three-way PPML (ppml_bias.py).

DGP. Weidner & Zylkin (2021, arXiv 1909.01327) evaluate the correction by simulation, but the
text of their simulation section was not retrievable here (only the paper's abstract and the
ppml_fe_bias sources were), so these designs are not theirs: they follow the conditions under
which the incidental-parameter bias is large, a persistent regressor correlated with every set
of fixed effects, in few years, and either small counts or a variance growing with the squared
mean. N countries, T years, all ordered pairs i != j, beta = 1, a, g, h ~ N(0, 0.5^2), z an AR(1)
within the pair (rho 0.8, variance 1):
  --noise poisson (default; small counts, the bias is large):
    x_ijt = 0.5 (a_it + g_jt) + h_ij + z_ijt;  y_ijt ~ Poisson(0.2 exp(beta x_ijt + a_it + g_jt + h_ij))
  --noise exponential (Var(y | lambda) = lambda^2; here the analytic bias is small):
    x_ijt = 0.5 (a_it + g_jt) + 0.5 h_ij + z_ijt;  y_ijt = exp(beta x_ijt + a_it + g_jt + h_ij) w,
    w ~ Gamma(1, 1)
Each replication fits `y ~ x | exporter^year + importer^year + pair_id` with pyfixest and corrects
it. Reported per N: the mean bias of the uncorrected and corrected estimates with their Monte
Carlo standard errors (sd / sqrt(reps)), the mean estimated bias, the sd of the estimates against
the mean pair-clustered SE (G/(G-1) only) and the mean adjusted SE, and the coverage of 95%
intervals (uncorrected with clustered SE; corrected with adjusted SE), with its binomial MC se.
The analytic bias is of order 1/N: N x (mean bias) should settle as N grows.

    PYTHONPATH=. .venv/bin/python bench/bench_ppml_bias.py --noise poisson --countries 20 40 --years 3 --reps 600 250
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    # One BLAS thread: the dense pseudo-inverses are small, and threads on a shared machine thrash.
    os.environ.setdefault(_variable, "1")

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf

from analysis.pure.estimators import ppml_bias

BETA = 1.0
EFFECT_SD = 0.5
PERSISTENCE = 0.8
Z95 = 1.959964
POISSON_SCALE = 0.2  # mean counts well below 1 in most pair-years: the bias is large


def panel(rng: np.random.Generator, countries: int, years: int, noise: str) -> pd.DataFrame:
    pairs = np.array([(i, j) for i in range(countries) for j in range(countries) if i != j])
    exporter, importer = np.repeat(pairs[:, 0], years), np.repeat(pairs[:, 1], years)
    year = np.tile(np.arange(years), len(pairs))
    a, g = rng.normal(0, EFFECT_SD, (countries, years)), rng.normal(0, EFFECT_SD, (countries, years))
    h = rng.normal(0, EFFECT_SD, (countries, countries))
    z = np.empty((len(pairs), years))
    z[:, 0] = rng.normal(size=len(pairs))
    for t in range(1, years):
        z[:, t] = PERSISTENCE * z[:, t - 1] + np.sqrt(1 - PERSISTENCE**2) * rng.normal(size=len(pairs))
    time_effects, pair_effect = a[exporter, year] + g[importer, year], h[exporter, importer]
    if noise == "poisson":
        x = 0.5 * time_effects + pair_effect + z.reshape(-1)
        y = rng.poisson(POISSON_SCALE * np.exp(BETA * x + time_effects + pair_effect)).astype(float)
    else:
        x = 0.5 * time_effects + 0.5 * pair_effect + z.reshape(-1)
        y = np.exp(BETA * x + time_effects + pair_effect) * rng.gamma(1.0, 1.0, len(x))
    return pd.DataFrame(
        {
            "exporter": exporter,
            "importer": importer,
            "year": year,
            "pair_id": exporter * 1000 + importer,
            "x": x,
            "y": y,
        }
    )


def one(
    rng: np.random.Generator, countries: int, years: int, noise: str
) -> tuple[float, float, float, float, float] | None:
    """(estimate, clustered SE, corrected estimate, adjusted SE, estimated bias) of one replication;
    None when pyfixest cannot fit the draw (counted and reported, never silently dropped)."""
    df = panel(rng, countries, years, noise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = pf.fepois(
                "y ~ x | exporter^year + importer^year + pair_id",
                data=df,
                vcov={"CRV1": "pair_id"},
                ssc=pf.ssc(k_adj=False, G_adj=True),
                fixef_tol=1e-10,
            )
        except ValueError:
            return None
    used = model._data
    c = ppml_bias.bias_correction(
        outcome=used.y.to_numpy(float),
        regressors=used[["x"]].to_numpy(float),
        fitted=model._Y_hat_response,
        coefficients=model._beta_hat,
        exporter=used.exporter,
        importer=used.importer,
        time=used.year,
        names=["x"],
        three_way=True,
    )
    assert c.se_adjusted is not None
    return (
        float(c.estimate[0]),
        float(c.se_original[0]),
        float(c.corrected[0]),
        float(c.se_adjusted[0]),
        float(c.bias[0]),
    )


def report(countries: int, years: int, draws: np.ndarray, seconds: float) -> str:
    estimate, se, corrected, se_adjusted, bias = draws.T
    reps = len(estimate)

    def mean_bias(values: np.ndarray) -> str:
        return f"{np.mean(values) - BETA:+.4f} (MC se {np.std(values, ddof=1) / np.sqrt(reps):.4f})"

    def coverage(values: np.ndarray, ses: np.ndarray) -> str:
        share = float(np.mean(np.abs(values - BETA) <= Z95 * ses))
        return f"{share:.3f} (MC se {np.sqrt(share * (1 - share) / reps):.3f})"

    return "\n".join(
        [
            f"N={countries} T={years} reps={reps} ({seconds:.0f} s)",
            f"  mean bias: uncorrected {mean_bias(estimate)}, corrected {mean_bias(corrected)}",
            f"  mean estimated bias {np.mean(bias):+.4f} (sd {np.std(bias, ddof=1):.4f}); "
            f"N x uncorrected mean bias {countries * (np.mean(estimate) - BETA):+.3f}",
            f"  sd of estimates: uncorrected {np.std(estimate, ddof=1):.4f}, corrected {np.std(corrected, ddof=1):.4f}; "
            f"mean SE: pair-clustered {np.mean(se):.4f}, adjusted {np.mean(se_adjusted):.4f}",
            f"  95% coverage: uncorrected + clustered SE {coverage(estimate, se)}, "
            f"corrected + adjusted SE {coverage(corrected, se_adjusted)}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noise", choices=["poisson", "exponential"], default="poisson")
    parser.add_argument("--countries", type=int, nargs="+", default=[20, 40])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--reps", type=int, nargs="+", default=[600, 250], help="one per --countries (or one for all)")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    reps = args.reps * len(args.countries) if len(args.reps) == 1 else args.reps
    if len(reps) != len(args.countries):
        parser.error("--reps takes one number or one per --countries")
    for countries, count in zip(args.countries, reps, strict=True):
        rng = np.random.default_rng([args.seed, countries, args.years])
        started = time.perf_counter()
        outcomes = [one(rng, countries, args.years, args.noise) for _ in range(count)]
        draws = np.array([outcome for outcome in outcomes if outcome is not None])
        failed = f"; {count - len(draws)} of {count} draws not fitted" if len(draws) < count else ""
        print(args.noise, report(countries, args.years, draws, time.perf_counter() - started) + failed, flush=True)


if __name__ == "__main__":
    main()
