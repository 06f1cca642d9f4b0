"""Figures as bytes, the one way both apps write them (matplotlib, headless). Pure: no Django.

Files carry no creation date and their SVG element ids come from the content, so the same data
draws the same bytes (cacheable, diffable, and a timestamp's digits never pass for a tick label)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

matplotlib.rcParams["svg.hashsalt"] = "fta-workbench"  # element ids from content, not from memory
_UNDATED = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}

__all__ = ["figure_bytes"]


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """`figure` laid out and written as `fmt` (svg, png, pdf), then closed."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata=_UNDATED.get(fmt))
    plt.close(figure)
    return buffer.getvalue()
