"""Plots as SVG/PNG bytes (matplotlib, headless). Pure (analysis/pure): stored results and counts
in, image bytes out; no Django. Axis labels come from the caller in its reader's language
(`text`, like tables.build); a CJK font, when installed, draws Chinese labels."""

import os
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

from coding.pure.figures import figure_bytes

# Fonts with Chinese glyphs, best first (Debian: fonts-wqy-microhei, which `make up` and .ci/run
# install), and where Debian puts them: matplotlib's font cache predates a font installed later.
CJK_FONTS = ["WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC"]
CJK_FILES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
# Labels; pages pass them translated (this module stays Django-free).
TEXT = {"depth": "depth score", "agreements": "agreements", "estimate": "estimate with 95% interval"}


def use_cjk_font() -> str | None:
    """Put the first installed CJK font first in the sans-serif list (it has Latin glyphs too),
    so Chinese labels are drawn rather than boxes; the name, or None without one (matplotlib's
    default fonts then draw what they can)."""

    def first_known() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    found = first_known()
    if found is None:
        for path in CJK_FILES:
            if os.path.exists(path):
                font_manager.fontManager.addfont(path)
        found = first_known()
    if found:
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [
            found,
            *[f for f in matplotlib.rcParams["font.sans-serif"] if f != found],
        ]
        matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return found


CJK_FONT = use_cjk_font()


def depth_histogram(
    depth_counts: Mapping[str, int], *, title: str, fmt: str = "svg", text: Mapping[str, str] | None = None
) -> bytes:
    text = {**TEXT, **(text or {})}
    scores = sorted(depth_counts, key=float)
    figure, axis = plt.subplots(figsize=(5.5, 3.2), dpi=110)
    axis.bar([float(s) for s in scores], [depth_counts[s] for s in scores], width=0.8, color="#1f5fa8")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    if scores and all(float(s).is_integer() for s in scores):
        # Whole-number scores on an axis from 0, so one agreement at 6 is not drawn on 5.6 to 6.4.
        axis.set_xlim(min(0.0, float(scores[0])) - 0.6, float(scores[-1]) + 0.6)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel(text["depth"])
    axis.set_ylabel(text["agreements"])
    axis.set_title(title, fontsize=10)
    axis.spines[["top", "right"]].set_visible(False)
    return figure_bytes(figure, fmt)


def coefficient_plot(
    results: Sequence[Mapping[str, Any]],
    *,
    labels: Sequence[str],
    variables: list[str] | None = None,
    fmt: str = "svg",
    text: Mapping[str, str] | None = None,
) -> bytes:
    """Estimates with 95% intervals, one marker per specification, grouped by variable."""
    text = {**TEXT, **(text or {})}
    variables = variables or list(dict.fromkeys(v for r in results for v in r["coefficients"]))
    figure, axis = plt.subplots(figsize=(6.5, 0.55 * len(variables) * max(1, len(results)) + 1.2), dpi=110)
    y: float = 0
    ticks: list[float] = []
    names: list[str] = []
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    labelled: set[int] = set()  # a series enters the legend at its first marker, whichever variable that is
    for variable in variables:
        for index, result in enumerate(results):
            c = result["coefficients"].get(variable)
            if c and None not in (c["estimate"], c["ci_low"], c["ci_high"]):  # NaN/inf were stored as null
                axis.errorbar(
                    c["estimate"],
                    y,
                    xerr=[[c["estimate"] - c["ci_low"]], [c["ci_high"] - c["estimate"]]],
                    fmt="o",
                    color=colours[index % len(colours)],
                    capsize=3,
                    label=labels[index] if index not in labelled else None,
                )
                labelled.add(index)
            ticks.append(y)
            names.append(f"{variable}" if index == 0 else "")
            y -= 1
        y -= 0.5
    axis.axvline(0, color="#888", linewidth=0.8)
    axis.set_yticks(ticks, names)
    axis.set_xlabel(text["estimate"])
    axis.spines[["top", "right"]].set_visible(False)
    if len(results) > 1:
        axis.legend(fontsize=8, loc="best")
    return figure_bytes(figure, fmt)
