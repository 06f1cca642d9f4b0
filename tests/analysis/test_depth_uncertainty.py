"""Coding uncertainty carried into the coefficient (spec "depth_uncertainty"): the plausible
values of depth (analysis/pure/plausible_values.py), the panel they give, and a run whose
plausible-value fits are fanned out like a sweep and combined by Rubin's rules."""

import numpy as np
import pandas as pd
import pytest

from analysis.models import DatasetRelease
from analysis.pure import gravity, rubin
from analysis.pure import panel_builder as builder
from analysis.pure import plausible_values as pv
from analysis.pure.errors import SpecError
from analysis.pure.spec.schema import check_spec
from analysis.services.fanout import spec_fit_execute
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create, model_run_execute
from coding.models import Answer, Coding
from tests.factories import AgreementFactory, UserFactory

COUNTRIES = ["AUS", "CAN", "CHL", "CHN", "KOR", "NZL", "PER", "SGP"]
YEARS = [2000, 2001, 2002, 2003, 2004]
# (parties, entry into force, depth, depth_se, wto, harmon)
TREATIES = [
    (["AUS", "CHL"], 2001, 1.0, 0.4, 1, 0),
    (["CHN", "KOR"], 2001, 3.0, 0.5, 1, 2),
    (["NZL", "SGP"], 2002, 2.0, 0.3, 1, 1),
    (["CAN", "PER"], 2002, 4.0, 0.6, 1, 3),
    (["CHL", "CHN"], 2003, 2.0, 0.4, 0, 2),
    (["AUS", "SGP"], 2003, 1.0, 0.5, 1, 0),
    (["KOR", "PER"], 2002, 3.0, 0.4, 1, 2),
]
SPEC = {
    "estimator": "ppml",
    "formula": "trade ~ depth_fta + fta | exporter^year + importer^year",
    "vcov": "hetero",
    "label": "depth",
}


def release_of(version, *, with_se=True, agreements=None):
    rows = []
    for index, (parties, year, depth, se, wto, harmon) in enumerate(TREATIES):
        agreement_id = agreements[index].pk if agreements else index + 1
        row = {"agreement_id": agreement_id, "name": "-".join(parties), "parties": parties}
        row.update({"entry_into_force_year": year, "wto": wto, "harmon": harmon, "depth": depth, "tier": None})
        if with_se:
            row["depth_se"] = se
        rows.append(row)
    method = {"name": "additive", "indicators": ["wto", "harmon"]}
    number = DatasetRelease.objects.count() + 1
    return DatasetRelease.objects.create(
        number=number, name=f"r{number}", version=version, method=method, content_hash=f"{number:064d}", rows=rows
    )


def panel_frame(rows, seed=3):
    """A pair-year panel built from the release's rows by the panel builder, trade depending on
    Depth x FTA."""
    rng = np.random.default_rng(seed)
    grid = pd.DataFrame(
        [(e, i, y) for e in COUNTRIES for i in COUNTRIES if e != i for y in YEARS],
        columns=["exporter", "importer", "year"],
    )
    size = {c: rng.normal() for c in COUNTRIES}
    grid["ln_dist"] = np.log(rng.uniform(500, 9000, size=len(grid)))
    grid["pair_id"] = grid["exporter"] + "_" + grid["importer"]
    prepared = builder.Prepared(grid, 0, {}, "dist")
    frame = builder.panel_from(prepared, pd.DataFrame(_dyads(rows)), lags=[("depth_fta", 1)])
    mu = np.exp(10 + frame.exporter.map(size) - frame.importer.map(size) - 0.6 * frame.ln_dist)
    frame["trade"] = rng.poisson(mu * np.exp(0.15 * frame["depth_fta"].fillna(0) + 0.1 * frame["fta"])).astype(float)
    return frame


def _dyads(rows):
    from analysis.pure.exports import release_frame

    return release_frame(rows, [], shape="dyad")


@pytest.fixture
def stored(db, settings, tmp_path, mini_version):
    settings.MEDIA_ROOT = tmp_path / "media"
    release = release_of(mini_version)
    panel = panel_store(panel_frame(release.rows), name="from release", release=release)[0]
    return panel, release


def test_the_release_own_depths_give_back_the_stored_panel_and_a_draw_moves_only_its_treaty(stored):
    panel, release = stored
    frame = pd.read_pickle(_path(panel))
    same = pv.panel_with_depths(frame, release.rows, {})
    for column in ("depth", "depth_fta", "depth_fta_lag1"):
        pd.testing.assert_series_equal(same[column], frame[column])
    moved = pv.panel_with_depths(frame, release.rows, {"1": 1.5})  # AUS-CHL, in force from 2001
    changed = frame.index[(moved["depth_fta"] != frame["depth_fta"]).to_numpy()]
    pairs = set(frame.loc[changed, "pair_id"].astype(str))
    assert pairs == {"AUS_CHL", "CHL_AUS"} and set(frame.loc[changed, "year"]) == {2001, 2002, 2003, 2004}
    assert (moved.loc[changed, "depth_fta"] == 1.5).all()
    lagged = moved[(moved.pair_id == "AUS_CHL") & (moved.year == 2002)]
    assert lagged["depth_fta_lag1"].item() == 1.5 and list(moved.columns) == list(frame.columns)


