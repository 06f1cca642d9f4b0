"""Plots as SVG/PNG bytes (matplotlib, headless)."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def depth_histogram(depth_counts, *, title, fmt="svg"):
    scores = sorted(depth_counts, key=float)
    figure, axis = plt.subplots(figsize=(5.5, 3.2), dpi=110)
    axis.bar([float(s) for s in scores], [depth_counts[s] for s in scores], width=0.8, color="#1f5fa8")
    from matplotlib.ticker import MaxNLocator

    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("depth score")
    axis.set_ylabel("agreements")
    axis.set_title(title, fontsize=10)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    plt.close(figure)
    return buffer.getvalue()


def coefficient_plot(results, *, labels, variables=None, fmt="svg"):
    """Estimates with 95% intervals, one marker per specification, grouped by variable."""
    variables = variables or [v for v in dict.fromkeys(v for r in results for v in r["coefficients"])]
    figure, axis = plt.subplots(figsize=(6.5, 0.55 * len(variables) * max(1, len(results)) + 1.2), dpi=110)
    y, ticks, names = 0, [], []
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for variable in variables:
        for index, result in enumerate(results):
            c = result["coefficients"].get(variable)
            if c:
                axis.errorbar(c["estimate"], y, xerr=[[c["estimate"] - c["ci_low"]], [c["ci_high"] - c["estimate"]]],
                              fmt="o", color=colours[index % len(colours)], capsize=3,
                              label=labels[index] if variable == variables[0] else None)
            ticks.append(y)
            names.append(f"{variable}" if index == 0 else "")
            y -= 1
        y -= 0.5
    axis.axvline(0, color="#888", linewidth=0.8)
    axis.set_yticks(ticks, names)
    axis.set_xlabel("estimate with 95% interval")
    axis.spines[["top", "right"]].set_visible(False)
    if len(results) > 1:
        axis.legend(fontsize=8, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    plt.close(figure)
    return buffer.getvalue()
