"""Build the pair-year trade panel (pure: pandas and pycountry only).

Inputs are plain DataFrames: exports in UN Comtrade style, GDP (World Bank WDI, long or wide),
CEPII distances, WTO TBT notifications, and the dyadic rows of a dataset release. The output has
one row per exporter, importer and year with the study's variables, ready for analysis/gravity.py.
"""
import numpy as np
import pandas as pd

# The study's Table 7: high-tech products by SITC Rev. 3 code prefix.
HIGHTECH_SITC3 = ("792", "71319", "54", "76", "77", "74183", "872", "75")
# A default, editable list of developed economies (high-income OECD members); users pass their own.
DEVELOPED = frozenset("AUS AUT BEL CAN CHE CZE DEU DNK ESP EST FIN FRA GBR GRC IRL ISL ISR ITA JPN KOR LUX NLD NOR NZL "
                      "POL PRT SGP SVK SVN SWE USA".split())


class PanelInputError(ValueError):
    pass


def _require(frame, columns, what):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PanelInputError(f"{what}: missing columns {', '.join(missing)} (have: {', '.join(map(str, frame.columns))})")


def aggregate_exports(exports, prefixes=HIGHTECH_SITC3):
    """reporter, partner, year, commodity (SITC Rev. 3 code), value -> exporter, importer, year,
    exports (all products) and hightech_exports (codes starting with one of `prefixes`)."""
    _require(exports, ["reporter", "partner", "year", "commodity", "value"], "exports")
    frame = exports.assign(commodity=exports["commodity"].astype(str).str.strip())
    bad = pd.to_numeric(frame["value"], errors="coerce").isna() & frame["value"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PanelInputError(f"exports: value {frame['value'].iloc[row]!r} on data row {row + 1} is not a number")
    frame["value"] = pd.to_numeric(frame["value"])
    frame["hightech"] = frame["commodity"].str.startswith(tuple(prefixes)) * frame["value"]
    out = frame.groupby(["reporter", "partner", "year"], as_index=False).agg(exports=("value", "sum"), hightech_exports=("hightech", "sum"))
    return out.rename(columns={"reporter": "exporter", "partner": "importer"})


def gdp_long(gdp):
    """World Bank WDI GDP, long (Country Code, Year, Value) or wide (Country Code, 2000, 2001, ...)."""
    code = "Country Code" if "Country Code" in gdp.columns else "iso3"
    _require(gdp, [code], "gdp")
    if "Year" in gdp.columns and "Value" in gdp.columns:
        long = gdp[[code, "Year", "Value"]].rename(columns={code: "iso3", "Year": "year", "Value": "gdp"})
    else:
        years = [c for c in gdp.columns if str(c).strip().isdecimal() or str(c).split(" ")[0].isdecimal()]
        if not years:
            raise PanelInputError("gdp: neither Year/Value columns nor year columns found")
        long = gdp.melt(id_vars=[code], value_vars=years, var_name="year", value_name="gdp").rename(columns={code: "iso3"})
        long["year"] = long["year"].astype(str).str.slice(0, 4)
    long["year"] = pd.to_numeric(long["year"], errors="coerce").astype("Int64")
    long["gdp"] = pd.to_numeric(long["gdp"], errors="coerce")
    return long.dropna().astype({"year": int})


def distances(dist, column="dist"):
    _require(dist, ["iso_o", "iso_d", column], "distances")
    return dist[["iso_o", "iso_d", column]].rename(columns={"iso_o": "exporter", "iso_d": "importer", column: "dist"})


def member_iso3(name):
    import pycountry

    special = {"European Union": "EUN", "Chinese Taipei": "TWN", "Hong Kong, China": "HKG", "Macao, China": "MAC",
               "Korea, Republic of": "KOR", "Türkiye": "TUR", "Turkey": "TUR", "Russian Federation": "RUS",
               "Viet Nam": "VNM", "Bolivia, Plurinational State of": "BOL", "Venezuela, Bolivarian Republic of": "VEN",
               "Kingdom of Saudi Arabia": "SAU", "Kyrgyz Republic": "KGZ", "Moldova, Republic of": "MDA",
               "United States of America": "USA", "Tanzania": "TZA", "Côte d'Ivoire": "CIV"}
    if name in special:
        return special[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(name)[0].alpha_3
        except LookupError:
            return None


def tbt_stock(notifications, years):
    """WTO TBT notifications (notifying_member, date_of_distribution) -> cumulative count per
    member and year (the importer's stock TBT_jt). Members are converted to ISO3."""
    _require(notifications, ["notifying_member", "date_of_distribution"], "TBT notifications")
    frame = notifications.dropna(subset=["notifying_member", "date_of_distribution"]).copy()
    frame["iso3"] = frame["notifying_member"].map(member_iso3)
    frame["year"] = pd.to_datetime(frame["date_of_distribution"], errors="coerce").dt.year
    frame = frame.dropna(subset=["iso3", "year"])
    counts = frame.groupby(["iso3", "year"]).size().rename("n").reset_index()
    members = sorted(counts["iso3"].unique())
    grid = pd.MultiIndex.from_product([members, sorted(set(years) | set(counts["year"].astype(int)))], names=["iso3", "year"])
    stock = counts.set_index(["iso3", "year"])["n"].reindex(grid, fill_value=0).groupby(level=0).cumsum()
    return stock.rename("tbt_stock").reset_index()


def fta_from_dyads(pairs, dyads):
    """For each (exporter, importer, year): fta = 1 from the entry-into-force year of an agreement
    between them; depth = the deepest agreement in force (NaN before any is in force)."""
    _require(dyads, ["iso3_i", "iso3_j", "year", "depth"], "release dyads")
    agreements = dyads.dropna(subset=["year"]).rename(columns={"iso3_i": "exporter", "iso3_j": "importer", "year": "eif"})
    merged = pairs[["exporter", "importer", "year"]].reset_index().merge(agreements[["exporter", "importer", "eif", "depth"]],
                                                                         on=["exporter", "importer"], how="left")
    in_force = merged["eif"].notna() & (merged["year"] >= merged["eif"])
    merged["depth"] = merged["depth"].where(in_force)
    grouped = merged.assign(in_force=in_force).groupby("index").agg(fta=("in_force", "max"), depth=("depth", "max"))
    out = grouped.reindex(pairs.index)
    return out["fta"].fillna(False).astype(int), out["depth"]


def add_lags(panel, variables, lags=(1,), leads=()):
    """Previous (lag) and next (lead) period of each variable within a pair; a period is the
    panel's step between observed years of that pair."""
    panel = panel.sort_values(["exporter", "importer", "year"])
    grouped = panel.groupby(["exporter", "importer"], sort=False)
    for variable in variables:
        for k in lags:
            panel[f"{variable}_lag{k}"] = grouped[variable].shift(k)
        for k in leads:
            panel[f"{variable}_lead{k}"] = grouped[variable].shift(-k)
    return panel


def build_panel(*, exports, gdp, dist, dyads, notifications=None, developed=DEVELOPED, lags=(1,), leads=()):
    trade = aggregate_exports(exports)
    trade = trade[trade["exporter"] != trade["importer"]].reset_index(drop=True)
    gdp = gdp_long(gdp)
    panel = trade.merge(gdp.rename(columns={"iso3": "exporter", "gdp": "gdp_i"}), on=["exporter", "year"], how="left")
    panel = panel.merge(gdp.rename(columns={"iso3": "importer", "gdp": "gdp_j"}), on=["importer", "year"], how="left")
    panel = panel.merge(distances(dist), on=["exporter", "importer"], how="left")
    if notifications is not None:
        stock = tbt_stock(notifications, panel["year"].unique())
        panel = panel.merge(stock.rename(columns={"iso3": "importer", "tbt_stock": "tbt_stock_j"}), on=["importer", "year"], how="left")
        panel["tbt_stock_j"] = panel["tbt_stock_j"].fillna(0)
    else:
        panel["tbt_stock_j"] = 0.0
    panel["fta"], panel["depth"] = fta_from_dyads(panel, dyads)
    panel["depth_fta"] = panel["depth"].fillna(0) * panel["fta"]
    panel["ln_tbt_j"] = np.log1p(panel["tbt_stock_j"])
    panel["ln_gdp_i"] = np.log(panel["gdp_i"])
    panel["ln_gdp_j"] = np.log(panel["gdp_j"])
    panel["ln_dist"] = np.log(panel["dist"])
    panel["exporter_group"] = np.where(panel["exporter"].isin(developed), "developed", "developing")
    panel["pair_id"] = panel["exporter"] + "_" + panel["importer"]
    panel = add_lags(panel, ["fta", "depth_fta", "ln_tbt_j"], lags=lags, leads=leads)
    return panel.reset_index(drop=True)


def summary_table(panel):
    """Descriptive statistics shaped like the study's Table 8 (n, mean, variance, min, max)."""
    variables = [("lnEXP", np.log(panel["exports"].where(panel["exports"] > 0))), ("FTA", panel["fta"]),
                 ("TBT", panel["tbt_stock_j"]), ("lnGDP_i", panel["ln_gdp_i"]), ("lnGDP_j", panel["ln_gdp_j"]),
                 ("lnDis", panel["ln_dist"]), ("Depth_x_FTA", panel["depth_fta"])]
    rows = []
    for name, series in variables:
        s = series.dropna()
        rows.append({"variable": name, "n": int(s.size), "mean": float(s.mean()) if s.size else None,
                     "variance": float(s.var()) if s.size > 1 else None,
                     "min": float(s.min()) if s.size else None, "max": float(s.max()) if s.size else None})
    return rows
