"""Writes of panels: store a pair-year panel once per content (a pickle named by its hash), or
import a ready-made CSV. Keyword-only after the frame; the building itself is the pure
analysis/pure/panel_builder.py.

Where panels live: files in PANEL_DIR (default MEDIA_ROOT/panels), one per content, never
changed once written. On several machines PANEL_DIR is a directory on shared storage (NFS)
mounted on the web host and on every estimation worker; a Panel row keeps only the file's name,
so each machine finds it under its own PANEL_DIR. Files rather than rows of the database: a
10M-row panel is hundreds of megabytes, which PostgreSQL would hold as one bytea value (capped at
1 GB) and every worker would pull through the database connection for every specification; an
immutable file named by its hash is read by each estimator straight from the shared disk, and a
half-written file is never seen (written beside, then renamed into place)."""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from coding.importers.errors import ImportFailed

from ..models import Panel
from ..pure import bounds
from ..pure.gravity import prepare_panel


def panel_hash(frame):
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return hashlib.sha256(json.dumps(list(map(str, frame.columns))).encode() + rows).hexdigest()


def panel_dir():
    """The directory of stored panels on this machine (PANEL_DIR, else MEDIA_ROOT/panels)."""
    return Path(settings.PANEL_DIR) if settings.PANEL_DIR else Path(settings.MEDIA_ROOT) / "panels"


def panel_file(panel):
    """The stored panel's file on this machine: its name under this machine's PANEL_DIR (rows made
    before PANEL_DIR kept a whole path: only its name counts)."""
    return panel_dir() / Path(panel.path).name


class PanelFileMissing(FileNotFoundError):
    """A run's panel file is not in this machine's PANEL_DIR: the message says what to check."""


def panel_file_checked(panel):
    """panel_file(panel), or PanelFileMissing naming the file, the directory and the likely cause."""
    path = panel_file(panel)
    if not path.is_file():
        raise PanelFileMissing(
            f"the panel file {path.name} is not in PANEL_DIR ({path.parent}) on this machine: with workers on "
            f'several machines PANEL_DIR must be the same shared directory on each (README, "Running on several '
            f'machines")'
        )
    return path


def _write_atomically(frame, path):
    """Write beside, then rename into place: a reader (a worker on another machine) sees the whole
    file or none."""
    descriptor, draft = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(descriptor)
    try:
        frame.to_pickle(draft)
        os.replace(draft, path)
    finally:
        if os.path.exists(draft):
            os.unlink(draft)


def panel_name_checked(name, field="name"):
    """A panel's name: text of 1 to Panel.name's max_length characters, else BoundsError naming
    `field` (PostgreSQL refuses a longer one with a DataError, after the file was written)."""
    return bounds.name_length(name, field, Panel._meta.get_field("name").max_length)


def panel_file_forget(path):
    """Remove a panel file this process wrote when no Panel row names it (the row was refused or
    rolled back): PANEL_DIR keeps no file that nothing refers to."""
    path = Path(path)
    if not Panel.objects.filter(path=path.name).exists():
        path.unlink(missing_ok=True)


def panel_store(frame, *, name, source=None, release=None, synthetic=False):
    """Store a panel (once per content): a pickle in PANEL_DIR named by its hash. The name is
    checked before anything is written; a file written for a row that is then refused is removed."""
    name = panel_name_checked(name)
    frame = prepare_panel(frame).reset_index(drop=True)
    digest = panel_hash(frame)
    existing = Panel.objects.filter(content_hash=digest).first()
    if existing and panel_file(existing).exists():
        return existing, False
    folder = panel_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.pkl"
    _write_atomically(frame, path)
    if existing:
        existing.path = path.name
        existing.save(update_fields=["path"])
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: after a refused INSERT the check below can still query
            panel = Panel.objects.create(
                name=name,
                content_hash=digest,
                path=path.name,
                n_rows=len(frame),
                columns=list(map(str, frame.columns)),
                source=source or {},
                release=release,
                synthetic=synthetic,
            )
    except Exception:
        panel_file_forget(path)  # unless a row stored at the same moment by another process names it
        raise
    return panel, True


def panel_import_csv(*, path, name=None):
    """A ready-made panel CSV with any columns (at least exporter, importer, year)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"cannot read the panel ({exc})", path=path) from exc
    missing = {"exporter", "importer", "year"} - set(frame.columns)
    if missing:
        raise ImportFailed(f"missing columns: {', '.join(sorted(missing))}", path=path, line=1)
    try:
        return panel_store(frame, name=name or path.stem, source={"csv": path.name})
    except bounds.BoundsError as exc:
        raise ImportFailed(str(exc), path=path) from exc
