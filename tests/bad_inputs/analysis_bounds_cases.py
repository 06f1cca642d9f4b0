"""Numbers and names out of bounds on the analysis side (issue 19, "Bounds before the database"):
each case sends one through a page, the API, a command or a service, and must be refused with a
message naming the field or argument (400 on a page or the API, CommandError for a command),
leaving no database row and no file in PANEL_DIR (tests/analysis/test_bounds.py runs them).

The world they meet (the `world` fixture there): codebook `mini`; a stored panel of 224
pair-years (exporter, importer, year, trade, exports, fta, ln_dist); users coder_a and
supervisor; and as a case needs them (NEEDS): three treaties coded by the reference coders
"DESTA 2.1" and "the study" (codes), release 1 of DESTA 2.1's codes (release), a coding of the
first treaty by coder_a (coding), input files for build_panel (inputs: 5 countries, 2010-2014)."""
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command

DEEP = "[" * 1000 + "]" * 1000  # Python's JSON parser recursed once per level: a RecursionError
DEEP_SPEC = '{"formula": "trade ~ fta", "label": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
OK_SPEC = {"estimator": "ppml", "formula": "trade ~ fta + ln_dist | exporter + importer + year"}


@dataclass(frozen=True)
class BoundsCase:
    """name: the test id; path: page, api, command or service; run(world, case) sends the input
    and returns what came back (a response for page and api; a command must raise CommandError);
    expect: fragments the refusal must contain (the field or argument among them)."""

    name: str
    path: str
    run: Callable
    expect: tuple
    data: object = None

    @property
    def needs(self):
        """The parts of the world this case meets beyond users and the panel (built lazily: most
        cases need none of them)."""
        return NEEDS.get(self.run.__name__, ())


def spec_text(where=None, **keys):
    """A spec as JSON text with `where` and other values written literally (1e999, NaN)."""
    parts = [f'"formula": "{keys.pop("formula", OK_SPEC["formula"])}"']
    if where is not None:
        parts.append(f'"where": {where}')
    parts += [f'"{key}": {value}' for key, value in keys.items()]
    return "{" + ", ".join(parts) + "}"


# --- how each path is driven -------------------------------------------------------------------

def runs_page(world, case):
    client = world["client"](world["supervisor"])
    return client.post("/analysis/runs/", {"panel": world["panel"].pk, "spec": case.data})


def runs_api(world, case):
    client = world["client"](world["supervisor"])
    body = case.data if isinstance(case.data, str) else json.dumps({"panel": str(world["panel"].pk), **case.data})
    return client.post("/api/runs/", body, content_type="application/json")


def runs_api_raw(world, case):
    """A body written by hand around the spec text, so that 1e999 and NaN stay as written."""
    client = world["client"](world["supervisor"])
    panel_id = world["panel"].pk
    body = f'{{"panel": "{panel_id}", "spec": {case.data}}}'
    return client.post("/api/runs/", body, content_type="application/json")


def coding_api(world, case):
    client = world["client"](world["coder"])
    return client.put(f"/api/codings/{world['coding'].pk}/", case.data, content_type="application/json")


def run_gravity(world, case):
    path = world["tmp"] / "bad-spec.json"
    path.write_text(case.data, encoding="utf-8")
    call_command("run_gravity", "--panel", str(world["panel"].pk), "--spec", str(path), stdout=world["out"])


def run_gravity_preset(world, case):
    call_command("run_gravity", "--panel", str(world["panel"].pk), "--preset", "study-table9", "--years", case.data,
                 stdout=world["out"])


def run_gravity_option(world, case):
    """A preset run with one bad option (--timeout, --wait-timeout): refused before any row."""
    call_command("run_gravity", "--panel", str(world["panel"].pk), "--preset", "structural-ppml", *case.data,
                 stdout=world["out"])


def release_agreements_file(world, case):
    """release_dataset --agreements with a list file of these bytes (not UTF-8, say)."""
    path = world["tmp"] / "listed.txt"
    path.write_bytes(case.data)
    call_command("release_dataset", "--codebook", "mini", "--source", "the study", "--name", "listed",
                 "--agreements", str(path), stdout=world["out"])


