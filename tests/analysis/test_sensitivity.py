"""Sensitivity runs: one release, one panel and one run per source of codes from the same inputs;
reuse by content, the command's JSON, the page, blindness, and the demo's two reference sources."""

import json
from io import StringIO

import matplotlib
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.models import ModelRun, Panel, SensitivityRun
from analysis.pure import merge_checks, plots
from analysis.selectors.sensitivity import sensitivity_get, sensitivity_sources
from analysis.services.sensitivity import sensitivity_run_create, sensitivity_run_execute
from coding.models import Answer, Coding
from coding.services.assignments import assignment_create
from coding.services.users import reference_coder_get_or_create
from tests.analysis.test_zero_panels import frames, pitfalls, world
from tests.conftest import DATA, SHARED, require_shared
from tests.factories import AgreementFactory

SPEC = {
    "estimator": "ppml",
    "formula": "exports ~ depth_fta + ln_gdp_i + ln_gdp_j + ln_dist | exporter + importer + year",
    "vcov": "hetero",
    "label": "PPML, Depth x FTA",
}
# (parties, entry into force, {source: (wto, harmon)}): the two references disagree on depth
TREATIES = [
    (["CHN", "KOR"], 2012, {"DESTA 2.1": (1, 3), "the study": (1, 1)}),
    (["KOR", "USA"], 2011, {"DESTA 2.1": (1, 1), "the study": (1, 2)}),
    (["DEU", "JPN"], 2012, {"DESTA 2.1": (0, 0), "the study": (1, 3)}),
]


def code(agreement, version, coder, values):
    coding = Coding.objects.create(agreement=agreement, version=version, coder=coder, state=Coding.State.SUBMITTED)
    for indicator, value in zip(version.indicators.all(), values):
        Answer.objects.create(coding=coding, indicator=indicator, value=value)


