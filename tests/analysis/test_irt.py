"""Latent depth (issue 23, item 1): the Rasch / partial credit model of analysis/pure/irt.py
recovers known parameters from simulated codes, its EAP scores and posterior SDs equal a direct
numerical integration of the posterior, it refuses in words, and `release_dataset --method irt`
stores depth and depth_se per row, the item parameters in the summary, and exports and draws them."""

import io
import math
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from scipy import integrate

from analysis.pure import irt
from analysis.selectors.releases import release_export, release_get
from tests.factories import AgreementFactory

SLOPE = 1.2
DIFFICULTIES = [-1.0, -0.4, 0.0, 0.5, 1.0, 1.5]
HARMON_THRESHOLDS = [-0.8, 0.3, 1.1]
RANGES = {**{f"b{j}": (0, 1) for j in range(6)}, "harmon": (0, 3)}


def category_probabilities(theta, slope, thresholds):
    """P(X = x | theta), x = 0..m, written out from Masters' (1982) formula, not from irt.py."""
    numerators = [np.zeros_like(theta)]
    for delta in thresholds:
        numerators.append(numerators[-1] + slope * theta - delta)
    exps = np.exp(np.array(numerators))
    return exps / exps.sum(axis=0)


def simulated(n, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n)
    codes = {}
    for j, difficulty in enumerate(DIFFICULTIES):
        codes[f"b{j}"] = (rng.random(n) < 1 / (1 + np.exp(-(SLOPE * theta - difficulty)))).astype(float)
    cumulative = np.cumsum(category_probabilities(theta, SLOPE, HARMON_THRESHOLDS), axis=0)
    codes["harmon"] = (rng.random(n)[None, :] > cumulative).sum(axis=0).astype(float)
    frame = pd.DataFrame(codes, index=range(1, n + 1))
    return frame, theta


def test_item_parameters_and_scores_are_recovered_from_simulated_codes():
    # Given 1,500 treaties coded from known parameters, 10% of one item's answers missing
    codes, theta = simulated(1500, seed=7)
    codes.loc[codes.index[::10], "b2"] = np.nan
    fitted = irt.fit(codes, RANGES)
    assert fitted.converged and fitted.n_treaties == 1500 and fitted.n_answers == 1500 * 7 - 150
    # Tolerance: 4 sampling SEs. A binary difficulty at n = 1,500 has SE ~0.07-0.09 logits (the fit's
    # own SEs say so, checked below against 1/sqrt(n p q) scaled by the slope), a harmonisation
    # threshold ~0.09-0.11, the slope ~0.05: 4 SE is passed by chance with probability ~6e-5 each.
    for item, truth in zip(fitted.items, [[d] for d in DIFFICULTIES] + [HARMON_THRESHOLDS], strict=True):
        for estimate, se, true in zip(item.thresholds, item.threshold_ses, truth, strict=True):
            assert 0.04 < se < 0.15
            assert abs(estimate - true) < 4 * se, (item.code, estimate, true, se)
    assert abs(fitted.slope - SLOPE) < 4 * fitted.slope_se
    # Scores: with this test's information the EAP's correlation with the true depth is
    # sqrt(reliability) ~0.85; its sampling SE at n = 1,500 is ~0.01, so 0.80 is 5 SE below.
    assert np.corrcoef(fitted.eap, theta)[0, 1] > 0.80
    # The posterior SD is an honest standard error: about 95% of true depths lie within 1.96 SD of
    # the EAP (binomial SE of the share at n = 1,500: 0.006; the band is +-3 SE).
    covered = np.mean(np.abs(fitted.eap.to_numpy() - theta) < 1.96 * fitted.posterior_sd.to_numpy())
    assert 0.93 < covered < 0.97
    # A treaty missing an answer is scored from the others, with a wider posterior than the same
    # answers complete.
    assert fitted.posterior_sd.loc[codes.b2.isna()].mean() > fitted.posterior_sd.loc[codes.b2.notna()].mean()


