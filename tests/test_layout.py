"""The house rules, read from the imports so the layout cannot drift back (docs/architecture.md):
pure modules import no Django, the coding app never imports the analysis app, no service imports
a task module, and no source file is longer than 450 lines."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    p
    for folder in ("coding", "analysis", "config")
    for p in (ROOT / folder).rglob("*.py")
    if "migrations" not in p.parts
]
SOURCES += sorted((ROOT / "web").rglob("*.py"))  # the web layer both apps share
PURE = [
    *(ROOT / "coding" / "pure").rglob("*.py"),
    *(ROOT / "analysis" / "pure").rglob("*.py"),
    *(ROOT / "coding" / "precoder").glob("*.py"),
    *(ROOT / "coding" / "importers").rglob("*.py"),
]
MAX_LINES = 450


def imported_modules(path):
    """Absolute names of every module `path` imports, at any depth (imports inside functions
    count: they are dependencies all the same)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def rel(path):
    return str(path.relative_to(ROOT))


def test_the_pure_modules_exist_and_import_no_django():
    assert len(PURE) >= 10
    offenders = {
        rel(p): [m for m in imported_modules(p) if m.split(".")[0] in {"django", "rest_framework", "celery"}]
        for p in PURE
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_coding_app_never_imports_the_analysis_app():
    offenders = {
        rel(p): [m for m in imported_modules(p) if m.split(".")[0] == "analysis"]
        for p in (ROOT / "coding").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_service_imports_a_task_module():
    services = [p for p in SOURCES if "services" in p.parts or p.stem == "services"]
    assert services
    offenders = {rel(p): [m for m in imported_modules(p) if m.endswith(".tasks") or ".tasks." in m] for p in services}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pages_and_apis_do_not_write_models_directly():
    """Views and APIs call services for writes: no `.objects.create/update/delete` in them."""
    layers = [p for p in SOURCES if {"views", "apis"} & set(p.parts)]
    assert layers
    writes = (".objects.create(", ".objects.update(", ".objects.bulk_create(", ".delete()")
    offenders = [rel(p) for p in layers if any(w in p.read_text(encoding="utf-8") for w in writes)]
    assert offenders == []


def test_no_source_file_is_longer_than_the_limit():
    long = {
        rel(p): n
        for p in SOURCES + list((ROOT / "tests").rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# --- the web layer only translates (web/, and the pages and API of both apps) -----------------
APPS = {"coding", "analysis", "jobs", "web"}
WEB_LAYERS = {"views", "apis"}


def models_imported(path):
    """The models modules of our apps that `path` imports (coding.models, analysis.models.runs, ...)."""
    return [m for m in imported_modules(path) if m.split(".")[0] in APPS and "models" in m.split(".")[1:]]


def model_reads(path):
    """Model queries written into `path` itself instead of asking a selector."""
    text = path.read_text(encoding="utf-8")
    return [pattern for pattern in (".objects.", "get_object_or_404(", "_default_manager") if pattern in text]


def web_layer_offenders(paths):
    return {rel(p): models_imported(p) + model_reads(p) for p in paths if models_imported(p) or model_reads(p)}


def test_pages_and_apis_read_through_selectors_and_import_no_models():
    layers = [p for p in SOURCES if WEB_LAYERS & set(p.parts)]
    assert len(layers) >= 15
    assert web_layer_offenders(layers) == {}


def test_the_layout_test_sees_a_page_that_reads_a_model(tmp_path, monkeypatch):
    """The rule above fails on a violation (a test of the test): a page importing a model and
    querying it is named, with what it does."""
    monkeypatch.setitem(globals(), "ROOT", tmp_path)  # a tree of its own: nothing is added to the real one
    page = tmp_path / "coding" / "views" / "violation.py"
    page.parent.mkdir(parents=True)
    page.write_text(
        "from ..models import Agreement\n\n\ndef page(request, pk):\n    return Agreement.objects.get(pk=pk)\n",
        encoding="utf-8",
    )
    assert web_layer_offenders([page]) == {
        "coding/views/violation.py": ["coding.models", "coding.models.Agreement", ".objects."]
    }


def test_the_shared_web_layer_knows_no_analysis_and_only_pages_apis_and_tags_use_it():
    """web/ may ask the coding app (roles, visibility, selectors), never the analysis app; in the
    apps only pages, the API and template tags import it (a service or selector never does)."""
    assert {
        rel(p): [m for m in imported_modules(p) if m.split(".")[0] == "analysis"]
        for p in (ROOT / "web").rglob("*.py")
        if any(m.split(".")[0] == "analysis" for m in imported_modules(p))
    } == {}
    users = [
        p
        for folder in ("coding", "analysis")
        for p in (ROOT / folder).rglob("*.py")
        if any(m.split(".")[0] == "web" for m in imported_modules(p))
    ]
    assert users and [rel(p) for p in users if not {"views", "apis", "templatetags"} & set(p.parts)] == []


def test_the_analysis_app_borrows_nothing_from_the_coding_apps_web_layer():
    """Error mapping, permissions and shared template tags live in web/, not in coding's pages or API."""
    borrowed = {
        rel(p): [
            m
            for m in imported_modules(p)
            if m.split(".")[:2] in (["coding", "apis"], ["coding", "views"], ["coding", "templatetags"])
        ]
        for p in (ROOT / "analysis").rglob("*.py")
    }
    assert {k: v for k, v in borrowed.items() if v} == {}


# --- jobs: their own app, below both apps; no app module imports the project (config) -------
def config_importers(paths):
    """Modules of the apps (or of the jobs app) that import `config`: only config/ may know
    everyone (the Celery app is reached through celery.current_app)."""
    return {
        rel(p): [m for m in imported_modules(p) if m.split(".")[0] == "config"]
        for p in paths
        if any(m.split(".")[0] == "config" for m in imported_modules(p))
    }


def app_importers(paths, apps=("coding", "analysis")):
    """Modules of the jobs app that import one of `apps`: the apps plug into it, not it into them."""
    return {
        rel(p): [m for m in imported_modules(p) if m.split(".")[0] in apps]
        for p in paths
        if any(m.split(".")[0] in apps for m in imported_modules(p))
    }


def app_modules(*folders):
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def test_no_module_of_the_apps_or_the_jobs_app_imports_config():
    """Management commands are entry points like manage.py (load_demo runs config.demo, which
    knows both apps): they may; no service, selector, model, task, page or API may."""
    modules = [p for p in app_modules("coding", "analysis", "jobs") if "management" not in p.parts]
    assert len(modules) > 50 and config_importers(modules) == {}


def test_the_jobs_app_imports_neither_app():
    modules = app_modules("jobs")
    assert {"models.py", "dispatch.py", "lifecycle.py", "sweeper.py", "workers.py", "selectors.py"} <= {
        p.name for p in modules
    }
    assert app_importers(modules) == {}
    assert {rel(p): n for p in modules if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES} == {}


def test_the_jobs_rules_see_a_deliberate_violation(tmp_path, monkeypatch):
    """A test of the two rules above: a jobs module importing the coding app and config is named."""
    monkeypatch.setitem(globals(), "ROOT", tmp_path)  # a tree of its own: nothing is added to the real one
    bad = tmp_path / "jobs" / "violation.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "from config.celery import app\n\n\ndef send():\n    from coding.models import TextImport\n", encoding="utf-8"
    )
    assert config_importers([bad]) == {"jobs/violation.py": ["config.celery", "config.celery.app"]}
    assert app_importers([bad]) == {"jobs/violation.py": ["coding.models", "coding.models.TextImport"]}


NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)$")
NOQA_WITH_REASON = re.compile(r"^: [A-Z]+[0-9]+(, ?[A-Z]+[0-9]+)* +[-—] +\S")


def noqa_without_reason(paths):
    """`file:line` of each noqa comment that does not name its rule(s) and say why after a dash."""
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (match := NOQA.search(line)) and not NOQA_WITH_REASON.match(match["rest"]):
                found.append(f"{rel(path)}:{number}")
    return found


def test_every_noqa_names_its_rule_and_says_why():
    """README's rule for developers: a silenced lint names what it silences and why."""
    paths = [p for p in ROOT.rglob("*.py") if not {".venv", "node_modules"} & set(p.parts)]
    assert noqa_without_reason(paths) == []


def test_the_noqa_rule_catches_a_bare_and_a_reasonless_noqa(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    sample = tmp_path / "sample.py"
    silence = "# no" + "qa"  # split, or this file would break its own rule
    sample.write_text(
        f"import os  {silence}\nimport re  {silence}: F401\nimport sys  {silence}: F401 - kept for the plugin\n",
        encoding="utf-8",
    )
    assert noqa_without_reason([sample]) == ["sample.py:1", "sample.py:2"]
