"""Writes of panels: store a pair-year panel once per content (a pickle named by its hash), or
import a ready-made CSV. Keyword-only after the frame; the building itself is the pure
analysis/pure/panel_builder.py."""
import hashlib
import json
from pathlib import Path

import pandas as pd
from django.conf import settings

from coding.importers.errors import ImportFailed

from ..models import Panel
from ..pure.gravity import prepare_panel


def panel_hash(frame):
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return hashlib.sha256(json.dumps(list(map(str, frame.columns))).encode() + rows).hexdigest()


def panel_store(frame, *, name, source=None, release=None, synthetic=False):
    """Store a panel (once per content): a pickle under MEDIA_ROOT/panels named by its hash."""
    frame = prepare_panel(frame).reset_index(drop=True)
    digest = panel_hash(frame)
    existing = Panel.objects.filter(content_hash=digest).first()
    if existing and Path(existing.path).exists():
        return existing, False
    folder = Path(settings.MEDIA_ROOT) / "panels"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.pkl"
    frame.to_pickle(path)
    if existing:
        existing.path = str(path)
        existing.save(update_fields=["path"])
        return existing, False
    panel = Panel.objects.create(name=name, content_hash=digest, path=str(path), n_rows=len(frame),
                                 columns=list(map(str, frame.columns)), source=source or {}, release=release,
                                 synthetic=synthetic)
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
    return panel_store(frame, name=name or path.stem, source={"csv": path.name})