def test_a_draw_gives_the_depths_of_the_panel_builders_own_merge(stored):
    # The draws reuse one (row, treaty in force) index; the builder merges afresh: same depths.
    from analysis.pure import country_codes
    from analysis.pure.exports import release_frame

    panel, release = stored
    frame = pd.read_pickle(_path(panel))
    depths = {str(row["agreement_id"]): 0.7 * k - 1.0 for k, row in enumerate(release.rows)}
    depths[str(release.rows[0]["agreement_id"])] = None  # a treaty without a depth: not a 0
    index = pv.treaties_in_force(frame, release.rows)
    ours = pv.panel_with_depths(frame, release.rows, depths, index)
    dyads = release_frame([dict(r, depth=depths[str(r["agreement_id"])]) for r in release.rows], [], shape="dyad")
    dyads, _ = country_codes.recode(dyads, "dyads", ["iso3_i", "iso3_j"], year="year")
    _fta, expected = builder.fta_from_dyads(frame, dyads)
    np.testing.assert_array_equal(ours["depth"].to_numpy(), expected.to_numpy())
    assert ours["depth"].notna().sum() > 0 and ours["depth"].isna().sum() > 0


def _path(panel):
    from analysis.services.panels import panel_file

    return panel_file(panel)


def test_irt_draws_are_normal_around_the_depth_and_reproducible(stored):
    _panel, release = stored
    draws = pv.irt_draws(release.rows, draws=400, seed=11)
    assert draws[:3] == pv.irt_draws(release.rows, draws=3, seed=11)  # draw m depends on (seed, m) only
    assert draws[0] != pv.irt_draws(release.rows, draws=1, seed=12)[0]
    values = np.array([[draw[str(i + 1)] for i in range(len(TREATIES))] for draw in draws])
    depth = np.array([t[2] for t in TREATIES])
    se = np.array([t[3] for t in TREATIES])
    # Means within 4 standard errors of the mean (se / sqrt(400)); SDs within 15% of depth_se
    # (the SD of a sample SD of 400 normals is about 3.5% of sigma).
    assert np.all(np.abs(values.mean(axis=0) - depth) < 4 * se / 20)
    assert np.all(np.abs(values.std(axis=0, ddof=1) / se - 1) < 0.15)


def test_refusals_name_the_key(stored, mini_version):
    panel, release = stored
    with pytest.raises(SpecError, match=r"depth_uncertainty.draws.*from 2 to 200"):
        check_spec(dict(SPEC, depth_uncertainty={"draws": 1, "source": "irt"}))
    with pytest.raises(SpecError, match=r"depth_uncertainty.source.*'coders' or 'irt'"):
        check_spec(dict(SPEC, depth_uncertainty={"draws": 5, "source": "bootstrap"}))
    with pytest.raises(SpecError, match=r"depth_se.*none of the release's 7 rows"):
        pv.irt_draws(release_of(mini_version, with_se=False).rows, draws=5, seed=1)
    with pytest.raises(SpecError, match="uses no depth column"):
        model_run_create(
            panel=panel,
            specs=dict(
                SPEC,
                formula="trade ~ fta | exporter^year + importer^year",
                depth_uncertainty={"draws": 5, "source": "irt"},
            ),
        )
    plain = panel_store(panel_frame(release.rows, seed=4), name="no release")[0]
    with pytest.raises(SpecError, match="not built from a dataset release"):
        model_run_create(panel=plain, specs=dict(SPEC, depth_uncertainty={"draws": 5, "source": "irt"}))