def release_dataset(world, case):
    call_command("release_dataset", "--codebook", "mini", "--source", "the study", *case.data, stdout=world["out"])


def release_form(world, case):
    client = world["client"](world["supervisor"])
    return client.post("/analysis/releases/new/", {"version": world["version"].pk, "source": "the study", **case.data},
                       follow=True)


def build_panel(world, case):
    arguments, files = case.data
    inputs = world["inputs"](**files)
    call_command("build_panel", "--release", "1", "--exports", str(inputs["exports"]), "--gdp", str(inputs["gdp"]),
                 "--dist", str(inputs["dist"]), *arguments, stdout=world["out"], stderr=world["out"])


def run_sensitivity(world, case):
    arguments, files, spec = case.data
    inputs = world["inputs"](**files)
    path = world["tmp"] / "sensitivity-spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    call_command("run_sensitivity", "--codebook", "mini", "--sources", "DESTA 2.1,the study", "--exports",
                 str(inputs["exports"]), "--gdp", str(inputs["gdp"]), "--dist", str(inputs["dist"]), "--spec", str(path),
                 *arguments, stdout=world["out"], stderr=world["out"])


def export_dataset(world, case):
    out = world["tmp"] / case.data
    call_command("export_dataset", "1", "--format", "csv", "--out", str(out), stdout=world["out"])


def import_panel(world, case):
    path = world["tmp"] / "ready.csv"
    path.write_text("exporter,importer,year,trade\nAAA,BBB,2000,1\nBBB,AAA,2000,2\n", encoding="utf-8")
    call_command("import_panel", str(path), *case.data, stdout=world["out"])


def panel_store_service(world, case):
    from analysis.services.panels import panel_store
    panel_store(world["frame"], name=case.data)


def release_service(world, case):
    from analysis.services.releases import release_create
    release_create(version=world["version"], name="weighted", source="the study",
                   method={"name": "weighted", "weights": case.data})


NEEDS = {"coding_api": ("coding",), "release_dataset": ("codes",), "release_form": ("codes",),
         "release_service": ("codes",), "build_panel": ("release", "inputs"), "run_sensitivity": ("codes", "inputs"),
         "export_dataset": ("release",), "release_agreements_file": ("codes",)}


# --- the cases -----------------------------------------------------------------------------------

def page(name, data, *expect):
    return BoundsCase(f"runs-page-{name}", "page", runs_page, expect, data)


def command(name, function, data, *expect):
    return BoundsCase(name, "command", function, expect, data)