def test_eap_and_posterior_sd_equal_a_numerical_integration_of_the_posterior():
    codes, _ = simulated(40, seed=3)
    codes.loc[2, ["b1", "harmon"]] = np.nan
    fitted = irt.fit(codes, RANGES)
    slope = fitted.slope
    thresholds = {item.code: item.thresholds for item in fitted.items}

    def probability(t, code, x):  # Masters' formula again, scalar, for the integrator's speed
        numerators, running = [0.0], 0.0
        for delta in thresholds[code]:
            running += slope * t - delta
            numerators.append(running)
        return math.exp(numerators[x]) / sum(math.exp(v) for v in numerators)

    def likelihood(t, answers):
        value = math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
        for code, x in answers:
            value *= probability(t, code, x)
        return value

    def integral(f, answers):
        return integrate.quad(f, -9, 9, args=(answers,), epsabs=1e-12, limit=100)[0]

    log_likelihood = 0.0
    patterns = codes.apply(lambda r: tuple((c, int(v)) for c, v in r.dropna().items()), axis=1)
    for answers, treaties in patterns.groupby(patterns).groups.items():
        mass = integral(likelihood, answers)
        mean = integral(lambda t, a: t * likelihood(t, a), answers) / mass
        second = integral(lambda t, a: t * t * likelihood(t, a), answers) / mass
        for agreement_id in treaties:
            assert fitted.eap.loc[agreement_id] == pytest.approx(mean, abs=1e-6)
            assert fitted.posterior_sd.loc[agreement_id] == pytest.approx(math.sqrt(second - mean**2), abs=1e-6)
        log_likelihood += len(treaties) * math.log(mass)
    # The reported log-likelihood is the marginal likelihood the quadrature approximates.
    assert fitted.log_likelihood == pytest.approx(log_likelihood, abs=1e-6)


def test_the_item_curves_and_test_information_follow_the_parameters():
    codes, _ = simulated(200, seed=11)
    summary = irt.fit(codes, RANGES).summary()
    drawn = irt.curves(summary, grid=np.array([-1.0, 0.0, 2.0]))
    slope, first = summary["slope"], summary["items"][0]
    p = 1 / (1 + np.exp(-(slope * np.array([-1.0, 0.0, 2.0]) - first["thresholds"][0])))
    assert drawn["characteristic"]["b0"] == pytest.approx(p.tolist())
    # Information of a binary item is slope^2 p q; of the partial credit item slope^2 Var(X | theta).
    harmon = category_probabilities(np.array([0.0]), slope, summary["items"][-1]["thresholds"])[:, 0]
    variance = harmon @ np.arange(4) ** 2 - (harmon @ np.arange(4)) ** 2
    binary = sum((lambda q: q * (1 - q))(1 / (1 + math.exp(item["thresholds"][0]))) for item in summary["items"][:-1])
    assert drawn["information"][1] == pytest.approx(slope**2 * (binary + variance))
    assert drawn["standard_error"][1] == pytest.approx(1 / math.sqrt(drawn["information"][1]))


def test_refusals_name_the_indicator_and_the_count():
    codes, _ = simulated(40, seed=5)
    constant = codes.assign(b3=1.0)
    with pytest.raises(irt.IrtRefusal, match=r"b3 does not vary: all 40 treaties coded on it have 1"):
        irt.fit(constant, RANGES)
    # A codebook value no treaty has is left out (its threshold would be infinite), and the fit says so.
    unused = irt.fit(codes.assign(harmon=codes.harmon.replace(3, 2)), RANGES)
    assert unused.items[-1].values == [0, 1, 2] and len(unused.items[-1].thresholds) == 2
    assert "harmon: no treaty of the 40 coded on it has the value 3; fitted on the values used (0, 1, 2)" in (
        unused.warnings
    )
    with pytest.raises(irt.IrtRefusal, match=r"at least 10 treaties with codes; 9 have any"):
        irt.fit(codes.iloc[:9], RANGES)
    # A treaty without any answer neither counts towards the minimum nor gets a score.
    blank = codes.copy()
    blank.loc[1] = np.nan
    fitted = irt.fit(blank, RANGES)
    assert fitted.n_treaties == 39 and math.isnan(fitted.eap.loc[1]) and math.isnan(fitted.posterior_sd.loc[1])
    assert any("1 treaties have no code on any depth indicator" in w for w in fitted.warnings)