def test_a_fanned_out_run_combines_its_draws_by_rubins_rules(stored, users, client_for):
    panel, release = stored
    spec = dict(SPEC, depth_uncertainty={"draws": 3, "source": "irt", "seed": 5})
    run = model_run_create(panel=panel, specs=spec)
    fits = list(run.fits.order_by("position"))
    assert run.fan_out and len(fits) == 4 and pv.draw_of(fits[0].spec) is None
    assert [pv.draw_of(f.spec)["draw"] for f in fits[1:]] == [1, 2, 3]
    for fit in reversed(fits):  # the draws end first, in any order
        spec_fit_execute(fit_id=fit.pk)
    run.refresh_from_db()
    assert run.status == "DONE" and len(run.results) == 1
    combined = run.results[0]["plausible_values"]
    # Each draw's fit is the fit of the panel with that draw's depths.
    frame = pd.read_pickle(_path(panel))
    direct = [
        gravity.fit(pv.panel_with_depths(frame, release.rows, pv.draw_of(f.spec)["depths"]), SPEC)["coefficients"][
            "depth_fta"
        ]
        for f in fits[1:]
    ]
    stored_draws = [f.result for f in run.fits.order_by("position")][1:]
    assert [r["coefficients"]["depth_fta"]["estimate"] for r in stored_draws] == pytest.approx(
        [d["estimate"] for d in direct], rel=1e-6
    )
    q = np.array([r["coefficients"]["depth_fta"]["estimate"] for r in stored_draws])
    u = np.array([r["coefficients"]["depth_fta"]["se"] for r in stored_draws]) ** 2
    cell = combined["coefficients"]["depth_fta"]
    assert cell["estimate"] == pytest.approx(q.mean(), rel=1e-9)
    assert cell["within"] == pytest.approx(u.mean(), rel=1e-9)
    assert cell["between"] == pytest.approx(q.var(ddof=1), rel=1e-9) and cell["between"] > 0
    total = u.mean() + (1 + 1 / 3) * q.var(ddof=1)
    assert cell["se"] == pytest.approx(np.sqrt(total), rel=1e-9)
    assert cell["fmi"] == pytest.approx((1 + 1 / 3) * q.var(ddof=1) / total, rel=1e-9)
    assert cell["single_estimate"] == run.results[0]["coefficients"]["depth_fta"]["estimate"]
    assert combined["depth_terms"] == ["depth_fta"] and rubin.NOTE_FEW_DRAWS in combined["notes"]
    assert combined["seed"] == 5 and combined["changed_treaties"] == 7
    # The run page shows the combination beside the single fit, and says M < 5 in words.
    page = client_for(users["supervisor"]).get(run.get_absolute_url()).content.decode()
    assert "Combined over 3 plausible values of depth" in page and "fewer than 5" in page
    # Draws from the posterior alone attenuate the slope (regression calibration): said in words.
    assert "pulled toward zero" in page and pv.NOTE_UNCONDITIONED in run.results[0]["plausible_values"]["notes"]
    assert 'data-term="depth_fta"' in page and "plausible value 2 of 3 (specification 1)" in page
    # Asked again, the run draws the same values (seeded by (seed, draw)).
    again = model_run_create(panel=panel, specs=spec)
    assert [f.spec for f in again.fits.order_by("position")] == [f.spec for f in fits]


def test_coders_resample_disagreements_and_no_disagreement_says_b_is_zero(db, settings, tmp_path, mini_version):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreements = [AgreementFactory(name="-".join(t[0]), parties=t[0]) for t in TREATIES]
    release = release_of(mini_version, agreements=agreements)
    a, b = UserFactory(username="coder_a", role="coder"), UserFactory(username="coder_b", role="coder")
    indicators = {i.code: i for i in mini_version.indicators.all()}
    for coder, harmon in ((a, 2), (b, 0)):  # CHN-KOR: the coders disagreed on harmon (2 vs 0)
        coding = Coding.objects.create(agreement=agreements[1], version=mini_version, coder=coder, state="submitted")
        Answer.objects.create(coding=coding, indicator=indicators["wto"], value=1)
        Answer.objects.create(coding=coding, indicator=indicators["harmon"], value=harmon)
    panel = panel_store(panel_frame(release.rows), name="coders", release=release)[0]
    from analysis.services.plausible_values import draw_specs

    children = draw_specs(panel=panel, specs=[dict(SPEC, depth_uncertainty={"draws": 20, "source": "coders"})])
    china_korea = {child[pv.DRAW_KEY]["depths"][str(agreements[1].pk)] for child in children}
    assert china_korea == {3.0, 1.0}  # wto + harmon under coder a or coder b
    others = {
        (k, v) for child in children for k, v in child[pv.DRAW_KEY]["depths"].items() if k != str(agreements[1].pk)
    }
    assert others == {(str(agreements[i].pk), TREATIES[i][2]) for i in range(len(TREATIES)) if i != 1}
    assert children[0][pv.DRAW_KEY]["changed_treaties"] == 1 and "seed" in children[0][pv.DRAW_KEY]

    Answer.objects.filter(coding__coder=b, indicator__code="harmon").update(value=2)  # now they agree
    run = model_run_execute(
        run_id=model_run_create(
            panel=panel, specs=dict(SPEC, depth_uncertainty={"draws": 2, "source": "coders"}), dispatch=False
        ).pk
    )
    combined = run.results[0]["plausible_values"]
    assert combined["changed_treaties"] == 0
    assert combined["coefficients"]["depth_fta"]["between"] == 0
    assert rubin.NOTE_NO_BETWEEN in combined["notes"]
