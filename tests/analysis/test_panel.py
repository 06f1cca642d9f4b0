"""The panel builder on tiny inputs with known answers."""

import numpy as np
import pandas as pd
import pytest

from analysis.pure import panel_builder as builder
from analysis.pure import panel_inputs
from analysis.services.panels import panel_file


def inputs():
    exports = pd.DataFrame(
        [
            # reporter, partner, year, SITC Rev. 3 code, value
            ("CHN", "KOR", 2014, "7764", 100.0),
            ("CHN", "KOR", 2014, "0111", 50.0),
            ("CHN", "KOR", 2014, "71319", 5.0),
            ("CHN", "KOR", 2015, "7764", 120.0),
            ("CHN", "KOR", 2015, "792", 30.0),
            ("KOR", "CHN", 2014, "5416", 40.0),
            ("KOR", "CHN", 2015, "5416", 44.0),
            ("CHN", "CHL", 2015, "0111", 10.0),
            ("CHN", "CHN", 2015, "0111", 999.0),
        ],
        columns=["reporter", "partner", "year", "commodity", "value"],
    )
    gdp = pd.DataFrame(
        {"Country Code": ["CHN", "KOR", "CHL"], "2014": [1e13, 1.5e12, 2.6e11], "2015": [1.1e13, 1.4e12, 2.4e11]}
    )
    dist = pd.DataFrame(
        {"iso_o": ["CHN", "KOR", "CHN"], "iso_d": ["KOR", "CHN", "CHL"], "dist": [955.0, 955.0, 19000.0]}
    )
    dyads = pd.DataFrame(
        {
            "iso3_i": ["CHN", "KOR", "CHN", "CHL"],
            "iso3_j": ["KOR", "CHN", "CHL", "CHN"],
            "year": [2015, 2015, 2006, 2006],
            "depth": [5, 5, 5, 5],
        }
    )
    notifications = pd.DataFrame(
        {
            "notifying_member": ["Korea, Republic of", "Korea, Republic of", "China", "Chile"],
            "date_of_distribution": ["2013-05-01", "2015-02-01", "2015-03-01", "2014-07-07"],
        }
    )
    return exports, gdp, dist, dyads, notifications


def test_exports_are_aggregated_with_the_studys_hightech_codes():
    out = builder.aggregate_exports(inputs()[0]).set_index(["exporter", "importer", "year"])
    assert out.loc[("CHN", "KOR", 2014), "exports"] == 155.0
    assert out.loc[("CHN", "KOR", 2014), "hightech_exports"] == 105.0  # 7764 (77) + 71319; not 0111
    assert out.loc[("CHN", "KOR", 2015), "hightech_exports"] == 150.0  # 7764 + 792
    assert out.loc[("KOR", "CHN", 2015), "hightech_exports"] == 44.0  # 5416 (54, pharmaceuticals)


