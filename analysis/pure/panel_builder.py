"""Build the pair-year trade panel. Pure (analysis/pure): pandas and pycountry only, no Django.

Inputs are plain DataFrames: exports in UN Comtrade style, GDP (World Bank WDI, long or wide),
CEPII distances, WTO TBT notifications, and the dyadic rows of a dataset release. The output has
one row per exporter, importer and year with the study's variables, ready for analysis/pure/gravity.py.
"""

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import bounds, country_codes, merge_checks
from .panel_inputs import (  # the builder's API includes reading its inputs
    DIST_COLUMN,
    distances,
    gdp_long,
    require_columns,
    tbt_stock,
)

# The study's Table 7: high-tech products by SITC Rev. 3 code prefix.
HIGHTECH_SITC3 = ("792", "71319", "54", "76", "77", "74183", "872", "75")
# A default, editable list of developed economies (high-income OECD members); users pass their own.
DEVELOPED = frozenset(
    "AUS AUT BEL CAN CHE CZE DEU DNK ESP EST FIN FRA GBR GRC IRL ISL ISR ITA JPN KOR LUX NLD NOR NZL "
    "POL PRT SGP SVK SVN SWE USA".split()
)


# One error for everything a panel cannot be built from; merge_checks raises it too.
PanelInputError = merge_checks.InputError
MergeCheckError = merge_checks.MergeCheckError
Names = Mapping[str, str] | None  # {input: file name} for error messages
# Lags or leads: {variable: k or [k, ...]}, [(variable, k), ...] or "VAR:K,VAR:K".
Shifts = dict[str, Any] | Iterable[tuple[str, int]] | str | None


