"""The panel builder on tiny inputs with known answers."""
import numpy as np
import pandas as pd
import pytest

from analysis import panel as builder


def inputs():
    exports = pd.DataFrame([
        # reporter, partner, year, SITC Rev. 3 code, value
        ("CHN", "KOR", 2014, "7764", 100.0), ("CHN", "KOR", 2014, "0111", 50.0), ("CHN", "KOR", 2014, "71319", 5.0),
        ("CHN", "KOR", 2015, "7764", 120.0), ("CHN", "KOR", 2015, "792", 30.0),
        ("KOR", "CHN", 2014, "5416", 40.0), ("KOR", "CHN", 2015, "5416", 44.0),
        ("CHN", "CHL", 2015, "0111", 10.0), ("CHN", "CHN", 2015, "0111", 999.0),
    ], columns=["reporter", "partner", "year", "commodity", "value"])
    gdp = pd.DataFrame({"Country Code": ["CHN", "KOR", "CHL"], "2014": [1e13, 1.5e12, 2.6e11], "2015": [1.1e13, 1.4e12, 2.4e11]})
    dist = pd.DataFrame({"iso_o": ["CHN", "KOR", "CHN"], "iso_d": ["KOR", "CHN", "CHL"], "dist": [955.0, 955.0, 19000.0]})
    dyads = pd.DataFrame({"iso3_i": ["CHN", "KOR", "CHN", "CHL"], "iso3_j": ["KOR", "CHN", "CHL", "CHN"],
                          "year": [2015, 2015, 2006, 2006], "depth": [5, 5, 5, 5]})
    notifications = pd.DataFrame({"notifying_member": ["Korea, Republic of", "Korea, Republic of", "China", "Chile"],
                                  "date_of_distribution": ["2013-05-01", "2015-02-01", "2015-03-01", "2014-07-07"]})
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
    assert p.loc[("KOR", "CHN", 2015), "exporter_group"] == "developed" and p.loc[("CHN", "KOR", 2015), "exporter_group"] == "developing"
    table = {r["variable"]: r for r in builder.summary_table(panel)}
    assert table["FTA"]["n"] == 5 and table["FTA"]["mean"] == pytest.approx(3 / 5)


def test_gdp_long_and_wide_and_bad_input():
    long = pd.DataFrame({"Country Name": ["China"], "Country Code": ["CHN"], "Year": [2015], "Value": [1.1e13]})
    assert builder.gdp_long(long).to_dict("records") == [{"iso3": "CHN", "year": 2015, "gdp": 1.1e13}]
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

    from django.core.management import call_command

    from analysis.models import Panel
    from analysis.services import model_run_create, model_run_execute
    from analysis.presets import preset
    from coding.services import codebook_import
    from coding.services.demo import demo_agreements_create, study_codings_csv
    from tests.conftest import DATA, SHARED, require_shared

    for path in ("macro/wdi_gdp_current_usd.csv", "macro/dist_cepii.csv", "macro/eping_tbt_notifications_subset.csv"):
        require_shared(DATA / path)
    settings.MEDIA_ROOT = tmp_path / "media"
    codebook_import(path=SHARED / "codebook" / "desta_tbt.yaml")
    demo_agreements_create()
    call_command("import_codings", str(study_codings_csv(tmp_path / "s.csv")), "--codebook", "desta-tbt", "--approved", stdout=StringIO())
    call_command("release_dataset", "--codebook", "desta-tbt", "--name", "study", stdout=StringIO())

    rng = np.random.default_rng(0)
    partners = ["KOR", "AUS", "CHE", "PER", "CHL", "NZL", "SGP", "PAK", "ISL", "CRI", "GEO", "USA", "DEU", "JPN"]
    rows = [(exporter, importer, year, code, float(rng.uniform(1e6, 1e9)))
            for exporter in ("CHN", "KOR", "USA") for importer in partners if importer != exporter
            for year in range(2004, 2020) for code in ("7764", "0111", "542")]
    exports = tmp_path / "exports.csv"
    pd.DataFrame(rows, columns=["reporter", "partner", "year", "commodity", "value"]).to_csv(exports, index=False)
    out = StringIO()
    call_command("build_panel", "--release", "study", "--exports", str(exports), "--gdp", str(DATA / "macro/wdi_gdp_current_usd.csv"),
                 "--dist", str(DATA / "macro/dist_cepii.csv"), "--tbt", str(DATA / "macro/eping_tbt_notifications_subset.csv"),
                 "--name", "China test panel", stdout=out)
    panel = Panel.objects.get(name="China test panel")
    frame = pd.read_pickle(panel.path)
    korea = frame[(frame.exporter == "CHN") & (frame.importer == "KOR")].set_index("year")
    assert korea.loc[2014, "fta"] == 0 and korea.loc[2015, "fta"] == 1 and korea.loc[2016, "depth_fta"] == 5
    assert korea["ln_gdp_i"].notna().all() and korea["ln_dist"].notna().all()
    assert (frame.groupby("importer", observed=True)["tbt_stock_j"].max() > 0).any()  # ePing stocks merged
    summary = json.loads(out.getvalue().split("\n", 1)[1])
    assert [r["variable"] for r in summary][:3] == ["lnEXP", "FTA", "TBT"]

    run = model_run_create(panel=panel, specs=preset("study-table9"), dispatch=False)
    run = model_run_execute(run_id=run.pk)
    assert run.status == "DONE", run.error
    assert [r["label"] for r in run.results][1] == "(2) total, Depth x FTA"
    assert "depth_fta" in run.results[1]["coefficients"] and run.results[0]["fixed_effects"]["year"] == 16