def test_panel_variables():
    exports, gdp, dist, dyads, notifications = inputs()
    panel = builder.build_panel(exports=exports, gdp=gdp, dist=dist, dyads=dyads, notifications=notifications)
    p = panel.set_index(["exporter", "importer", "year"])
    assert ("CHN", "CHN", 2015) not in p.index  # domestic flows are not exports
    assert p.loc[("CHN", "KOR", 2014), "fta"] == 0 and p.loc[("CHN", "KOR", 2015), "fta"] == 1
    assert p.loc[("CHN", "KOR", 2015), "depth_fta"] == 5 and p.loc[("CHN", "KOR", 2014), "depth_fta"] == 0
    assert p.loc[("CHN", "CHL", 2015), "fta"] == 1  # in force since 2006
    assert p.loc[("CHN", "KOR", 2014), "tbt_stock_j"] == 1  # Korea's 2013 notification
    assert p.loc[("CHN", "KOR", 2015), "tbt_stock_j"] == 2  # cumulative
    assert p.loc[("KOR", "CHN", 2014), "tbt_stock_j"] == 0 and p.loc[("KOR", "CHN", 2015), "tbt_stock_j"] == 1
    assert p.loc[("CHN", "KOR", 2015), "ln_tbt_j"] == pytest.approx(np.log(3))
    assert p.loc[("CHN", "KOR", 2015), "ln_gdp_i"] == pytest.approx(np.log(1.1e13))
    assert p.loc[("CHN", "KOR", 2015), "fta_lag1"] == 0 and np.isnan(p.loc[("CHN", "KOR", 2014), "fta_lag1"])
    assert (
        p.loc[("KOR", "CHN", 2015), "exporter_group"] == "developed"
        and p.loc[("CHN", "KOR", 2015), "exporter_group"] == "developing"
    )
    # The full grid of CHN, KOR, CHL x 2014-2015 (6 ordered pairs x 2 years): 7 zeros added
    assert len(panel) == 12 and panel["reported"].sum() == 5
    assert p.loc[("KOR", "CHL", 2015), "exports"] == 0 and p.loc[("KOR", "CHL", 2015), "reported"] == 0
    table = {r["variable"]: r for r in builder.summary_table(panel)}
    assert table["FTA"]["n"] == 12 and table["FTA"]["mean"] == pytest.approx(
        6 / 12
    )  # CHN-KOR 2015 both ways, CHN-CHL both years and ways
    reported = builder.build_panel(
        exports=exports, gdp=gdp, dist=dist, dyads=dyads, notifications=notifications, zeros=False
    )
    table = {r["variable"]: r for r in builder.summary_table(reported)}
    assert len(reported) == 5 and reported["reported"].all() and table["FTA"]["mean"] == pytest.approx(3 / 5)


def test_gdp_long_and_wide_and_bad_input():
    long = pd.DataFrame({"Country Name": ["China"], "Country Code": ["CHN"], "Year": [2015], "Value": [1.1e13]})
    assert panel_inputs.gdp_long(long).to_dict("records") == [{"iso3": "CHN", "year": 2015, "gdp": 1.1e13}]
    with pytest.raises(builder.PanelInputError, match="exports: missing columns value"):
        builder.aggregate_exports(pd.DataFrame({"reporter": [], "partner": [], "year": [], "commodity": []}))
    bad = inputs()[0].astype({"value": object})
    bad.loc[3, "value"] = "n/a"
    with pytest.raises(builder.PanelInputError, match="data row 4"):
        builder.aggregate_exports(bad)