RUN_CASES = [
    page("where-year-1e999", spec_text('{"year": [1e999]}'), "spec", "1e999", "not a finite number"),
    page("where-nan", spec_text('{"fta": NaN}'), "spec", "NaN", "not a finite number"),
    page("years-infinity", spec_text(years="[2000, Infinity]"), "spec", "Infinity"),
    page("where-year-99999", spec_text('{"year": [2000, 99999]}'), "spec 'where' year", "99999", "1800 to 2100"),
    page("where-huge-number", spec_text('{"fta": [1e300]}'), "spec 'where' fta", "out of range"),
    page("where-huge-integer", spec_text('{"fta": [' + "9" * 30 + "]}"), "spec 'where' fta", "out of range"),
    page("formula-1e999", spec_text(formula="trade ~ I(fta * 1e999)"), "formula", "1e999", "not finite"),
    page("nested-1000-deep", DEEP, "spec", "nested deeper than 32 levels"),
    page("nested-40-deep-label", DEEP_SPEC, "spec", "nested deeper than 32 levels"),
    BoundsCase("runs-api-where-year-1e999", "api", runs_api_raw, ("request body", "1e999", "not a finite number"),
               spec_text('{"year": [1e999]}')),
    BoundsCase("runs-api-where-nan", "api", runs_api_raw, ("request body", "NaN"), spec_text('{"fta": [NaN]}')),
    BoundsCase("runs-api-maxiter-infinity", "api", runs_api_raw, ("request body", "-Infinity"),
               spec_text(maxiter="-Infinity")),
    BoundsCase("runs-api-nested-1000-deep", "api", runs_api, ("request body", "nested deeper than 32 levels"),
               '{"panel": "1", "spec": ' + DEEP + "}"),
    BoundsCase("runs-api-where-year-99999", "api", runs_api, ("spec 'where' year", "99999"),
               {"spec": dict(OK_SPEC, where={"year": [99999]})}),
    BoundsCase("runs-api-where-year-minus-99999", "api", runs_api, ("spec 'where' year", "-99999"),
               {"spec": dict(OK_SPEC, where={"year": -99999})}),
    BoundsCase("runs-api-preset-years", "api", runs_api, ("years",), {"preset": "study-table9", "years": [99999]}),
    BoundsCase("runs-api-formula-1e999", "api", runs_api, ("formula", "1e999"),
               {"spec": dict(OK_SPEC, formula="trade ~ I(fta * 1e999)")}),
    BoundsCase("codings-api-nested-1000-deep", "api", coding_api, ("request body", "nested deeper than 32 levels"),
               '{"revision": 0, "answers": ' + DEEP + "}"),
    BoundsCase("codings-api-nan-revision", "api", coding_api, ("request body", "NaN"), '{"revision": NaN, "answers": {}}'),
    command("run-gravity-where-year-1e999", run_gravity, spec_text('{"year": [1e999]}'), "spec", "1e999"),
    command("run-gravity-where-nan", run_gravity, spec_text('{"fta": NaN}'), "spec", "NaN"),
    command("run-gravity-nested-1000-deep", run_gravity, DEEP, "spec", "nested deeper than 32 levels"),
    command("run-gravity-where-year-99999", run_gravity, spec_text('{"year": 99999}'), "spec 'where' year", "99999"),
    command("run-gravity-preset-years-9999", run_gravity_preset, "1990,9999", "years", "9999"),
    command("run-gravity-timeout-negative", run_gravity_option, ("--timeout", "-5"), "--timeout", "-5.0", "above 0"),
    command("run-gravity-timeout-zero", run_gravity_option, ("--timeout", "0"), "--timeout", "above 0"),
    command("run-gravity-wait-timeout-nan", run_gravity_option, ("--wait", "--wait-timeout", "nan"), "--wait-timeout",
            "nan"),
    command("run-gravity-wait-timeout-1e999", run_gravity_option, ("--wait", "--wait-timeout", "1e999"),
            "--wait-timeout", "inf"),
    command("run-gravity-timeout-a-year", run_gravity_option, ("--timeout", "31536000"), "--timeout", "at most 86400"),
]

RELEASE_CASES = [
    command("release-weights-nan", release_dataset, ("--name", "w", "--method", "weighted", "--weights", '{"harmon": NaN}'),
            "--weights", "NaN", "not a finite number"),
    command("release-weights-infinity", release_dataset,
            ("--name", "w", "--method", "weighted", "--weights", '{"harmon": Infinity}'), "--weights", "Infinity"),
    command("release-weights-1e999", release_dataset, ("--name", "w", "--method", "weighted", "--weights", '{"wto": 1e999}'),
            "--weights", "1e999"),
    command("release-weights-negative", release_dataset, ("--name", "w", "--method", "weighted", "--weights", '{"wto": -2}'),
            "weights wto", "-2", "0 to 1000"),
    command("release-weights-1e308", release_dataset, ("--name", "w", "--method", "weighted", "--weights", '{"wto": 1e308}'),
            "weights wto", "out of range"),
    command("release-weights-unknown-indicator", release_dataset,
            ("--name", "w", "--method", "weighted", "--weights", '{"tbt_harmon": 2}'), "weights", "'tbt_harmon'",
            "not an indicator of the codebook"),
    command("release-weights-a-list", release_dataset, ("--name", "w", "--method", "weighted", "--weights", "[1, 2]"),
            "weights", "expected an object"),
    command("release-weights-a-string", release_dataset, ("--name", "w", "--method", "weighted", "--weights", '{"wto": "2"}'),
            "weights wto", "expected a number"),
    command("release-weights-nested", release_dataset, ("--name", "w", "--method", "weighted", "--weights", DEEP),
            "--weights", "nested deeper than 32 levels"),
    command("release-weights-not-json", release_dataset, ("--name", "w", "--method", "weighted", "--weights", "{wto: 2}"),
            "--weights", "not JSON"),
    command("release-name-all-digits", release_dataset, ("--name", "1"), "name", "'1'", "read as a number"),
    command("release-name-hash-digits", release_dataset, ("--name", "#2"), "name", "'#2'", "read as a number"),
    command("release-name-padded-digits", release_dataset, ("--name", " 007 "), "name", "'007'", "read as a number"),
    BoundsCase("release-form-name-all-digits", "page", release_form, ("name", "read as a number"), {"name": "12"}),
    BoundsCase("release-service-weight-nan", "service", release_service, ("weights harmon", "not a finite number"),
               {"harmon": float("nan")}),
    BoundsCase("release-service-weight-bool", "service", release_service, ("weights wto", "expected a number"),
               {"wto": True}),
    command("release-agreements-file-not-utf8", release_agreements_file, b"desta:7\n\xff\n", "--agreements",
            "listed.txt, line 2", "not UTF-8 text (byte 0xff"),
    command("release-agreements-file-utf16", release_agreements_file, "desta:7\n".encode("utf-16"), "--agreements",
            "listed.txt, line 1", "UTF-16"),
]