def aggregate_exports(exports: pd.DataFrame, prefixes: Iterable[str] = HIGHTECH_SITC3) -> pd.DataFrame:
    """reporter, partner, year, commodity (SITC Rev. 3 code), value -> exporter, importer, year,
    exports (all products) and hightech_exports (codes starting with one of `prefixes`)."""
    require_columns(exports, ["reporter", "partner", "year", "commodity", "value"], "exports")
    frame = exports.assign(commodity=exports["commodity"].astype(str).str.strip())
    bad = pd.to_numeric(frame["value"], errors="coerce").isna() & frame["value"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PanelInputError(f"exports: value {frame['value'].iloc[row]!r} on data row {row + 1} is not a number")
    frame["value"] = pd.to_numeric(frame["value"])
    frame["hightech"] = frame["commodity"].str.startswith(tuple(prefixes)) * frame["value"]
    out = frame.groupby(["reporter", "partner", "year"], as_index=False).agg(
        exports=("value", "sum"), hightech_exports=("hightech", "sum")
    )
    return out.rename(columns={"reporter": "exporter", "partner": "importer"})


def dyads_in_force(pairs: pd.DataFrame, dyads: pd.DataFrame) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(positions in `pairs`, positions in `dyads`): each pair-year row with each agreement in force
    on it (from its entry-into-force year). Plausible values of depth reuse it draw after draw."""
    require_columns(dyads, ["iso3_i", "iso3_j", "year", "depth"], "release dyads")
    agreements = (
        dyads.reset_index(drop=True)
        .reset_index(names="dyad")
        .dropna(subset=["year"])
        .rename(columns={"iso3_i": "exporter", "iso3_j": "importer", "year": "eif"})
    )
    merged = (
        pairs[["exporter", "importer", "year"]]
        .reset_index(drop=True)
        .reset_index(names="position")
        .merge(agreements[["exporter", "importer", "eif", "dyad"]], on=["exporter", "importer"])
    )
    in_force = merged[merged["year"] >= merged["eif"]]
    return in_force["position"].to_numpy(dtype=np.int64), in_force["dyad"].to_numpy(dtype=np.int64)


def deepest_in_force(
    n_rows: int, positions: npt.NDArray[np.int64], depths: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Per row, the deepest agreement in force (`depths[k]` on row `positions[k]`); NaN where none with a depth is."""
    deepest = np.full(n_rows, np.nan)
    known = ~np.isnan(depths)
    np.fmax.at(deepest, positions[known], depths[known])
    return deepest


def fta_from_dyads(pairs: pd.DataFrame, dyads: pd.DataFrame) -> "tuple[pd.Series[int], pd.Series[float]]":
    """For each (exporter, importer, year): fta = 1 from the entry-into-force year of an agreement
    between them; depth = the deepest agreement in force (NaN before any is in force)."""
    positions, which = dyads_in_force(pairs, dyads)
    fta = np.isin(np.arange(len(pairs)), positions).astype(np.int64)
    depth = deepest_in_force(len(pairs), positions, dyads["depth"].to_numpy(dtype=np.float64, na_value=np.nan)[which])
    return pd.Series(fta, index=pairs.index, name="fta"), pd.Series(depth, index=pairs.index, name="depth")


# Variables that belong to one member, not to the pair: their lag is the member's value in year
# t-k whichever pair carries it (the importer's TBT stock is known for 2001 even when this pair
# has no 2001 row).
MEMBER_LEVEL = {
    "tbt_stock_j": "importer",
    "ln_tbt_j": "importer",
    "gdp_j": "importer",
    "ln_gdp_j": "importer",
    "gdp_i": "exporter",
    "ln_gdp_i": "exporter",
    "exporter_group": "exporter",
}
# What the study's presets need (analysis/pure/presets.py, "study-robustness"): FTA, Depth x FTA and
# the importer's TBT stock lagged one year.
STUDY_LAGS = (("fta", 1), ("depth_fta", 1), ("ln_tbt_j", 1))


def parse_shifts(text: str | None) -> list[tuple[str, int]]:
    """'fta:1,ln_tbt_j:2' -> [("fta", 1), ("ln_tbt_j", 2)]; K is a number of years (>= 1)."""
    shifts = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        variable, sep, k = item.rpartition(":")
        k = k.strip()
        if (
            not sep
            or not variable.strip()
            or not (k.isascii() and k.isdecimal() and len(k) <= 3)
            or not 1 <= int(k) <= bounds.MAX_LAG
        ):
            raise PanelInputError(
                f"lags and leads are VAR:K with K a whole number of years from 1 to {bounds.MAX_LAG}, not {item[:60]!r}"
            )
        shifts.append((variable.strip(), int(k)))
    return shifts


def _normalise_shifts(shifts: Shifts) -> list[tuple[str, int]]:
    """A mapping {variable: k or [k, ...]}, pairs (variable, k), or a 'VAR:K,...' string."""
    if not shifts:
        return []
    if isinstance(shifts, str):
        return parse_shifts(shifts)
    items = shifts.items() if isinstance(shifts, dict) else shifts
    out: list[tuple[str, int]] = []
    for variable, ks in items:
        for k in ks if isinstance(ks, (list, tuple, set, range)) else [ks]:
            try:
                k = bounds.lag_in_range(k, variable)
            except bounds.BoundsError:
                raise PanelInputError(
                    f"{variable}: a lag or lead is a whole number of years from 1 to {bounds.MAX_LAG}, not {k!r:.40}"
                ) from None
            if (variable, int(k)) not in out:
                out.append((variable, int(k)))
    return out


def add_lags(
    panel: pd.DataFrame,
    lags: Shifts = STUDY_LAGS,
    leads: Shifts = (),
    *,
    member_level: Mapping[str, str] = MEMBER_LEVEL,
) -> pd.DataFrame:
    """Add `{var}_lag{k}` (the value of year t-k) and `{var}_lead{k}` (year t+k) for any variable.

    The shift is by calendar year, not by row: the value is taken from the same pair (or, for the
    variables in `member_level`, the same exporter or importer) in year t-k, and is missing when
    that year is not in the panel, so gapped years never borrow a neighbouring year's value.
    `lags` and `leads`: {variable: k or [k, ...]}, [(variable, k), ...] or "VAR:K,VAR:K"."""
    require_columns(panel, ["exporter", "importer", "year"], "panel")
    shifts = [(v, k, f"{v}_lag{k}") for v, k in _normalise_shifts(lags)]
    shifts += [(v, -k, f"{v}_lead{k}") for v, k in _normalise_shifts(leads)]
    require_columns(panel, sorted({v for v, _, _ in shifts}), "lags and leads")
    clashes = [name for _, _, name in shifts if name in panel.columns]
    if clashes:
        raise PanelInputError(f"lags and leads: {', '.join(clashes)} already in the panel")
    panel = panel.reset_index(drop=True)
    years = pd.to_numeric(panel["year"], errors="coerce")
    if years.isna().any() or (years != years.round()).any():
        raise PanelInputError("panel: year must be a whole number on every row")
    for variable, offset, name in shifts:
        keys = [member_level[variable]] if variable in member_level else ["exporter", "importer"]
        values = panel[[*keys, "year", variable]].drop_duplicates()
        repeated = values.duplicated([*keys, "year"])
        if repeated.any():
            first = values[repeated].iloc[0]
            raise PanelInputError(
                f"{variable}: more than one value for {', '.join(str(first[k]) for k in keys)} in "
                f"{first['year']}; cannot take its lag or lead"
            )
        values = values.assign(year=values["year"] + offset).rename(columns={variable: name})
        # A left merge keeps the panel's rows and their order.
        panel = panel.merge(values, on=[*keys, "year"], how="left", validate="many_to_one")
    return panel


def depth_x_fta(fta: "pd.Series[int]", depth: "pd.Series[float]") -> "pd.Series[float]":
    """Depth x FTA: 0 where no agreement is in force, the depth where one is, and missing (NaN)
    where one is in force but its depth is unknown: missing is missing, not 0."""
    return pd.Series(np.where(fta.to_numpy() == 1, depth.to_numpy(dtype=float), 0.0), index=fta.index)


class Prepared(NamedTuple):
    """What every panel built from the same inputs shares, whichever release gives its FTA and
    depth: the pair-year rows with trade, GDP, distance and TBT stock, and what the build found."""

    base: pd.DataFrame
    zeros_added: int
    checks: merge_checks.Findings
    dist_column: str


def trade_grid(
    trade: pd.DataFrame, countries: Iterable[str], years: Iterable[int], *, domestic: bool = False
) -> pd.DataFrame:
    """The full exporter x importer x year grid of `countries` and `years`: the flows of `trade`
    where reported (reported = 1), 0 where not (reported = 0). Domestic pairs only if asked."""
    codes = np.array(sorted(countries), dtype=object)
    years = np.array(sorted(years))
    i, j = np.meshgrid(np.arange(len(codes)), np.arange(len(codes)), indexing="ij")
    keep = np.ones(i.shape, dtype=bool) if domestic else i != j
    i, j = i[keep], j[keep]
    grid = pd.DataFrame(
        {
            "exporter": np.repeat(codes[i], len(years)),
            "importer": np.repeat(codes[j], len(years)),
            "year": np.tile(years, len(i)),
        }
    )
    grid = grid.merge(trade.assign(reported=1), on=["exporter", "importer", "year"], how="left", validate="one_to_one")
    grid["reported"] = grid["reported"].fillna(0).astype(int)
    grid[["exports", "hightech_exports"]] = grid[["exports", "hightech_exports"]].fillna(0.0)
    return grid


def prepare_inputs(
    *,
    exports: pd.DataFrame,
    gdp: pd.DataFrame,
    dist: pd.DataFrame,
    notifications: pd.DataFrame | None = None,
    developed: Iterable[str] = DEVELOPED,
    dist_column: str = DIST_COLUMN,
    zeros: bool = True,
    domestic: bool = False,
    strict: bool = False,
    names: Names = None,
) -> Prepared:
    """Check the inputs and build the rows every panel of this sample shares (see Prepared).

    `zeros` (default): the full exporter x importer x year grid of the sample (the countries that
    appear as reporters or partners, the years present), exports 0 where no flow is reported and
    `reported` saying which rows were; PPML uses the zeros. `zeros=False`: the reported flows only
    (for OLS on logs; lags are then missing after a gap). `domestic`: keep exporter == importer.
    `strict`: merge-check findings are errors. `names`: {input: file name} for error messages."""
    require_columns(exports, ["reporter", "partner", "year", "commodity", "value"], "exports")
    merge_checks.check_numbers(
        exports=exports, gdp=gdp, dist=dist, notifications=notifications, dist_column=dist_column, names=names
    )
    check_bounds(exports=exports, gdp=gdp, dist=dist, dist_column=dist_column, names=names)
    exports = exports.assign(year=pd.to_numeric(exports["year"]).astype(int))
    gdp = gdp_long(gdp)
    # Retired and variant codes (ROM, ZAR, ...) to the current one before anything is merged.
    exports, recoded = country_codes.recode(
        exports, "exports", ["reporter", "partner"], year="year", key=["reporter", "partner", "year", "commodity"]
    )
    gdp, in_gdp = country_codes.recode(gdp, "gdp", ["iso3"], year="year", key=["iso3", "year"])
    dist, in_dist = country_codes.recode(dist, "dist", ["iso_o", "iso_d"], key=["iso_o", "iso_d"])
    distance = distances(dist, dist_column)
    checks = merge_checks.merge_checks(
        exports=exports, gdp=gdp, dist=dist, notifications=notifications, domestic=domestic
    )
    checks = merge_checks.with_recoded(checks, recoded + in_gdp + in_dist, exports)
    if strict:
        merge_checks.raise_if_any(checks)
    trade = aggregate_exports(exports)
    if not domestic:
        trade = trade[trade["exporter"] != trade["importer"]].reset_index(drop=True)
    if zeros:
        countries = set(exports["reporter"].astype(str)) | set(exports["partner"].astype(str))
        panel = trade_grid(trade, countries, exports["year"].unique(), domestic=domestic)
    else:
        panel = trade.assign(reported=1)
    zeros_added = int(len(panel) - len(trade))
    panel = panel.merge(gdp.rename(columns={"iso3": "exporter", "gdp": "gdp_i"}), on=["exporter", "year"], how="left")
    panel = panel.merge(gdp.rename(columns={"iso3": "importer", "gdp": "gdp_j"}), on=["importer", "year"], how="left")
    panel = panel.merge(distance.drop_duplicates(["exporter", "importer"]), on=["exporter", "importer"], how="left")
    if notifications is not None:
        stock = tbt_stock(notifications, panel["year"].unique())
        panel = panel.merge(
            stock.rename(columns={"iso3": "importer", "tbt_stock": "tbt_stock_j"}), on=["importer", "year"], how="left"
        )
        panel["tbt_stock_j"] = panel["tbt_stock_j"].fillna(0)
    else:
        panel["tbt_stock_j"] = 0.0
    panel["ln_tbt_j"] = np.log1p(panel["tbt_stock_j"])
    panel["ln_gdp_i"] = np.log(panel["gdp_i"])
    panel["ln_gdp_j"] = np.log(panel["gdp_j"])
    with np.errstate(divide="ignore"):  # a domestic distance of 0 is -inf, as log(0) is
        panel["ln_dist"] = np.log(panel[dist_column])
    panel["exporter_group"] = np.where(panel["exporter"].isin(developed), "developed", "developing")
    panel["pair_id"] = panel["exporter"] + "_" + panel["importer"]
    return Prepared(panel, zeros_added, checks, dist_column)


def _refuse_rows(frame: pd.DataFrame, mask: Any, column: str, kind: str, names: Names, problem: str) -> None:
    """PanelInputError naming the file, the column, how many rows and the first one's line."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        first = int(np.flatnonzero(mask)[0])
        raise PanelInputError(
            f"{merge_checks._label(kind, names)}, column {column}: {problem} on {int(mask.sum())} row(s) "
            f"(the first on line {merge_checks._line(frame, first)}: {frame[column].iloc[first]})"
        )


def check_bounds(
    *, exports: pd.DataFrame, gdp: pd.DataFrame, dist: pd.DataFrame, dist_column: str = DIST_COLUMN, names: Names = None
) -> None:
    """Refuse what check_numbers lets through and no panel should hold: numbers that are not
    finite (1e400 reads as infinity) in trade values, GDP and distances, and years outside
    bounds.MIN_YEAR..MAX_YEAR (a year of 99999 is a typo; its lags would reach nowhere)."""
    years = f"a year outside {bounds.MIN_YEAR} to {bounds.MAX_YEAR}"
    infinite = "a number that is not finite"
    numbers = [(exports, "value", "exports"), (dist, dist_column, "dist")]
    year_columns = [(exports, "year", "exports")]
    if "Year" in gdp.columns and "Value" in gdp.columns:
        numbers.append((gdp, "Value", "gdp"))
        year_columns.append((gdp, "Year", "gdp"))
    else:  # wide: one column per year
        for column in gdp.columns:
            head = str(column).strip().split(" ")[0]
            if head.isdecimal():
                if len(head) > 4 or not bounds.MIN_YEAR <= int(head) <= bounds.MAX_YEAR:
                    raise PanelInputError(
                        f"{merge_checks._label('gdp', names)}, column {column}: {head[:20]} is {years}"
                    )
                numbers.append((gdp, column, "gdp"))
    for frame, column, kind in numbers:
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            _refuse_rows(frame, np.isinf(values), column, kind, names, infinite)
    for frame, column, kind in year_columns:
        if column in frame.columns:
            year_values = pd.to_numeric(frame[column], errors="coerce")
            _refuse_rows(
                frame, (year_values < bounds.MIN_YEAR) | (year_values > bounds.MAX_YEAR), column, kind, names, years
            )


def panel_from(
    prepared: Prepared, dyads: pd.DataFrame, *, lags: Shifts = STUDY_LAGS, leads: Shifts = ()
) -> pd.DataFrame:
    """The panel of one release: FTA and depth from its dyads on the shared rows, then lags and
    leads. Cheap next to prepare_inputs, so a sensitivity run prepares once per set of inputs."""
    panel = prepared.base.copy()
    if {"iso3_i", "iso3_j"} <= set(dyads.columns):  # a release's codes, recoded like the inputs
        dyads, _ = country_codes.recode(dyads, "dyads", ["iso3_i", "iso3_j"], year="year")
    panel["fta"], panel["depth"] = fta_from_dyads(panel, dyads)
    panel["depth_fta"] = depth_x_fta(panel["fta"], panel["depth"])
    panel = add_lags(panel, lags, leads)
    return panel.sort_values(["exporter", "importer", "year"]).reset_index(drop=True)


def build_panel(
    *,
    exports: pd.DataFrame,
    gdp: pd.DataFrame,
    dist: pd.DataFrame,
    dyads: pd.DataFrame,
    notifications: pd.DataFrame | None = None,
    developed: Iterable[str] = DEVELOPED,
    lags: Shifts = STUDY_LAGS,
    leads: Shifts = (),
    dist_column: str = DIST_COLUMN,
    zeros: bool = True,
    domestic: bool = False,
    strict: bool = False,
    names: Names = None,
) -> pd.DataFrame:
    """The pair-year panel (prepare_inputs, then panel_from). `lags`/`leads` as in add_lags
    (default: the study's one-year lags of fta, depth_fta and ln_tbt_j); `dist_column`: the CEPII
    distance behind ln_dist; `zeros`, `domestic`, `strict` and `names` as in prepare_inputs."""
    prepared = prepare_inputs(
        exports=exports,
        gdp=gdp,
        dist=dist,
        notifications=notifications,
        developed=developed,
        dist_column=dist_column,
        zeros=zeros,
        domestic=domestic,
        strict=strict,
        names=names,
    )
    return panel_from(prepared, dyads, lags=lags, leads=leads)


def fta_unknown_depth(panel: pd.DataFrame) -> int:
    """Pair-years with an agreement in force (fta == 1) whose depth is unknown: their Depth x FTA
    is missing, so they drop out of every regression that uses it."""
    if not {"fta", "depth_fta"} <= set(panel.columns):
        return 0
    return int(((panel["fta"] == 1) & panel["depth_fta"].isna()).sum())


def summary_table(panel: pd.DataFrame) -> list[dict[str, Any]]:
    """Descriptive statistics shaped like the study's Table 8 (n, mean, variance, min, max)."""
    variables = [
        ("lnEXP", np.log(panel["exports"].where(panel["exports"] > 0))),
        ("FTA", panel["fta"]),
        ("TBT", panel["tbt_stock_j"]),
        ("lnGDP_i", panel["ln_gdp_i"]),
        ("lnGDP_j", panel["ln_gdp_j"]),
        ("lnDis", panel["ln_dist"]),
        ("Depth_x_FTA", panel["depth_fta"]),
    ]
    rows = []
    for name, series in variables:
        s = series.dropna()
        rows.append(
            {
                "variable": name,
                "n": int(s.size),
                "mean": float(s.mean()) if s.size else None,
                "variance": float(s.var()) if s.size > 1 else None,
                "min": float(s.min()) if s.size else None,
                "max": float(s.max()) if s.size else None,
            }
        )
    return rows


def panel_summary(panel: pd.DataFrame, prepared: Prepared | None = None) -> dict[str, Any]:
    """What build_panel reports: the Table 8 statistics, the pair-years whose Depth x FTA is
    missing because the agreement in force has no depth in the release, and (given the Prepared
    inputs) the zeros added and the merge checks, counted and listed."""
    unknown = fta_unknown_depth(panel)
    summary: dict[str, Any] = {"table8": summary_table(panel), "n_rows": len(panel), "fta_unknown_depth": unknown}
    if "reported" in panel.columns:
        summary["reported_rows"] = int(panel["reported"].sum())
    if prepared is not None:
        summary["zeros_added"] = prepared.zeros_added
        summary["checks"] = {"counts": merge_checks.counts(prepared.checks), **prepared.checks}
    if unknown:
        rows = panel[(panel["fta"] == 1) & panel["depth_fta"].isna()]
        summary["fta_unknown_depth_pairs"] = sorted(
            set(rows["exporter"].astype(str) + "_" + rows["importer"].astype(str))
        )
    return summary
