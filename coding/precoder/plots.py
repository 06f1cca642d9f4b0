"""The reliability diagram: confidence against accuracy (matplotlib, headless). Pure: no Django;
labels come from the caller in the reader's language."""

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..pure.figures import figure_bytes

TEXT = {"confidence": "confidence of the suggestion", "accuracy": "share correct", "perfect": "perfectly calibrated"}
COLOURS = ["#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad"]


def reliability_diagram(
    series: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    *,
    title: str = "",
    fmt: str = "svg",
    text: Mapping[str, str] | None = None,
) -> bytes:
    """series: [(label, bins)] with bins as model.reliability_bins gives them; one line per series,
    a point per bin sized by its count. SVG or PNG bytes."""
    text = {**TEXT, **(text or {})}
    figure, axis = plt.subplots(figsize=(5.2, 4.2), dpi=110)
    axis.plot([0, 1], [0, 1], linestyle="--", color="#888", linewidth=1, label=text["perfect"])
    for n, (label, bins) in enumerate(series):
        if not bins:
            continue
        colour = COLOURS[n % len(COLOURS)]
        x = [b["confidence"] for b in bins]
        y = [b["accuracy"] for b in bins]
        total = sum(b["n"] for b in bins)
        axis.plot(x, y, marker="o", color=colour, label=f"{label} (n={total})")
        axis.scatter(x, y, s=[20 + 200 * b["n"] / total for b in bins], color=colour, alpha=0.35)
    axis.set_xlim(0, 1.02)
    axis.set_ylim(0, 1.02)
    axis.set_xlabel(text["confidence"])
    axis.set_ylabel(text["accuracy"])
    if title:
        axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8, loc="lower right")
    axis.spines[["top", "right"]].set_visible(False)
    return figure_bytes(figure, fmt)


def learning_curve_plot(
    series: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    *,
    title: str = "",
    fmt: str = "svg",
    xlabel: str = "treaties coded (training set)",
    ylabel: str = "mean kappa on held-out treaties",
) -> bytes:
    """series: [(label, points)] with points [{"n", "kappa", "low", "high"}] ("low"/"high": the
    range over repetitions, drawn as a band when given). SVG or PNG bytes."""
    figure, axis = plt.subplots(figsize=(5.6, 4.0), dpi=110)
    for k, (label, points) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        shown = [p for p in points if p.get("kappa") is not None]
        x = [p["n"] for p in shown]
        axis.plot(x, [p["kappa"] for p in shown], marker="o", color=colour, label=label)
        if shown and all("low" in p and "high" in p for p in shown):
            axis.fill_between(x, [p["low"] for p in shown], [p["high"] for p in shown], color=colour, alpha=0.15)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_ylim(0, 1)
    if title:
        axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8, loc="lower right")
    axis.spines[["top", "right"]].set_visible(False)
    return figure_bytes(figure, fmt)
