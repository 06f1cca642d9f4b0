"""The latent depth model's curves as one SVG/PNG figure: each indicator's characteristic curve
(its expected code, as a share of its highest value, against latent depth) and the test
information curve with the standard error it implies (which depth levels the codebook's
indicators measure precisely). Pure (analysis/pure): a stored IRT summary in, image bytes out;
labels come from the caller in its reader's language (like plots.depth_histogram)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from coding.pure.figures import figure_bytes

from . import (
    irt,
    plots,  # noqa: F401 - importing plots sets matplotlib up once: headless, CJK font
)

TEXT = {
    "depth": "latent depth (standard deviations)",
    "characteristic": "expected code / highest code",
    "curves": "item characteristic curves",
    "information": "test information",
    "standard_error": "standard error of depth",
    "scores": "treaties' scores",
}


def irt_curves_plot(
    summary: Mapping[str, Any],
    *,
    title: str,
    scores: list[float] | None = None,
    fmt: str = "svg",
    text: Mapping[str, str] | None = None,
) -> bytes:
    """Two panels over latent depth: the item characteristic curves, and the test information
    (left axis) with its standard error 1/sqrt(information) (right axis); ticks under both panels
    mark the treaties' EAP scores (`scores`), so a reader sees where the treaties sit."""
    text = {**TEXT, **(text or {})}
    drawn = irt.curves(summary)
    theta = np.array(drawn["theta"])
    figure, (items, information) = plt.subplots(2, 1, figsize=(6.2, 6.4), dpi=110, sharex=True)
    for code, curve in drawn["characteristic"].items():
        items.plot(theta, curve, linewidth=1.4, label=code)
    items.set_ylim(-0.02, 1.02)
    items.set_ylabel(text["characteristic"])
    items.set_title(f"{title}: {text['curves']}", fontsize=10)
    items.legend(fontsize=7, loc="lower right", ncol=2)
    information.plot(theta, drawn["information"], color="#1f5fa8", linewidth=1.6, label=text["information"])
    information.set_ylabel(text["information"], color="#1f5fa8")
    error_axis = information.twinx()
    error_axis.plot(theta, drawn["standard_error"], color="#b8451f", linestyle="--", linewidth=1.2)
    error_axis.set_ylabel(text["standard_error"], color="#b8451f")
    error_axis.set_ylim(0, min(3.0, max(drawn["standard_error"]) * 1.05))
    if scores:
        for axis in (items, information):
            axis.plot(scores, np.zeros(len(scores)), "|", color="#333", markersize=8, alpha=0.6)
    information.set_xlabel(text["depth"])
    for axis in (items, information):
        axis.spines[["top"]].set_visible(False)
    return figure_bytes(figure, fmt)
