"""Reads of a stored panel for download: the file's frame written in one of the panel formats
(analysis/pure/formats.py: PANELS). Who may read it is decided before, by the caller's
`panel_get` (a panel built from a release is visible exactly when that release is)."""

import pandas as pd

from ..pure import formats
from ..services.panels import panel_file_checked  # where this machine keeps the file (no write)


def panel_frame(panel):
    """The stored panel's rows (PanelFileMissing, naming the file and PANEL_DIR, when absent)."""
    return pd.read_pickle(panel_file_checked(panel))


def panel_meta(panel):
    return {"name": panel.name, "content_hash": panel.content_hash, "synthetic": panel.synthetic}


def panel_export(panel, *, fmt):
    """(bytes, file name, content type) of `panel` in format `fmt`; ValueError naming the formats
    for an unknown one."""
    if fmt not in formats.PANELS:
        raise ValueError(f"format must be one of {', '.join(formats.PANELS)}")
    output = formats.PANELS[fmt]
    data = output.write(panel_frame(panel), meta=panel_meta(panel))
    return data, f"panel-{panel.pk}-{panel.content_hash[:12]}.{output.extension}", output.content_type
