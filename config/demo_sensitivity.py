"""The demo's sensitivity run (called by config/demo.py: demo_load): the study's codes and DESTA
2.1's, on common support, fitted with the study's Table 9 preset, so the sensitivity page shows a
finished run on a fresh `make up`.

Inputs: exports are always SYNTHETIC (no Comtrade extract ships with the data; fixed seed);
GDP, distances and TBT notifications are the real files of ../shared/data/macro when present,
else SYNTHETIC too (fixed seed; their file names say so). The run is fitted here, synchronously,
because the demo cannot count on a worker being up when it loads; a second load finds it and
does nothing."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
from django.conf import settings

from analysis.models import SensitivityRun
from analysis.pure.presets import specs_from
from analysis.pure.simulate import simulate_exports
from analysis.services.sensitivity import sensitivity_run_create, sensitivity_run_execute
from coding.models import Coding
from coding.selectors.codebooks import codebook_version_get

DEMO_SENSITIVITY = "demo: the study vs DESTA 2.1 (Table 9, common support)"
SOURCES = ["the study", "DESTA 2.1"]
# China and its FTA partners in the study's Table 6, and three large partners without an FTA.
REPORTERS = ["CHN", "KOR", "AUS", "NZL", "SGP", "CHL"]
PARTNERS = ["CHN", "KOR", "AUS", "CHE", "PER", "CHL", "NZL", "SGP", "PAK", "ISL", "CRI", "GEO", "USA", "DEU", "JPN"]
YEARS = range(2004, 2020)
REAL = {"gdp": "wdi_gdp_current_usd.csv", "dist": "dist_cepii.csv", "tbt": "eping_tbt_notifications_subset.csv"}


def synthetic_inputs(folder, *, seed=2024):
    """SYNTHETIC GDP (WDI long shape), distances (CEPII shape) and TBT notifications for the demo's
    countries: level and growth per country, positions on a plane, a steady flow of notifications.
    Shaped like the real files; their values estimate nothing."""
    rng = np.random.default_rng(seed)
    countries = sorted(set(REPORTERS) | set(PARTNERS))
    level, growth = rng.normal(26, 1.2, len(countries)), rng.normal(0.04, 0.015, len(countries))
    gdp = pd.DataFrame(
        [
            (c, year, float(np.exp(level[k] + growth[k] * (year - min(YEARS)))))
            for k, c in enumerate(countries)
            for year in YEARS
        ],
        columns=["Country Code", "Year", "Value"],
    )
    position = {c: rng.uniform(0, 15_000, 2) for c in countries}
    dist = pd.DataFrame(
        [(i, j, float(np.hypot(*(position[i] - position[j])) + 200.0)) for i in countries for j in countries if i != j],
        columns=["iso_o", "iso_d", "dist"],
    )
    tbt = pd.DataFrame(
        [
            (pycountry.countries.get(alpha_3=c).name, f"{year}-{1 + n % 12:02d}-15")
            for c in countries
            for year in YEARS
            for n in range(int(rng.integers(0, 12)))
        ],
        columns=["notifying_member", "date_of_distribution"],
    )
    paths = {}
    for kind, frame in {"gdp": gdp, "dist": dist, "tbt": tbt}.items():
        paths[kind] = Path(folder) / f"SYNTHETIC_demo_{kind}.csv"
        frame.to_csv(paths[kind], index=False)
    return paths


def demo_sensitivity_create(*, log=print):
    """The demo's finished sensitivity run (once); nothing when a source has no codes."""
    version = codebook_version_get(code="desta-tbt")
    if SensitivityRun.objects.filter(name=DEMO_SENSITIVITY).exists():
        return None
    coded = set(
        Coding.objects.filter(version=version, coder__username__in=SOURCES).values_list("coder__username", flat=True)
    )
    if coded != set(SOURCES):
        return None
    with tempfile.TemporaryDirectory(prefix="sensitivity-") as folder:
        exports = Path(folder) / "SYNTHETIC_demo_exports.csv"
        simulate_exports(REPORTERS, PARTNERS, YEARS, seed=5).to_csv(exports, index=False)
        macro = settings.SHARED_DIR / "data" / "macro"
        real = {kind: macro / name for kind, name in REAL.items()}
        files = real if all(path.exists() for path in real.values()) else synthetic_inputs(folder)
        sensitivity = sensitivity_run_create(
            version=version,
            sources=SOURCES,
            files={"exports": exports, **files},
            specs=specs_from(preset_name="study-table9"),
            name=DEMO_SENSITIVITY,
            dispatch=False,
        )
        sensitivity_run_execute(sensitivity=sensitivity)
    where = "real GDP, distances and TBT notifications" if files is real else "SYNTHETIC GDP, distances and TBT"
    log(f"Sensitivity: run {sensitivity.pk} ({', '.join(SOURCES)}; SYNTHETIC exports, {where}), fitted.")
    return sensitivity
