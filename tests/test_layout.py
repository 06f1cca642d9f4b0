"""The house rules, read from the imports so the layout cannot drift back (docs/architecture.md):
pure modules import no Django, the coding app never imports the analysis app, no service imports
a task module, and no source file is longer than 450 lines."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("coding", "analysis", "config") for p in (ROOT / folder).rglob("*.py")
           if "migrations" not in p.parts]
PURE = [ROOT / "coding" / "reliability.py", ROOT / "coding" / "highlights.py", ROOT / "coding" / "codebook_changes.py",
        ROOT / "coding" / "csv_safe.py",
        *(ROOT / "analysis" / "pure").glob("*.py"),
        *(ROOT / "coding" / "precoder").glob("*.py"),
        *(ROOT / "coding" / "importers").rglob("*.py")]
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
    offenders = {rel(p): [m for m in imported_modules(p) if m.split(".")[0] in {"django", "rest_framework", "celery"}]
                 for p in PURE}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_coding_app_never_imports_the_analysis_app():
    offenders = {rel(p): [m for m in imported_modules(p) if m.split(".")[0] == "analysis"]
                 for p in (ROOT / "coding").rglob("*.py")}
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
    long = {rel(p): n for p in SOURCES + list((ROOT / "tests").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
