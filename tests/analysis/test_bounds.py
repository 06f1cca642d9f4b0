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
from analysis.pure import panel_builder as builder
from analysis.services.panels import panel_dir, panel_store
from analysis.services.releases import release_create
from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.users import reference_coder_get_or_create
from tests.analysis.test_gravity import small_panel
from tests.analysis.test_sensitivity import TREATIES, code
from tests.analysis.test_zero_panels import frames
from tests.analysis.test_zero_panels import world as trade_world
from tests.bad_inputs.analysis_bounds_cases import CASES, OK_SPEC
from tests.bad_inputs.harness import db_snapshot
from tests.factories import AgreementFactory

APPS = ("analysis", "coding", "auth")


@pytest.fixture
def world(users, mini_version, settings, tmp_path):
    """The world of analysis_bounds_cases.py: users and a stored panel, and the parts a case
    needs, built by need(*parts) before the case's snapshot. No task is ever sent: runs are
    dispatched on commit, and a test's transaction never commits."""
    settings.MEDIA_ROOT, settings.PANEL_DIR = str(tmp_path / "media"), str(tmp_path / "panels")
    frame = small_panel()
    clients = {}
    for user in (users["supervisor"], users["coder"]):  # signed in now: a login writes last_login
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    state = {
        "version": mini_version,
        "panel": panel_store(frame, name="small")[0],
        "frame": frame,
        "tmp": tmp_path,
        "supervisor": users["supervisor"],
        "coder": users["coder"],
        "client": lambda user: clients[user.pk],
        "out": StringIO(),
        "agreements": [],
    }

    def codes():
        for parties, year, values in TREATIES:
            agreement = AgreementFactory(name="-".join(parties), parties=parties, entry_into_force_year=year)
            state["agreements"].append(agreement)
            for source, answers in values.items():
                code(agreement, mini_version, reference_coder_get_or_create(source), answers)

    def coding():
        codes()
        assignment_create(
            agreements=state["agreements"][:1], version=mini_version, coders=[users["coder"], users["coder_b"]]
        )
        state["coding"] = Coding.objects.get(coder=users["coder"])

    def release():
        codes()
        release_create(version=mini_version, name="desta", source="DESTA 2.1")

    def inputs(value=None, gdp=None, dist=None, year=None, gdp_year=None):
        """The input files, with the first row's value, GDP, distance or year replaced as written."""
        paths = {}
        for kind, frame_ in frames(*trade_world()).items():
            frame_ = frame_.astype(object)
            for column, given in {
                "exports": (("value", value), ("year", year)),
                "gdp": (("Value", gdp), ("Year", gdp_year)),
                "dist": (("dist", dist),),
            }.get(kind, ()):
                if given is not None:
                    frame_.loc[0, column] = given
            paths[kind] = tmp_path / f"case-{kind}.csv"
            frame_.to_csv(paths[kind], index=False)
        return paths

    def need(*parts):
        builders = {"codes": codes, "coding": coding, "release": release, "inputs": lambda: None}
        for part in parts:
            builders[part]()

    state.update(need=need, inputs=inputs)
    return state


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
    world["need"](*case.needs)
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
    world["need"]("coding", "release")
    client = world["client"](world["supervisor"])
    spec = dict(OK_SPEC, where={"year": [2000, 2002]}, years=[2000, 2002, 2004])
    assert (
        client.post(
            "/api/runs/", {"panel": str(world["panel"].pk), "spec": spec}, content_type="application/json"
        ).status_code
        == 201
    )
    assert client.post("/analysis/runs/", {"panel": world["panel"].pk, "spec": json.dumps(spec)}).status_code == 302
    nested = {"revision": 0, "answers": {"wto": {"value": 1}}}
    assert (
        world["client"](world["coder"])
        .put(f"/api/codings/{world['coding'].pk}/", nested, content_type="application/json")
        .status_code
        == 200
    )
    call_command(
        "release_dataset",
        "--codebook",
        "mini",
        "--source",
        "the study",
        "--name",
        "release 2",
        "--method",
        "weighted",
        "--weights",
        '{"wto": 0, "harmon": 1000}',
        stdout=StringIO(),
    )
    assert DatasetRelease.objects.get(name="release 2").method["weights"] == {"wto": 0, "harmon": 1000}
    inputs = world["inputs"]()
    call_command(
        "build_panel",
        "--release",
        "1",
        "--exports",
        str(inputs["exports"]),
        "--gdp",
        str(inputs["gdp"]),
        "--dist",
        str(inputs["dist"]),
        "--lags",
        "fta:50",
        "--name",
        "p" * 200,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Panel.objects.filter(name="p" * 200).exists() and len(panel_files()) == 2
    call_command("export_dataset", "1", "--format", "json", "--out", str(world["tmp"] / "one.json"), stdout=StringIO())
    assert (world["tmp"] / "one.json").stat().st_size > 0


def test_json_depth_counts_brackets_outside_strings_only():
    assert bounds.json_depth('{"a": [[1]], "b": "[[[[[["}') == 3
    assert bounds.json_depth('"\\"[["') == 0 and bounds.json_depth("[]") == 1 and bounds.json_depth("7") == 0
    assert bounds.json_loads("[" * 32 + "]" * 32, "x") is not None
    with pytest.raises(bounds.BoundsError, match="x: JSON nested deeper than 32 levels"):
        bounds.json_loads("[" * 33 + "]" * 33, "x")


@pytest.mark.parametrize(
    "value, problem",
    [
        (float("inf"), "not a finite number"),
        (float("nan"), "not a finite number"),
        (10**400, "not a finite number"),
        (-1, "out of range"),
        (1000.5, "out of range"),
        ("1", "expected a number"),
        (None, "expected a number"),
    ],
)
def test_a_weight_is_a_finite_number_from_0_to_1000(value, problem):
    with pytest.raises(bounds.BoundsError, match=f"weights w: .*{problem}"):
        bounds.weight(value, "weights w")
    assert bounds.weight(0, "w") == 0.0 and bounds.weight(1000, "w") == 1000.0


def test_years_and_lags_are_whole_and_in_range():
    assert bounds.year_in_range(1800, "y") == 1800 and bounds.year_in_range(2100.0, "y") == 2100
    assert bounds.lag_in_range(50, "k") == 50
    for value, function in (
        (1799, bounds.year_in_range),
        (2101, bounds.year_in_range),
        (1990.5, bounds.year_in_range),
        (0, bounds.lag_in_range),
        (51, bounds.lag_in_range),
        (True, bounds.lag_in_range),
    ):
        with pytest.raises(bounds.BoundsError):
            function(value, "field")


@pytest.mark.django_db
def test_the_page_says_it_in_the_readers_language(world, settings):
    client = world["client"](world["supervisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for spec, words in (
        ('{"formula": "trade ~ fta", "where": {"year": [1e999]}}', "spec：1e999 不是有限数值"),
        ("[" * 40 + "]" * 40, "spec：JSON 嵌套超过 32 层"),
    ):
        response = client.post("/analysis/runs/", {"panel": world["panel"].pk, "spec": spec})
        assert response.status_code == 400 and words in html.unescape(response.content.decode())


def test_wide_gdp_year_columns_are_bounded_too():
    exports = pd.DataFrame(
        {"reporter": ["AAA"], "partner": ["BBB"], "year": [2000], "commodity": ["1"], "value": [1.0]}
    )
    dist = pd.DataFrame({"iso_o": ["AAA"], "iso_d": ["BBB"], "dist": [10.0]})
    wide = pd.DataFrame({"Country Code": ["AAA"], "2000": [1.0], "99999": [2.0]})
    with pytest.raises(
        builder.PanelInputError, match=r"gdp .wdi.csv., column 99999: 99999 is a year outside 1800 to 2100"
    ):
        builder.check_bounds(exports=exports, gdp=wide, dist=dist, names={"gdp": "wdi.csv"})
    with pytest.raises(builder.PanelInputError, match="column 2000: a number that is not finite on 1 row"):
        builder.check_bounds(
            exports=exports, gdp=wide.drop(columns="99999").assign(**{"2000": [float("-inf")]}), dist=dist
        )
    builder.check_bounds(exports=exports, gdp=wide.drop(columns="99999"), dist=dist)  # within bounds: no error


@pytest.mark.django_db
def test_a_panel_file_written_for_a_refused_row_is_removed(world):
    """The name is checked before the file is written; should the row be refused all the same
    (here: its release was never saved, so Django refuses the INSERT), the file written for it
    goes too, and the file another row names stays."""
    files = panel_files()
    with pytest.raises(ValueError, match="unsaved related object"):
        panel_store(world["frame"].assign(trade=1.0), name="another", release=DatasetRelease(number=99, name="unsaved"))
    assert panel_files() == files and Panel.objects.count() == 1


def test_lags_given_as_data_are_bounded_like_the_command_line():
    frame = pd.DataFrame({"exporter": ["A"], "importer": ["B"], "year": [2000], "x": [1.0]})
    for lags in ({"x": 51}, {"x": 10**9}, {"x": float("inf")}, [("x", 0)], {"x": True}):
        with pytest.raises(builder.PanelInputError, match="x: a lag or lead is a whole number of years from 1 to 50"):
            builder.add_lags(frame, lags)
    assert "x_lag50" in builder.add_lags(frame, {"x": 50}).columns
