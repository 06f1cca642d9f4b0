"""Reading the panel's inputs: World Bank GDP (long or wide), CEPII distances, WTO member names to
ISO3, TBT notification stocks. Split from panel_builder.py (which re-exports these names as part of
its API) so that the builder reads as the steps of a build. No Django."""

from collections.abc import Iterable

import pandas as pd
import pycountry

from .merge_checks import InputError as PanelInputError


def require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    """PanelInputError naming the input and its missing columns (used by the builder too)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PanelInputError(
            f"{what}: missing columns {', '.join(missing)} (have: {', '.join(map(str, frame.columns))})"
        )


WDI_FORMAT = (
    "World Bank WDI GDP as CSV: long (Country Name, Country Code, Year, Value) or wide as downloaded "
    "(Country Name, Country Code, Indicator Name, Indicator Code, 1960, 1961, ...; the preamble lines "
    "before that header are skipped)"
)


def read_gdp_csv(path: str) -> pd.DataFrame:
    """Read a WDI GDP CSV, long or wide. The World Bank's own download has preamble lines ("Data
    Source", "Last Updated Date", blanks) before the header, which make a plain read_csv fail on the
    first data line: the header is found as the first line starting with "Country Name"."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = [handle.readline() for _ in range(50)]
    except OSError as exc:
        raise PanelInputError(f"{path}: cannot read the GDP file ({exc})") from exc
    header = next((n for n, line in enumerate(head) if line.lstrip().lstrip('"').startswith("Country Name")), None)
    try:
        frame = pd.read_csv(path, skiprows=header or 0, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PanelInputError(f"{path}: not a readable GDP table ({exc}); expected {WDI_FORMAT}") from exc
    if "Country Code" not in frame.columns and "iso3" not in frame.columns:
        raise PanelInputError(
            f"{path}: no 'Country Code' (or iso3) column (have: {', '.join(map(str, frame.columns))}); "
            f"expected {WDI_FORMAT}"
        )
    frame = frame.loc[:, [c for c in frame.columns if not str(c).startswith("Unnamed:")]]  # WDI lines end with a comma
    frame.attrs["first_line"] = (header or 0) + 2  # so that errors name the file's own line numbers
    return frame


INPUTS = ("exports", "gdp", "dist", "tbt")


def read_input(kind: str, path: str) -> pd.DataFrame:
    """One input file of build_panel: exports (commodity codes kept as text: 0111 is not 111),
    gdp (read_gdp_csv), dist or tbt. Errors name the file."""
    if kind == "gdp":
        return read_gdp_csv(path)
    try:
        return pd.read_csv(path, dtype={"commodity": str} if kind == "exports" else None, low_memory=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PanelInputError(f"{path}: cannot read the {kind} file ({' '.join(str(exc).split())})") from exc


def gdp_long(gdp: pd.DataFrame) -> pd.DataFrame:
    """World Bank WDI GDP, long (Country Code, Year, Value) or wide (Country Code, 2000, 2001, ...)."""
    code = "Country Code" if "Country Code" in gdp.columns else "iso3"
    require_columns(gdp, [code], "gdp")
    if "Year" in gdp.columns and "Value" in gdp.columns:
        long = gdp[[code, "Year", "Value"]].rename(columns={code: "iso3", "Year": "year", "Value": "gdp"})
    else:
        years = [c for c in gdp.columns if str(c).strip().isdecimal() or str(c).split(" ")[0].isdecimal()]
        if not years:
            raise PanelInputError("gdp: neither Year/Value columns nor year columns found")
        if "Indicator Code" in gdp.columns and gdp["Indicator Code"].nunique() > 1:
            raise PanelInputError(
                f"gdp: one indicator expected, found {', '.join(map(str, gdp['Indicator Code'].unique()))}"
            )
        long = gdp.melt(id_vars=[code], value_vars=years, var_name="year", value_name="gdp").rename(
            columns={code: "iso3"}
        )
        long["year"] = long["year"].astype(str).str.slice(0, 4)
    long["year"] = pd.to_numeric(long["year"], errors="coerce").astype("Int64")
    long["gdp"] = pd.to_numeric(long["gdp"], errors="coerce")
    return long.dropna().astype({"year": int})


# CEPII GeoDist distance used for ln_dist. `dist` (between the most populated cities) stays the
# default: the BRIEF names only the GeoDist file, not a column, and changing the default would
# silently change ln_dist (and the hash) of every rebuilt panel. The study's Table 8 says "log
# distance between capitals": replicate it with dist_column="distcap" (build_panel --dist-column).
DIST_COLUMN = "dist"


def distances(dist: pd.DataFrame, column: str = DIST_COLUMN) -> pd.DataFrame:
    """CEPII GeoDist (iso_o, iso_d, and the distance `column`: dist, distcap, distw or distwces)
    -> exporter, importer and that column under its own name (the panel records which it used)."""
    require_columns(dist, ["iso_o", "iso_d", column], "distances")
    return dist[["iso_o", "iso_d", column]].rename(columns={"iso_o": "exporter", "iso_d": "importer"})


def member_iso3(name: str) -> str | None:
    special = {
        "European Union": "EUN",
        "Chinese Taipei": "TWN",
        "Hong Kong, China": "HKG",
        "Macao, China": "MAC",
        "Korea, Republic of": "KOR",
        "Türkiye": "TUR",
        "Turkey": "TUR",
        "Russian Federation": "RUS",
        "Viet Nam": "VNM",
        "Bolivia, Plurinational State of": "BOL",
        "Venezuela, Bolivarian Republic of": "VEN",
        "Kingdom of Saudi Arabia": "SAU",
        "Kyrgyz Republic": "KGZ",
        "Moldova, Republic of": "MDA",
        "United States of America": "USA",
        "Tanzania": "TZA",
        "Côte d'Ivoire": "CIV",
    }
    if name in special:
        return special[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(name)[0].alpha_3
        except LookupError:
            return None


def tbt_stock(notifications: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """WTO TBT notifications (notifying_member, date_of_distribution) -> cumulative count per
    member and year (the importer's stock TBT_jt). Members are converted to ISO3."""
    require_columns(notifications, ["notifying_member", "date_of_distribution"], "TBT notifications")
    frame = notifications.dropna(subset=["notifying_member", "date_of_distribution"]).copy()
    frame["iso3"] = frame["notifying_member"].map(member_iso3)
    frame["year"] = pd.to_datetime(frame["date_of_distribution"], errors="coerce").dt.year
    frame = frame.dropna(subset=["iso3", "year"])
    counts = frame.groupby(["iso3", "year"]).size().rename("n").reset_index()
    members = sorted(counts["iso3"].unique())
    grid = pd.MultiIndex.from_product(
        [members, sorted(set(years) | set(counts["year"].astype(int)))], names=["iso3", "year"]
    )
    stock = counts.set_index(["iso3", "year"])["n"].reindex(grid, fill_value=0).groupby(level=0).cumsum()
    return stock.rename("tbt_stock").reset_index()
