"""A seeded simulator of a structural gravity panel, clearly synthetic, for demos and tests.
Pure (analysis/pure): numbers in, a DataFrame out; no Django.

trade_ijt ~ Poisson(exp(a_it + m_jt + p_ij + beta * rta_ijt + e_ijt)), with exporter-year effects a_it,
importer-year effects m_jt, pair effects p_ij (falling with log distance) and RTAs that switch on
at random years for a random third of pairs, and lognormal noise e_ijt. Structural PPML (exporter-year, importer-year and
pair effects) recovers beta; this is what the demo shows in its first minutes.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

TRUE_BETA = 0.40


def simulate(
    countries: int = 30,
    years: Iterable[int] = range(2000, 2016, 2),
    beta: float = TRUE_BETA,
    seed: int = 2024,
    scale: float = 8.0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    iso = np.array([f"S{index:03d}" for index in range(countries)])
    year_values = np.array(list(years))
    size = rng.normal(size=countries)
    position = rng.uniform(0, 10_000, size=(countries, 2))
    i, j = np.meshgrid(np.arange(countries), np.arange(countries), indexing="ij")
    off_diagonal = i != j
    i, j = i[off_diagonal], j[off_diagonal]
    n_pairs = len(i)
    distance = np.hypot(*(position[i] - position[j]).T) + 50
    pair_effect = -0.9 * np.log(distance) + rng.normal(scale=0.3, size=n_pairs)
    has_rta = rng.uniform(size=n_pairs) < 0.33
    start = np.where(has_rta, rng.choice(year_values, size=n_pairs), year_values.max() + 1)
    T = len(year_values)
    frame = pd.DataFrame(
        {
            "exporter": np.repeat(iso[i], T),
            "importer": np.repeat(iso[j], T),
            "year": np.tile(year_values, n_pairs),
            "dist": np.repeat(distance, T),
        }
    )
    t = np.tile(np.arange(T), n_pairs)
    frame["rta"] = (frame["year"].to_numpy() >= np.repeat(start, T)).astype(int)
    log_mean = (
        scale
        + np.repeat(size[i], T)
        + 0.02 * t
        - 0.5 * np.repeat(size[j], T)
        + 0.01 * t
        + np.repeat(pair_effect, T)
        + beta * frame["rta"].to_numpy()
    )
    # Multiplicative noise (sd 0.3 in logs), so standard errors look like those of real trade data.
    noise = rng.normal(scale=0.3, size=len(frame))
    frame["trade"] = rng.poisson(np.exp(log_mean + noise) * 1000) / 1000.0
    frame["pair_id"] = frame["exporter"] + "_" + frame["importer"]
    frame["ln_dist"] = np.log(frame["dist"])
    return frame[["exporter", "importer", "year", "pair_id", "trade", "rta", "dist", "ln_dist"]]


def simulate_exports(
    reporters: Iterable[str],
    partners: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 2024,
    missing: float = 0.15,
    codes: Sequence[str] = ("7764", "0111", "542", "792"),
) -> pd.DataFrame:
    """Clearly synthetic UN Comtrade-style exports (reporter, partner, year, commodity, value) for
    demos, tests and benchmarks: a lognormal value per flow and SITC code, with a share `missing`
    of the pair-years not reported at all, so that a zero-filled panel has zeros to add."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, int, str, float]] = []
    for reporter in reporters:
        for partner in partners:
            if partner == reporter:
                continue
            level = rng.normal(18, 1.5)
            for year in years:
                if rng.uniform() < missing:
                    continue
                rows += [
                    (reporter, partner, int(year), code, float(np.exp(level + rng.normal(0, 0.5)))) for code in codes
                ]
    return pd.DataFrame(rows, columns=["reporter", "partner", "year", "commodity", "value"])


DEMO_YEARS = range(1986, 2007)  # every year, so one-year lags exist, and the Yotov presets' years within


def demo_panel(seed: int = 2024, countries: int = 30) -> pd.DataFrame:
    """The demo's SYNTHETIC panel: `simulate` over every year 1986-2006 plus synthetic columns
    named like every preset's (analysis/pure/presets.py), so that each preset runs on a fresh
    `make up`: the study's (exports, hightech_exports, fta, depth, depth_fta, GDPs, the importer's
    TBT stock, exporter_group, the one-year lags) and Yotov's pair covariates (cntg, lang, clny).
    Only trade's RTA effect (TRUE_BETA) is built into the flows; the other columns are noise with
    the shape of the real ones (pair-level dummies symmetric, GDP per country-year, the TBT stock
    per importer-year, growing), so their coefficients estimate nothing real."""
    from .panel_builder import STUDY_LAGS, add_lags, depth_x_fta  # the builder's own lags

    frame = simulate(countries=countries, years=DEMO_YEARS, seed=seed)
    rng = np.random.default_rng(seed + 1)
    iso = np.array(sorted(set(frame["exporter"])))
    exporter = np.searchsorted(iso, frame["exporter"].to_numpy())
    importer = np.searchsorted(iso, frame["importer"].to_numpy())
    # One draw per unordered pair, so contiguity, language and colony are symmetric.
    pair_draws = rng.uniform(size=(len(iso), len(iso), 4))
    draws = pair_draws[np.minimum(exporter, importer), np.maximum(exporter, importer)]
    frame["cntg"] = (draws[:, 0] < 0.10).astype(int)
    frame["lang"] = (draws[:, 1] < 0.25).astype(int)
    frame["clny"] = (draws[:, 2] < 0.05).astype(int)
    frame["exports"] = frame["trade"]
    frame["hightech_exports"] = frame["trade"] * rng.uniform(0.05, 0.30, size=len(frame))
    frame["fta"] = frame["rta"]
    frame["depth"] = np.where(frame["fta"] == 1, np.floor(draws[:, 3] * 6) + 1, np.nan)
    frame["depth_fta"] = depth_x_fta(frame["fta"], frame["depth"])
    t = (frame["year"] - min(DEMO_YEARS)).to_numpy()
    level, growth = rng.normal(25, 1.5, size=len(iso)), rng.normal(0.03, 0.01, size=len(iso))
    frame["ln_gdp_i"] = level[exporter] + growth[exporter] * t
    frame["ln_gdp_j"] = level[importer] + growth[importer] * t
    frame["gdp_i"], frame["gdp_j"] = np.exp(frame["ln_gdp_i"]), np.exp(frame["ln_gdp_j"])
    start, step = rng.integers(0, 20, size=len(iso)), rng.integers(1, 6, size=len(iso))
    frame["tbt_stock_j"] = (start[importer] + step[importer] * t).astype(float)
    frame["ln_tbt_j"] = np.log1p(frame["tbt_stock_j"])
    frame["exporter_group"] = np.where(exporter < len(iso) // 3, "developed", "developing")
    return add_lags(frame, STUDY_LAGS)
