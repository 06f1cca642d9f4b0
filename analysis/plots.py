"""Plots as SVG/PNG bytes (matplotlib, headless)."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def depth_histogram(depth_counts, *, title, fmt="svg"):
    scores = sorted(depth_counts, key=float)
    figure, axis = plt.subplots(figsize=(5.5, 3.2), dpi=110)
    axis.bar([float(s) for s in scores], [depth_counts[s] for s in scores], width=0.8, color="#1f5fa8")
    axis.set_xlabel("depth score")
    axis.set_ylabel("agreements")
    axis.set_title(title, fontsize=10)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    plt.close(figure)
    return buffer.getvalue()