@pytest.mark.django_db
def test_release_dataset_method_irt_end_to_end(users, mini_version, tmp_path, client_for):
    # Given 20 agreements coded on the mini codebook (wto binary, harmon 0-3) by a reference source
    rng = np.random.default_rng(2)
    agreements = [AgreementFactory(parties=["AAA", f"B{i:02d}"]) for i in range(20)]
    theta = rng.standard_normal(20)
    wto = (rng.random(20) < 1 / (1 + np.exp(-(1.5 * theta + 0.5)))).astype(int)
    harmon = np.array([i % 4 for i in range(20)])  # every category used
    path = tmp_path / "codes.csv"
    path.write_text(
        "agreement,coder,indicator,value\n"
        + "".join(
            f"{a.pk},archive,wto,{w}\n{a.pk},archive,harmon,{h}\n"
            for a, w, h in zip(agreements, wto, harmon, strict=True)
        ),
        encoding="utf-8",
    )
    call_command("import_codings", str(path), "--codebook", "mini", "--reference", stdout=StringIO())
    # When the archive's codes are released with the latent method
    out = StringIO()
    call_command(
        "release_dataset",
        "--codebook",
        "mini",
        "--name",
        "latent",
        "--source",
        "archive",
        "--method",
        "irt",
        stdout=out,
    )
    # Then each row has the fit's EAP and posterior SD, and the item parameters are kept
    release = release_get("latent")
    assert "latent depth (EAP, posterior SD as depth_se): 20 treaties" in out.getvalue()
    codes = pd.DataFrame({"wto": wto.astype(float), "harmon": harmon.astype(float)}, index=[a.pk for a in agreements])
    direct = irt.fit(codes, {"wto": (0, 1), "harmon": (0, 3)})
    for row in release.rows:
        assert row["depth"] == pytest.approx(direct.eap.loc[row["agreement_id"]], abs=1e-8)
        assert row["depth_se"] == pytest.approx(direct.posterior_sd.loc[row["agreement_id"]], abs=1e-8)
    latent = release.summary["irt"]
    assert [i["code"] for i in latent["items"]] == ["wto", "harmon"] and latent["converged"] is True
    assert len(latent["items"][1]["thresholds"]) == 3 and latent["n_treaties"] == 20
    assert release.summary["tiers_basis"] == "additive" and release.method["name"] == "irt"
    # The exports carry depth_se (Stata: labelled)
    data, _, _ = release_export(release, fmt="dta")
    with pd.io.stata.StataReader(io.BytesIO(data)) as reader:
        labels = reader.variable_labels()
        frame = reader.read()
    assert labels["depth_se"].startswith("standard error of the latent depth score")
    assert frame["depth_se"].tolist() == pytest.approx([r["depth_se"] for r in release.rows])
    csv_text = release_export(release, fmt="csv")[0].decode("utf-8-sig")
    assert "depth_se" in csv_text.splitlines()[0]
    # And the release page shows the item parameters and draws the curves
    client = client_for(users["coder"])
    page = client.get(release.get_absolute_url()).content.decode()
    assert 'id="irt-items"' in page and "irt.svg" in page
    svg = client.get(reverse("analysis:release_irt_curves", args=[release.number, "svg"]))
    assert svg.status_code == 200 and svg.content.startswith(b"<?xml")
    # The release form offers the method and reaches the same release (same content, same hash)
    supervisor = client_for(users["supervisor"])
    assert 'value="irt"' in supervisor.get(reverse("analysis:release_list")).content.decode()
    answer = supervisor.post(
        reverse("analysis:release_new"),
        {"version": mini_version.pk, "name": "again", "source": "archive", "method": "irt"},
        follow=True,
    )
    assert f"Nothing changed since release {release.number}" in answer.content.decode()
    # A refusal reaches the command line in words: a source coding every treaty wto = 1
    path.write_text(
        "agreement,coder,indicator,value\n"
        + "".join(f"{a.pk},constant,wto,1\n{a.pk},constant,harmon,{h % 4}\n" for h, a in enumerate(agreements[:12])),
        encoding="utf-8",
    )
    call_command("import_codings", str(path), "--codebook", "mini", "--reference", stdout=StringIO())
    with pytest.raises(CommandError, match=r"wto does not vary: all 12 treaties coded on it have 1"):
        call_command("release_dataset", "--codebook", "mini", "--name", "x", "--method", "irt", "--source", "constant")