@pytest.mark.django_db
def test_build_panel_command_with_real_macro_data_then_the_study_preset(tmp_path, settings):
    """Real WDI GDP, CEPII distances and ePing notifications; exports synthetic (no Comtrade
    extract ships with the data); FTA and depth from a release of the study's codings."""
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    from analysis.models import Panel
    from analysis.pure.presets import preset
    from analysis.services.runs import model_run_create, model_run_execute
    from coding.services import codebook_import
    from config.demo import demo_agreements_create, study_codings_csv
    from tests.conftest import DATA, SHARED, require_shared

    for path in ("macro/wdi_gdp_current_usd.csv", "macro/dist_cepii.csv", "macro/eping_tbt_notifications_subset.csv"):
        require_shared(DATA / path)
    settings.MEDIA_ROOT = tmp_path / "media"
    codebook_import(path=SHARED / "codebook" / "desta_tbt.yaml")
    demo_agreements_create()
    call_command(
        "import_codings",
        str(study_codings_csv(tmp_path / "s.csv")),
        "--codebook",
        "desta-tbt",
        "--approved",
        stdout=StringIO(),
    )
    call_command("release_dataset", "--codebook", "desta-tbt", "--name", "study", stdout=StringIO())

    rng = np.random.default_rng(0)
    partners = ["KOR", "AUS", "CHE", "PER", "CHL", "NZL", "SGP", "PAK", "ISL", "CRI", "GEO", "USA", "DEU", "JPN"]
    rows = [
        (exporter, importer, year, code, float(rng.uniform(1e6, 1e9)))
        for exporter in ("CHN", "KOR", "USA")
        for importer in partners
        if importer != exporter
        for year in range(2004, 2020)
        for code in ("7764", "0111", "542")
    ]
    exports = tmp_path / "exports.csv"
    pd.DataFrame(rows, columns=["reporter", "partner", "year", "commodity", "value"]).to_csv(exports, index=False)
    out = StringIO()
    call_command(
        "build_panel",
        "--release",
        "study",
        "--exports",
        str(exports),
        "--gdp",
        str(DATA / "macro/wdi_gdp_current_usd.csv"),
        "--dist",
        str(DATA / "macro/dist_cepii.csv"),
        "--tbt",
        str(DATA / "macro/eping_tbt_notifications_subset.csv"),
        "--name",
        "China test panel",
        stdout=out,
    )
    panel = Panel.objects.get(name="China test panel")
    frame = pd.read_pickle(panel_file(panel))
    korea = frame[(frame.exporter == "CHN") & (frame.importer == "KOR")].set_index("year")
    assert korea.loc[2014, "fta"] == 0 and korea.loc[2015, "fta"] == 1 and korea.loc[2016, "depth_fta"] == 5
    assert korea["ln_gdp_i"].notna().all() and korea["ln_dist"].notna().all()
    assert (frame.groupby("importer", observed=True)["tbt_stock_j"].max() > 0).any()  # ePing stocks merged
    summary = json.loads(out.getvalue().split("\n", 1)[1])
    assert [r["variable"] for r in summary["table8"]][:3] == ["lnEXP", "FTA", "TBT"]
    assert summary["fta_unknown_depth"] == 0
    assert {"fta_lag1", "depth_fta_lag1", "ln_tbt_j_lag1"} <= set(panel.columns)  # what study-robustness needs
    assert panel.source["dist_column"] == "dist"

    run = model_run_create(panel=panel, specs=preset("study-table9"), dispatch=False)
    run = model_run_execute(run_id=run.pk)
    assert run.status == "DONE", run.error
    assert [r["label"] for r in run.results][1] == "(2) total, Depth x FTA"
    assert "depth_fta" in run.results[1]["coefficients"] and run.results[0]["fixed_effects"]["year"] == 16

    # The World Bank's own wide download (preamble lines), capital distances, extra lags and leads
    raw = wdi_download(pd.read_csv(DATA / "macro/wdi_gdp_current_usd.csv"), tmp_path / "API_NY.GDP.MKTP.CD.csv")
    call_command(
        "build_panel",
        "--release",
        "study",
        "--exports",
        str(exports),
        "--gdp",
        str(raw),
        "--dist",
        str(DATA / "macro/dist_cepii.csv"),
        "--dist-column",
        "distcap",
        # With no notifications ln_tbt_j_lag1 is 0 in every row, and the robustness preset is now
        # refused before the fit ("the regressor ln_tbt_j_lag1 does not vary"), as it should be.
        "--tbt",
        str(DATA / "macro/eping_tbt_notifications_subset.csv"),
        "--lags",
        "ln_gdp_j:2",
        "--leads",
        "fta:1",
        "--name",
        "capitals",
        stdout=StringIO(),
    )
    capitals = Panel.objects.get(name="capitals")
    other = pd.read_pickle(panel_file(capitals))
    usa = other[(other.exporter == "CHN") & (other.importer == "USA")].set_index("year")
    assert usa["ln_dist"].iloc[0] == pytest.approx(np.log(11159.25))  # Beijing-Washington, not 10993.68 (dist)
    assert usa["ln_gdp_i"].tolist() == pytest.approx(
        frame[(frame.exporter == "CHN") & (frame.importer == "USA")]["ln_gdp_i"].tolist()
    )
    assert usa.loc[2010, "ln_gdp_j_lag2"] == pytest.approx(usa.loc[2008, "ln_gdp_j"])
    korea = other[(other.exporter == "CHN") & (other.importer == "KOR")].set_index("year")
    assert korea.loc[2014, "fta_lead1"] == 1 and korea.loc[2014, "fta"] == 0 and np.isnan(korea.loc[2019, "fta_lead1"])
    assert {"fta_lag1", "depth_fta_lag1", "ln_tbt_j_lag1"} <= set(capitals.columns)  # the study's lags stay
    assert capitals.source["dist_column"] == "distcap" and "fta:1" in capitals.source["leads"]
    run = model_run_create(panel=capitals, specs=preset("study-robustness"), dispatch=False)
    run = model_run_execute(run_id=run.pk)
    assert run.status == "DONE", run.error
    assert "fta_lag1" in run.results[0]["coefficients"]

    # A file that is no GDP table: the error names the file and the expected format
    bad = tmp_path / "not_gdp.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"not_gdp\.csv: no 'Country Code'.*World Bank WDI"):
        call_command(
            "build_panel",
            "--release",
            "study",
            "--exports",
            str(exports),
            "--gdp",
            str(bad),
            "--dist",
            str(DATA / "macro/dist_cepii.csv"),
            stdout=StringIO(),
        )