PANEL_CASES = [
    command("build-panel-export-1e400", build_panel, ((), {"value": "1e400"}), "exports", "column value",
            "a number that is not finite on 1 row(s)", "line 2: inf"),
    command("build-panel-export-inf-text", build_panel, ((), {"value": "inf"}), "column value", "not finite"),
    command("build-panel-gdp-1e400", build_panel, ((), {"gdp": "1e400"}), "gdp", "column Value", "not finite"),
    command("build-panel-dist-1e400", build_panel, ((), {"dist": "1e400"}), "dist", "column dist", "not finite"),
    command("build-panel-year-99999", build_panel, ((), {"year": "99999"}), "exports", "column year",
            "a year outside 1800 to 2100"),
    command("build-panel-year-minus-99999", build_panel, ((), {"year": "-99999"}), "column year", "a year outside 1800 to 2100"),
    command("build-panel-gdp-year-99999", build_panel, ((), {"gdp_year": "99999"}), "gdp", "column Year", "outside"),
    command("build-panel-lags-huge", build_panel, (("--lags", "fta:100000000"), {}), "lags and leads", "1 to 50",
            "fta:100000000"),
    command("build-panel-lags-zero", build_panel, (("--lags", "fta:0"), {}), "lags and leads", "fta:0"),
    command("build-panel-leads-51", build_panel, (("--leads", "fta:51"), {}), "lags and leads", "fta:51"),
    command("build-panel-name-300", build_panel, (("--name", "n" * 300), {}), "--name", "300 characters long",
            "at most 200"),
    command("build-panel-name-blank", build_panel, (("--name", "   "), {}), "--name", "a name is needed"),
    command("sensitivity-column-missing", run_sensitivity, ((), {}, dict(OK_SPEC, formula="exports ~ nope")),
            "columns not in the panel: nope"),
    command("sensitivity-lags-huge", run_sensitivity, (("--lags", "fta:1000"), {}, OK_SPEC), "lags and leads", "fta:1000"),
    command("sensitivity-export-1e400", run_sensitivity, ((), {"value": "1e400"}, OK_SPEC), "exports", "column value",
            "not finite"),
    command("sensitivity-name-300", run_sensitivity, (("--name", "s" * 300), {}, OK_SPEC), "name", "at most 200"),
    command("import-panel-name-300", import_panel, ("--name", "p" * 300), "name", "at most 200"),
    BoundsCase("panel-store-name-300", "service", panel_store_service, ("name", "at most 200"), "x" * 300),
    command("export-out-missing-directory", export_dataset, "no/such/folder/out.csv", "--out", "no/such/folder",
            "does not exist"),
    command("export-out-a-directory", export_dataset, ".", "--out", "is a directory"),
]

CASES = RUN_CASES + RELEASE_CASES + PANEL_CASES
