"""A seeded simulator of a structural gravity panel, clearly synthetic, for demos and tests.
Pure (analysis/pure): numbers in, a DataFrame out; no Django.

trade_ijt ~ Poisson(exp(a_it + m_jt + p_ij + beta * rta_ijt + e_ijt)), with exporter-year effects a_it,
importer-year effects m_jt, pair effects p_ij (falling with log distance) and RTAs that switch on
at random years for a random third of pairs, and lognormal noise e_ijt. Structural PPML (exporter-year, importer-year and
pair effects) recovers beta; this is what the demo shows in its first minutes.
"""
import numpy as np
import pandas as pd

TRUE_BETA = 0.40


def simulate(countries=30, years=range(2000, 2016, 2), beta=TRUE_BETA, seed=2024, scale=8.0):
    rng = np.random.default_rng(seed)
    iso = np.array([f"S{index:03d}" for index in range(countries)])
    years = np.array(list(years))
    size = rng.normal(size=countries)
    position = rng.uniform(0, 10_000, size=(countries, 2))
    i, j = np.meshgrid(np.arange(countries), np.arange(countries), indexing="ij")
    off_diagonal = i != j
    i, j = i[off_diagonal], j[off_diagonal]
    n_pairs = len(i)
    distance = np.hypot(*(position[i] - position[j]).T) + 50
    pair_effect = -0.9 * np.log(distance) + rng.normal(scale=0.3, size=n_pairs)
    has_rta = rng.uniform(size=n_pairs) < 0.33
    start = np.where(has_rta, rng.choice(years, size=n_pairs), years.max() + 1)
    T = len(years)
    frame = pd.DataFrame({
        "exporter": np.repeat(iso[i], T), "importer": np.repeat(iso[j], T), "year": np.tile(years, n_pairs),
        "dist": np.repeat(distance, T),
    })
    t = np.tile(np.arange(T), n_pairs)
    frame["rta"] = (frame["year"].to_numpy() >= np.repeat(start, T)).astype(int)
    log_mean = (scale + np.repeat(size[i], T) + 0.02 * t - 0.5 * np.repeat(size[j], T) + 0.01 * t
                + np.repeat(pair_effect, T) + beta * frame["rta"].to_numpy())
    # Multiplicative noise (sd 0.3 in logs), so standard errors look like those of real trade data.
    noise = rng.normal(scale=0.3, size=len(frame))
    frame["trade"] = rng.poisson(np.exp(log_mean + noise) * 1000) / 1000.0
    frame["pair_id"] = frame["exporter"] + "_" + frame["importer"]
    frame["ln_dist"] = np.log(frame["dist"])
    return frame[["exporter", "importer", "year", "pair_id", "trade", "rta", "dist", "ln_dist"]]


def simulate_exports(reporters, partners, years, *, seed=2024, missing=0.15, codes=("7764", "0111", "542", "792")):
    """Clearly synthetic UN Comtrade-style exports (reporter, partner, year, commodity, value) for
    demos, tests and benchmarks: a lognormal value per flow and SITC code, with a share `missing`
    of the pair-years not reported at all, so that a zero-filled panel has zeros to add."""
    rng = np.random.default_rng(seed)
    rows = []
    for reporter in reporters:
        for partner in partners:
            if partner == reporter:
                continue
            level = rng.normal(18, 1.5)
            for year in years:
                if rng.uniform() < missing:
                    continue
                rows += [(reporter, partner, int(year), code, float(np.exp(level + rng.normal(0, 0.5)))) for code in codes]
    return pd.DataFrame(rows, columns=["reporter", "partner", "year", "commodity", "value"])
