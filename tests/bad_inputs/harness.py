"""The machinery of the bad-input corpus (see __init__.py): cases, loaders, database snapshots."""

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps

FILES = Path(__file__).resolve().parent / "files"
# Modules holding CASES lists (and registering their loaders). Add yours here.
CASE_MODULES = ["tests.bad_inputs.coding_cases", "tests.bad_inputs.coding_bounds_cases"]
LOADERS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Case:
    """One malformed input.

    name:     unique id (the test id)
    kind:     which loader reads it (a key of LOADERS)
    expect:   fragments the error message must contain besides the file name; put the line
              ("line 3") and/or field ("field values") there
    content:  the file's bytes or text; or `file`: a file under files/; or `make(path)` writes it
    filename: name of the file written from `content` or by `make` (the message must name it)
    args:     extra command-line arguments for the loader
    settings: Django settings to override while loading
    whole_file: the error is about the whole file (too large, ...) and names no line or field
    """

    name: str
    kind: str
    expect: tuple
    content: bytes | str | None = None
    file: str | None = None
    make: Callable | None = None
    filename: str = ""
    args: tuple = ()
    settings: dict = field(default_factory=dict)
    whole_file: bool = False
    side: str = "coding"

    def write(self, folder: Path) -> Path:
        """The input as a file in `folder`."""
        if self.file:
            return FILES / self.file
        path = folder / (self.filename or f"{self.name}.{DEFAULT_SUFFIX.get(self.kind, 'txt')}")
        if self.make:
            self.make(path)
        elif isinstance(self.content, bytes):
            path.write_bytes(self.content)
        else:
            path.write_text(self.content, encoding="utf-8")
        return path


DEFAULT_SUFFIX = {
    "codebook": "yaml",
    "codings_csv": "csv",
    "desta_list": "csv",
    "desta_codings": "csv",
    "text": "txt",
    "tota": "xml",
}


def loader(kind):
    """Register the function that feeds a file of this kind to the workbench: f(path, case)."""

    def register(function):
        LOADERS[kind] = function
        return function

    return register


def all_cases(side=None):
    cases = []
    for module in CASE_MODULES:
        cases += importlib.import_module(module).CASES
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return [c for c in cases if side is None or c.side == side]


def sparse_file(size):
    """A `make` for oversized inputs: a file of `size` bytes that takes no disk space (the size
    limit must refuse it before anything is read)."""

    def make(path):
        with open(path, "wb") as handle:
            handle.truncate(size)

    return make


def db_snapshot(app_labels=("coding", "auth")):
    """{model label: (row count, sha256 of every row)} for every model of these apps, history
    tables and many-to-many tables (group memberships) included."""
    snapshot = {}
    for label in app_labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = list(model._base_manager.order_by("pk").values_list())
            snapshot[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return snapshot