def gapped_inputs():
    """CHN -> KOR observed in 2000, 2002 and 2003 only (no 2001 row); the agreement enters into
    force in 2001. USA -> KOR has a 2001 row, so Korea's own 2001 values are known."""
    exports = pd.DataFrame(
        [
            ("CHN", "KOR", 2000, "0111", 10.0),
            ("CHN", "KOR", 2002, "0111", 20.0),
            ("CHN", "KOR", 2003, "0111", 30.0),
            ("USA", "KOR", 2000, "0111", 1.0),
            ("USA", "KOR", 2001, "0111", 2.0),
            ("USA", "KOR", 2002, "0111", 3.0),
        ],
        columns=["reporter", "partner", "year", "commodity", "value"],
    )
    gdp = pd.DataFrame(
        {"Country Code": ["CHN", "KOR", "USA"], **{str(y): [1e12 * (y - 1990), 1e11, 1e13] for y in range(2000, 2004)}}
    )
    dist = pd.DataFrame(
        {"iso_o": ["CHN", "USA"], "iso_d": ["KOR", "KOR"], "dist": [955.0, 11000.0], "distcap": [956.0, 11100.0]}
    )
    dyads = pd.DataFrame({"iso3_i": ["CHN"], "iso3_j": ["KOR"], "year": [2001], "depth": [5]})
    notifications = pd.DataFrame(
        {
            "notifying_member": ["Korea, Republic of"] * 3,
            "date_of_distribution": ["2000-05-01", "2001-02-01", "2001-03-01"],
        }
    )
    return dict(exports=exports, gdp=gdp, dist=dist, dyads=dyads, notifications=notifications)


def test_lags_and_leads_are_taken_by_year_not_by_row():
    # Given a pair with a gap (2001 missing) and entry into force in 2001, reported flows only
    panel = builder.build_panel(
        **gapped_inputs(), lags={"fta": [1, 2], "ln_tbt_j": 1, "ln_gdp_i": 1}, leads="fta:1", zeros=False
    )
    # Then each lag is the pair's value in year t-k, missing when that year is not in the panel
    p = panel.set_index(["exporter", "importer", "year"])
    chn = p.loc[("CHN", "KOR")]
    assert chn["fta"].tolist() == [0, 1, 1]
    assert np.isnan(chn.loc[2002, "fta_lag1"])  # 2001 is not in the panel (by row it was 2000's 0)
    assert chn.loc[2003, "fta_lag1"] == 1 and np.isnan(chn.loc[2000, "fta_lag1"])
    assert chn.loc[2002, "fta_lag2"] == 0 and np.isnan(chn.loc[2003, "fta_lag2"])  # 2000's value; 2001 absent
    assert (
        np.isnan(chn.loc[2000, "fta_lead1"])
        and chn.loc[2002, "fta_lead1"] == 1
        and np.isnan(chn.loc[2003, "fta_lead1"])
    )
    # Member-level variables are the member's value in t-1, from whichever pair carries it:
    # Korea's TBT stock in 2001 (1 + 2 notifications = 3) is known from USA -> KOR.
    assert chn.loc[2002, "ln_tbt_j_lag1"] == pytest.approx(np.log1p(3))
    assert chn.loc[2003, "ln_tbt_j_lag1"] == pytest.approx(np.log1p(3))  # stock unchanged in 2002
    assert np.isnan(chn.loc[2002, "ln_gdp_i_lag1"])  # China exports nothing in 2001: its 2001 GDP is not in the panel
    assert chn.loc[2003, "ln_gdp_i_lag1"] == pytest.approx(np.log(1e12 * 12))
    # Only the lags asked for: an explicit list replaces the study's default
    assert "depth_fta_lag1" not in panel.columns