@pytest.fixture
def setting(db, mini_version, settings, tmp_path, monkeypatch):
    """Three treaties coded by two reference coders; input files written as users have them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("jobs.dispatch.job_send", lambda job: None)  # the broker is tested elsewhere
    monkeypatch.setattr("jobs.dispatch.job_send_group", lambda jobs, on_failure=None: None)
    agreements = []
    for parties, year, codes in TREATIES:
        agreement = AgreementFactory(name="-".join(parties), parties=parties, entry_into_force_year=year)
        agreements.append(agreement)
        for source, values in codes.items():
            code(agreement, mini_version, reference_coder_get_or_create(source), values)
    files = {}
    for kind, frame in frames(*world()).items():
        if kind != "dyads":
            files[kind] = tmp_path / f"{kind}.csv"
            frame.to_csv(files[kind], index=False)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    return {"version": mini_version, "files": files, "spec": spec, "agreements": agreements, "tmp": tmp_path}


def run_command(setting, *extra, sources="DESTA 2.1,the study"):
    out = StringIO()
    files = setting["files"]
    call_command(
        "run_sensitivity",
        "--codebook",
        "mini",
        "--sources",
        sources,
        "--exports",
        str(files["exports"]),
        "--gdp",
        str(files["gdp"]),
        "--dist",
        str(files["dist"]),
        "--spec",
        str(setting["spec"]),
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return json.loads(out.getvalue())


def test_one_column_per_source_then_everything_reused(setting):
    # When the command runs inline on two sources
    first = run_command(setting, "--inline")
    # Then there is one column per source, each with its own release and panel, on the same 100 pair-years
    assert first["status"] == "DONE" and [c["source"] for c in first["columns"]] == ["DESTA 2.1", "the study"]
    desta, study = first["columns"]
    assert desta["release"] != study["release"] and desta["panel"] != study["panel"]
    assert desta["n_obs"] == study["n_obs"] == 100  # zeros included
    assert desta["coefficients"]["depth_fta"]["estimate"] != pytest.approx(
        study["coefficients"]["depth_fta"]["estimate"]
    )
    assert desta["build"]["zeros_added"] > 0 and not desta["build"]["panel_reused"]
    sensitivity = SensitivityRun.objects.get(pk=first["run"])
    assert ModelRun.objects.count() == 2 and sensitivity.inputs["exports"]["name"] == "exports.csv"
    # When it runs again on unchanged codes and inputs
    panels = Panel.objects.count()
    again = run_command(setting, "--inline")
    # Then the releases and panels are the same ones, reused, and so are the estimates
    assert again["run"] != first["run"] and Panel.objects.count() == panels
    for before, after in zip(first["columns"], again["columns"]):
        assert (after["release"], after["panel"]) == (before["release"], before["panel"])
        assert after["build"]["panel_reused"] and after["build"]["release_reused"]
        assert after["coefficients"] == before["coefficients"]


def test_without_inline_the_runs_are_queued_jobs(setting):
    output = run_command(setting)
    assert output["status"] == "QUEUED" and all(
        c["status"] == "QUEUED" and c["n_obs"] is None for c in output["columns"]
    )
    sensitivity = SensitivityRun.objects.get(pk=output["run"])
    sensitivity_run_execute(sensitivity=sensitivity)
    assert {c.run.status for c in sensitivity.columns.select_related("run")} == {"DONE"}


def test_bad_requests_are_refused_before_any_run(setting):
    with pytest.raises(CommandError, match="no codebook 'nope'"):
        call_command(
            "run_sensitivity",
            "--codebook",
            "nope",
            "--sources",
            "x",
            "--exports",
            "e",
            "--gdp",
            "g",
            "--dist",
            "d",
            "--preset",
            "study-table9",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="nothing to release: no codings by nobody"):
        run_command(setting, "--inline", sources="DESTA 2.1,nobody")
    setting["spec"].write_text(json.dumps(dict(SPEC, formula="exports ~ nope")), encoding="utf-8")
    with pytest.raises(CommandError, match="columns not in the panel: nope"):
        run_command(setting, "--inline")
    assert not ModelRun.objects.exists() and not SensitivityRun.objects.exists()
    setting["files"]["gdp"].unlink()
    with pytest.raises(CommandError, match="gdp: no file"):
        run_command(setting)


def test_strict_turns_merge_findings_into_errors(setting):
    for kind, frame in pitfalls().items():
        if kind in setting["files"]:
            frame.to_csv(setting["files"][kind], index=False)
    with pytest.raises(CommandError, match=r"(?s)strict.*ROM is the old code of Romania"):
        run_command(setting, "--inline", "--strict")
    output = run_command(setting, "--inline")  # without --strict: warnings, counted in the output
    assert output["checks"]["changed_codes"] == 1 and output["checks"]["duplicate_keys"] == 2
    assert SensitivityRun.objects.get(pk=output["run"]).checks["changed_codes"][0]["code"] == "ROM"
    with pytest.raises(CommandError, match="strict"):  # the panels are reused, their findings are not forgotten
        run_command(setting, "--inline", "--strict")


def test_the_page_starts_one_and_shows_a_column_per_source(
    setting, client_for, users, django_capture_on_commit_callbacks
):
    client = client_for(users["supervisor"])
    page = client.get(reverse("analysis:sensitivity_list")).content.decode()
    assert 'value="DESTA 2.1"' in page and 'value="the study"' in page and 'value="approved"' in page
    uploads = {
        kind: SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        for kind, path in setting["files"].items()
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("analysis:sensitivity_list"),
            {
                "version": setting["version"].pk,
                "sources": ["DESTA 2.1", "the study"],
                "spec": json.dumps(SPEC),
                "name": "coders",
                "dist_column": "dist",
                **uploads,
            },
        )
    sensitivity = SensitivityRun.objects.get()
    assert response.status_code == 302 and response["Location"] == sensitivity.get_absolute_url()
    sensitivity_run_execute(sensitivity=sensitivity)
    page = client.get(sensitivity.get_absolute_url())
    assert page.context["table"]["columns"] == ["DESTA 2.1", "the study"]
    footer = dict(page.context["table"]["footer"])
    assert footer["Dataset release"][0].startswith("#") and len(footer["Panel (hash)"][1]) == 12
    assert 'id="coefficient-plot"' in page.content.decode() and "depth_fta" in page.content.decode()
    plot = client.get(reverse("analysis:sensitivity_plot", args=[sensitivity.pk, "svg"]))
    assert plot.status_code == 200 and plot["Content-Type"] == "image/svg+xml"
    csv = client.get(reverse("analysis:sensitivity_table", args=[sensitivity.pk, "csv"])).content.decode()
    assert csv.splitlines()[0] == "variable,DESTA 2.1,the study"
    status = client.get(reverse("analysis:sensitivity_status", args=[sensitivity.pk])).json()
    assert status["status"] == "DONE" and status["finished"] and len(status["columns"]) == 2
    # A form without files is answered with the message and the form
    response = client.post(
        reverse("analysis:sensitivity_list"),
        {"version": setting["version"].pk, "sources": ["the study"], "preset": "study-table9"},
    )
    assert response.status_code == 400 and "inputs missing: exports, gdp, dist" in response.content.decode()


def test_blindness_reaches_sensitivity_runs(setting, users, client_for, mini_version):
    # Given coder_a's own submitted codes as a source, and a treaty coder_b codes blind
    code(setting["agreements"][0], mini_version, users["coder"], (1, 2))
    assert sensitivity_sources(users["supervisor"]) == ["approved", "DESTA 2.1", "coder_a", "the study"]
    assert sensitivity_sources(users["coder"]) == ["approved", "DESTA 2.1", "coder_a", "the study"]
    assert sensitivity_sources(users["coder_b"]) == ["approved", "DESTA 2.1", "the study"]  # not offered
    files = {kind: str(path) for kind, path in setting["files"].items()}
    mine = sensitivity_run_create(
        version=mini_version, sources=["coder_a", "DESTA 2.1"], files=files, specs=[SPEC], dispatch=False
    )
    with pytest.raises(Exception, match="unknown source: coder_a"):
        sensitivity_run_create(
            version=mini_version, sources=["coder_a"], files=files, specs=[SPEC], user=users["coder_b"]
        )
    assert sensitivity_get(users["coder"], mine.pk) is not None and sensitivity_get(users["coder_b"], mine.pk) is None
    assignment_create(
        agreements=[setting["agreements"][1]], version=mini_version, coders=[users["coder_b"], users["admin"]]
    )
    blind = sensitivity_run_create(
        version=mini_version, sources=["DESTA 2.1"], files=files, specs=[SPEC], dispatch=False
    )
    assert sensitivity_get(users["coder_b"], blind.pk) is None and sensitivity_get(users["coder"], blind.pk) is not None
    assert client_for(users["coder_b"]).get(blind.get_absolute_url()).status_code == 404
    assert client_for(users["supervisor"]).get(blind.get_absolute_url()).status_code == 200
    assert client_for(users["coder_b"]).get(reverse("analysis:sensitivity_list")).status_code == 403


def test_every_series_enters_the_legend():
    # Given a second series without the first variable (the legend used to list only series that had it)
    result = {"coefficients": {"x": {"estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5}}}
    other = {"coefficients": {"y": {"estimate": 2.0, "ci_low": 1.5, "ci_high": 2.5}}}
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text, to read the legend
        svg = plots.coefficient_plot([result, other], labels=["DESTA 2.1", "the study"]).decode()
    assert "DESTA 2.1" in svg and "the study" in svg


@pytest.mark.django_db
def test_demo_reference_sources_give_different_depth_estimates(settings, tmp_path, monkeypatch):
    """The demo's two reference sources, the study (Table 6) and DESTA 2.1, on real GDP,
    distances and TBT notifications; exports synthetic (no Comtrade extract ships with the data)."""
    from analysis.pure.simulate import simulate_exports
    from config.demo import demo_load

    for path in (
        "macro/wdi_gdp_current_usd.csv",
        "macro/dist_cepii.csv",
        "macro/eping_tbt_notifications_subset.csv",
        "desta/desta_tbt_02_01.csv",
    ):
        require_shared(DATA / path)
    require_shared(SHARED / "reference" / "paper_table6_china_codings.csv")
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load(log=lambda *a: None, with_texts=False)
    partners = ["KOR", "AUS", "CHE", "PER", "CHL", "NZL", "SGP", "PAK", "ISL", "CRI", "GEO", "USA", "DEU", "JPN"]
    exports = tmp_path / "exports.csv"
    simulate_exports(["CHN", "KOR", "USA", "AUS"], partners, range(2004, 2020), seed=5).to_csv(exports, index=False)
    out = StringIO()
    call_command(
        "run_sensitivity",
        "--codebook",
        "desta-tbt",
        "--sources",
        "the study,DESTA 2.1",
        "--exports",
        str(exports),
        "--gdp",
        str(DATA / "macro/wdi_gdp_current_usd.csv"),
        "--dist",
        str(DATA / "macro/dist_cepii.csv"),
        "--tbt",
        str(DATA / "macro/eping_tbt_notifications_subset.csv"),
        "--preset",
        "study-table9",
        "--inline",
        stdout=out,
        stderr=StringIO(),
    )
    output = json.loads(out.getvalue())
    study, desta = output["columns"]
    assert output["status"] == "DONE" and (study["source"], desta["source"]) == ("the study", "DESTA 2.1")
    depth = [
        next(r for r in c["results"] if r["label"] == "(2) total, Depth x FTA")["coefficients"]["depth_fta"]["estimate"]
        for c in (study, desta)
    ]
    print(f"Depth x FTA: the study {depth[0]:.4f}, DESTA 2.1 {depth[1]:.4f}")
    assert np.isfinite(depth).all() and abs(depth[0] - depth[1]) > 1e-4
    assert study["n_obs"] == desta["n_obs"]  # the same sample, coded differently
    assert set(output["checks"]) == set(merge_checks.KINDS)  # counted on the page and in the output
