"""Bounds before the database (issue 19): every case of tests/bad_inputs/analysis_bounds_cases.py
is refused naming its field or argument (a 400 on a page or the API, a CommandError for a
command, the service's own error), and the database and PANEL_DIR are exactly as before."""
import html
import json
from io import StringIO

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from analysis.models import DatasetRelease, Panel
from analysis.pure import bounds
from analysis.services.panels import panel_dir, panel_store
from analysis.services.releases import release_create
from coding.models import Coding
from coding.services.codings import assignment_create
from tests.analysis.test_gravity import small_panel
from tests.analysis.test_sensitivity import setting  # noqa: F401 - the fixture: treaties, coders, input files
from tests.bad_inputs.analysis_bounds_cases import CASES, OK_SPEC
from tests.bad_inputs.harness import db_snapshot

APPS = ("analysis", "coding", "auth")


@pytest.fixture
def world(setting, settings, users, tmp_path):  # noqa: F811
    """The world of analysis_bounds_cases.py."""
    settings.PANEL_DIR = str(tmp_path / "panels")
    release_create(version=setting["version"], name="desta", source="DESTA 2.1")
    frame = small_panel()
    panel, _created = panel_store(frame, name="small")
    assignment_create(agreements=setting["agreements"][:1], version=setting["version"],
                      coders=[users["coder"], users["coder_b"]])
    originals = {kind: pd.read_csv(path) for kind, path in setting["files"].items()}

    def inputs(value=None, gdp=None, dist=None, year=None, gdp_year=None):
        """The input files, with the first row's value, GDP, distance or year replaced as written."""
        paths = {}
        for kind, frame_ in originals.items():
            frame_ = frame_.astype(object)
            for column, given in {"exports": (("value", value), ("year", year)), "gdp": (("Value", gdp), ("Year", gdp_year)),
                                  "dist": (("dist", dist),)}.get(kind, ()):
                if given is not None:
                    frame_.loc[0, column] = given
            paths[kind] = tmp_path / f"case-{kind}.csv"
            frame_.to_csv(paths[kind], index=False)
        return paths

    clients = {}
    for user in (users["supervisor"], users["coder"]):  # signed in now: a login writes last_login
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    def client(user):
        return clients[user.pk]

    return {**setting, "panel": panel, "frame": frame, "supervisor": users["supervisor"], "coder": users["coder"],
            "coding": Coding.objects.get(coder=users["coder"]), "client": client, "inputs": inputs, "out": StringIO(),
            "tmp": tmp_path}


def panel_files():
    folder = panel_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refusal_text(case, world):
    """What the input got back: the page's or API's answer (after checking its status), or the
    message of the command's or service's error."""
    if case.path == "command":
        with pytest.raises(CommandError) as error:
            case.run(world, case)
        return str(error.value)
    if case.path == "service":
        with pytest.raises((ValueError, ValidationError)) as error:
            case.run(world, case)
        return " ".join(getattr(error.value, "messages", None) or [str(error.value)])
    response = case.run(world, case)
    if getattr(response, "redirect_chain", None):  # the release form: back to the list with its message
        assert response.status_code == 200
        return " ".join(str(message) for message in response.context["messages"])
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return html.unescape(response.content.decode())


def test_the_corpus_covers_every_path():
    assert len(CASES) >= 35 and len({case.name for case in CASES}) == len(CASES)
    assert {case.path for case in CASES} == {"page", "api", "command", "service"}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_out_of_bounds_input_is_refused_and_nothing_is_written(case, world):
    # Given the world, its rows and its panel files
    before, files = db_snapshot(APPS), panel_files()
    assert len(files) == 1

    # When the input comes in
    text = refusal_text(case, world)

    # Then the refusal names the field or argument and says what is wrong
    for fragment in case.expect:
        assert fragment in text, (fragment, text[:2000])
    # and nothing was written: no row, no file
    assert db_snapshot(APPS) == before
    assert panel_files() == files


@pytest.mark.django_db
def test_within_bounds_the_same_paths_still_work(world):
    """The bounds refuse only what they should: the same paths with values inside them succeed."""
    client = world["client"](world["supervisor"])
    spec = dict(OK_SPEC, where={"year": [2000, 2002]}, years=[2000, 2002, 2004])
    assert client.post("/api/runs/", {"panel": str(world["panel"].pk), "spec": spec}, content_type="application/json"
                       ).status_code == 201
    assert client.post("/analysis/runs/", {"panel": world["panel"].pk, "spec": json.dumps(spec)}).status_code == 302
    nested = {"revision": 0, "answers": {"wto": {"value": 1}}}
    assert world["client"](world["coder"]).put(f"/api/codings/{world['coding'].pk}/", nested,
                                               content_type="application/json").status_code == 200
    call_command("release_dataset", "--codebook", "mini", "--source", "the study", "--name", "release 2",
                 "--method", "weighted", "--weights", '{"wto": 0, "harmon": 1000}', stdout=StringIO())
    assert DatasetRelease.objects.get(name="release 2").method["weights"] == {"wto": 0, "harmon": 1000}
    inputs = world["inputs"]()
    call_command("build_panel", "--release", "1", "--exports", str(inputs["exports"]), "--gdp", str(inputs["gdp"]),
                 "--dist", str(inputs["dist"]), "--lags", "fta:50", "--name", "p" * 200, stdout=StringIO(),
                 stderr=StringIO())
    assert Panel.objects.filter(name="p" * 200).exists() and len(panel_files()) == 2
    call_command("export_dataset", "1", "--format", "json", "--out", str(world["tmp"] / "one.json"), stdout=StringIO())
    assert (world["tmp"] / "one.json").stat().st_size > 0


def test_json_depth_counts_brackets_outside_strings_only():
    assert bounds.json_depth('{"a": [[1]], "b": "[[[[[["}') == 3
    assert bounds.json_depth('"\\"[["') == 0 and bounds.json_depth("[]") == 1 and bounds.json_depth("7") == 0
    assert bounds.json_loads("[" * 32 + "]" * 32, "x") is not None
    with pytest.raises(bounds.BoundsError, match="x: JSON nested deeper than 32 levels"):
        bounds.json_loads("[" * 33 + "]" * 33, "x")


@pytest.mark.parametrize("value, problem", [(float("inf"), "not a finite number"), (float("nan"), "not a finite number"),
                                            (10 ** 400, "not a finite number"), (-1, "out of range"),
                                            (1000.5, "out of range"), ("1", "expected a number"), (None, "expected a number")])
def test_a_weight_is_a_finite_number_from_0_to_1000(value, problem):
    with pytest.raises(bounds.BoundsError, match=f"weights w: .*{problem}"):
        bounds.weight(value, "weights w")
    assert bounds.weight(0, "w") == 0.0 and bounds.weight(1000, "w") == 1000.0


def test_years_and_lags_are_whole_and_in_range():
    assert bounds.year_in_range(1800, "y") == 1800 and bounds.year_in_range(2100.0, "y") == 2100
    assert bounds.lag_in_range(50, "k") == 50
    for value, function in ((1799, bounds.year_in_range), (2101, bounds.year_in_range), (1990.5, bounds.year_in_range),
                            (0, bounds.lag_in_range), (51, bounds.lag_in_range), (True, bounds.lag_in_range)):
        with pytest.raises(bounds.BoundsError):
            function(value, "field")