def test_default_lags_are_the_ones_the_study_presets_need():
    from analysis.pure.presets import PRESETS
    from analysis.pure.spec.schema import _columns_in, parse_formula

    panel = builder.build_panel(**gapped_inputs(), zeros=False)
    needed = {
        c
        for spec in PRESETS["study-robustness"]
        for term in parse_formula(spec["formula"])[1]
        for c in _columns_in(term)
    }
    assert {"fta_lag1", "depth_fta_lag1", "ln_tbt_j_lag1"} <= needed <= set(panel.columns)
    gap = panel.set_index(["exporter", "importer", "year"]).loc[("CHN", "KOR", 2002)]
    assert np.isnan(gap["fta_lag1"]) and np.isnan(gap["depth_fta_lag1"])  # 2001 is not in the panel


def test_lag_arguments_are_checked():
    frame = pd.DataFrame({"exporter": ["A", "A"], "importer": ["B", "B"], "year": [2000, 2000], "x": [1.0, 2.0]})
    with pytest.raises(builder.PanelInputError, match="more than one value for A, B in 2000"):
        builder.add_lags(frame, {"x": 1})
    with pytest.raises(builder.PanelInputError, match="missing columns nope"):
        builder.add_lags(frame.iloc[:1], "nope:1")
    with pytest.raises(builder.PanelInputError, match="VAR:K"):
        builder.parse_shifts("fta:0")
    assert builder.parse_shifts("fta:1, ln_tbt_j:2") == [("fta", 1), ("ln_tbt_j", 2)]
    with pytest.raises(builder.PanelInputError, match="whole number of years"):
        builder.add_lags(frame.iloc[:1], {"x": "one"})


def test_depth_x_fta_is_missing_when_an_agreement_in_force_has_no_depth():
    # Given CHN-CHL in force since 2006 with no depth in the release, CHN-KOR from 2015 with depth 5
    exports, gdp, dist, dyads, notifications = inputs()
    dyads = dyads.astype({"depth": float})
    dyads.loc[dyads["iso3_j"] == "CHL", "depth"] = np.nan
    panel = builder.build_panel(exports=exports, gdp=gdp, dist=dist, dyads=dyads, notifications=notifications)
    p = panel.set_index(["exporter", "importer", "year"])
    # Then Depth x FTA is missing there (not 0), 0 where no agreement is in force, the depth where one is
    assert p.loc[("CHN", "CHL", 2015), "fta"] == 1 and np.isnan(p.loc[("CHN", "CHL", 2015), "depth_fta"])
    assert p.loc[("CHN", "KOR", 2014), "depth_fta"] == 0 and p.loc[("CHN", "KOR", 2015), "depth_fta"] == 5
    # And the summary counts the pair-years
    summary = builder.panel_summary(panel)
    assert summary["fta_unknown_depth"] == 2 and summary["fta_unknown_depth_pairs"] == ["CHN_CHL"]  # 2014 and 2015
    assert {r["variable"]: r["n"] for r in summary["table8"]}["Depth_x_FTA"] == 10  # of the 12 rows of the grid


def test_distance_column_is_a_choice():
    default = builder.build_panel(**gapped_inputs())
    capitals = builder.build_panel(**gapped_inputs(), dist_column="distcap")
    assert default["ln_dist"].iloc[0] == pytest.approx(np.log(955.0))  # CHN -> KOR, CEPII dist (default)
    assert capitals["ln_dist"].iloc[0] == pytest.approx(np.log(956.0))  # CEPII distcap, the study's Table 8
    assert "distcap" in capitals.columns and "dist" not in capitals.columns  # the panel shows which one it used
    with pytest.raises(builder.PanelInputError, match="distances: missing columns distw"):
        builder.build_panel(**gapped_inputs(), dist_column="distw")


def wdi_download(long, path):
    """Write `long` (Country Name, Country Code, Year, Value) as the World Bank's own wide CSV:
    a BOM, four preamble lines, quoted fields and a trailing comma on every line."""
    wide = long.pivot_table(index=["Country Name", "Country Code"], columns="Year", values="Value").reset_index()
    years = [c for c in wide.columns if isinstance(c, (int, np.integer))]
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        '"Last Updated Date","2025-07-01",',
        "",
        ",".join(
            f'"{c}"' for c in ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, years)]
        )
        + ",",
    ]
    for _, row in wide.iterrows():
        values = ["" if pd.isna(row[y]) else repr(float(row[y])) for y in years]
        lines.append(
            ",".join(
                f'"{v}"'
                for v in [row["Country Name"], row["Country Code"], "GDP (current US$)", "NY.GDP.MKTP.CD", *values]
            )
            + ","
        )
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_raw_wdi_download_with_preamble_is_read(tmp_path):
    from tests.conftest import DATA, require_shared

    # Given the real WDI GDP series, written out as the World Bank's download is laid out
    real = require_shared(DATA / "macro" / "wdi_gdp_current_usd.csv")
    long = pd.read_csv(real)
    raw = wdi_download(long, tmp_path / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv")
    with pytest.raises(pd.errors.ParserError, match="Expected 3 fields in line 5"):
        pd.read_csv(raw)  # what build_panel used to do
    # When it is read with the WDI reader
    gdp = panel_inputs.gdp_long(panel_inputs.read_gdp_csv(raw)).set_index(["iso3", "year"])["gdp"]
    # Then it gives the same values as the long file, which the reader also takes as it is
    expected = long.set_index(["Country Code", "Year"])["Value"]
    assert gdp.loc[("CHN", 2015)] == pytest.approx(expected.loc[("CHN", 2015)])
    assert gdp.loc[("KOR", 2000)] == pytest.approx(expected.loc[("KOR", 2000)])
    assert len(gdp) == expected.notna().sum()
    assert panel_inputs.gdp_long(panel_inputs.read_gdp_csv(real)).shape == (expected.notna().sum(), 3)


def test_unreadable_gdp_file_names_the_file_and_the_format(tmp_path):
    bad = tmp_path / "gdp.csv"
    bad.write_text("iso,yr,gdp\nCHN,2015,1\n", encoding="utf-8")
    with pytest.raises(
        builder.PanelInputError, match=r"gdp\.csv: no 'Country Code'.*Country Name, Country Code, Year, Value"
    ):
        panel_inputs.read_gdp_csv(bad)


@pytest.mark.django_db
def test_import_panel_with_lags_by_year(tmp_path, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from analysis.models import Panel

    settings.MEDIA_ROOT = tmp_path / "media"
    # Given a ready-made panel observed every four years (as the Guide's 1986, 1990, ... panel)
    frame = pd.DataFrame(
        {
            "exporter": ["A"] * 4 + ["B"] * 2,
            "importer": ["B"] * 4 + ["A"] * 2,
            "year": [1986, 1990, 1994, 2002, 1990, 1994],
            "trade": [1.0, 2, 3, 4, 5, 6],
            "rta": [0, 0, 1, 1, 0, 1],
        }
    )
    path = tmp_path / "guide.csv"
    frame.to_csv(path, index=False)
    # When it is imported with a four-year lag and lead of rta
    call_command("import_panel", str(path), "--name", "guide", "--lags", "rta:4", "--leads", "rta:4", stdout=StringIO())
    stored = pd.read_pickle(panel_file(Panel.objects.get(name="guide"))).set_index(["exporter", "importer", "year"])
    # Then rta_lag4 is the pair's rta four years earlier, missing when that year is absent
    assert stored.loc[("A", "B", 1990), "rta_lag4"] == 0 and stored.loc[("A", "B", 1994), "rta_lag4"] == 0
    assert np.isnan(stored.loc[("A", "B", 2002), "rta_lag4"])  # 1998 is not in the panel
    assert stored.loc[("A", "B", 1990), "rta_lead4"] == 1 and np.isnan(stored.loc[("A", "B", 1994), "rta_lead4"])
    assert stored.loc[("B", "A", 1994), "rta_lag4"] == 0 and np.isnan(stored.loc[("B", "A", 1990), "rta_lag4"])
    with pytest.raises(CommandError, match="rta_lag4 already in the panel"):
        frame.assign(rta_lag4=0).to_csv(path, index=False)
        call_command("import_panel", str(path), "--lags", "rta:4", stdout=StringIO())
