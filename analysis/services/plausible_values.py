"""Coding uncertainty carried into the coefficient: the children of a run whose specification
asks for `depth_uncertainty` (analysis/pure/plausible_values.py draws the values; fanout.py fits
each draw like any specification and combines them by Rubin's rules when the last one ends).

A specification with {"draws": M} gets M children after the run's own ones, each with its draw
({agreement id: depth}) in its spec, drawn here once when the run is created: the run records
what every fit saw, and a draw fitted again (a child taken over from a dead worker) is the same.
Each child fits a copy of the stored panel with its draw's depths, written to a temporary file
on the worker's machine and removed after the fit."""

import json
import os
import tempfile
from contextlib import contextmanager

import pandas as pd
from django.utils.translation import gettext_noop

from ..pure import plausible_values as pv
from ..pure.errors import SpecError
from ..selectors.plausible_values import release_coder_codings
from .panels import panel_file_checked


def _field(index, total):
    return pv.OPTION_KEY if total == 1 else f"specification {index + 1}: {pv.OPTION_KEY}"


def draw_specs(*, panel, specs):
    """The children's specs of the plausible-value fits of `specs` (checked) on `panel`, in spec
    order, each {**spec without the option, "plausible_value": {of, draw, draws, source, seed,
    changed_treaties, depths}}; [] when no spec asks for it. SpecError naming the specification
    and the key when the panel was not built from a release, the formula has no depth column, the
    release has no depth_se (source irt), or the run would hold too many fits."""
    asked = [(index, spec, pv.option_of(spec)) for index, spec in enumerate(specs) if pv.option_of(spec)]
    if not asked:
        return []
    total_draws = sum(option["draws"] for _, _, option in asked)
    if total_draws > pv.MAX_DRAW_FITS:
        raise SpecError.of(
            gettext_noop(
                "%(key)s: at most %(max)s plausible-value fits in one run, these specifications ask for %(n)s"
            ),
            key=pv.OPTION_KEY,
            max=pv.MAX_DRAW_FITS,
            n=total_draws,
        )
    release = panel.release
    children = []
    for index, spec, option in asked:
        field = _field(index, len(specs))
        if release is None:
            raise SpecError.of(
                gettext_noop(
                    "%(field)s: the panel %(panel)s was not built from a dataset release, so the treaties "
                    "behind its depth column are unknown"
                ),
                field=field,
                panel=panel.name,
            )
        if not pv.depth_terms(spec):
            raise SpecError.of(
                gettext_noop(
                    "%(field)s: the formula uses no depth column (depth, depth_fta or their lags): "
                    "plausible values of depth would change nothing"
                ),
                field=field,
            )
        seed = option.get("seed")
        if seed is None:
            seed = pv.derived_seed(panel.content_hash, release.content_hash, index, json.dumps(spec, sort_keys=True))
        if option["source"] == "irt":
            depths = pv.irt_draws(release.rows, draws=option["draws"], seed=seed, field=field)
            changed = len(depths[0])
        else:
            method = release.method or {}
            coded = release_coder_codings(release, list(method.get("indicators") or []))
            disputed = pv.disagreements(coded, list(method.get("indicators") or []))
            depths = pv.coder_draws(
                release.rows, disputed, method=method, draws=option["draws"], seed=seed, field=field
            )
            changed = len(disputed)
        base = pv.fitted_spec(spec)
        for number, drawn in enumerate(depths, 1):
            draw = {
                "of": index,
                "draw": number,
                "draws": option["draws"],
                "source": option["source"],
                "seed": seed,
                "changed_treaties": changed,
                "depths": drawn,
            }
            children.append({**base, pv.DRAW_KEY: draw})
    return children


# The last panel a draw was made from, in this worker process, with its (row, treaty in force)
# index: a worker fits draw after draw of the same panel, and reading it and matching its treaties
# again each time cost more than the fit on small panels (bench/bench_plausible_values.py). One
# entry, so a worker holds at most one extra panel in memory.
_last_panel: dict[tuple, tuple[pd.DataFrame, pv.TreatiesInForce]] = {}


def _panel_and_treaties(panel, path):
    key = (panel.pk, panel.content_hash, panel.release.content_hash)
    if key not in _last_panel:
        _last_panel.clear()
        stored = pd.read_pickle(path)
        _last_panel[key] = (stored, pv.treaties_in_force(stored, panel.release.rows))
    return _last_panel[key]


@contextmanager
def fit_panel_path(fit):
    """The panel file a child fits: the stored panel, or for a plausible-value child a temporary
    copy with its draw's depths (removed when the fit ends, whatever the way out)."""
    path = panel_file_checked(fit.run.panel)
    draw = pv.draw_of(fit.spec)
    if draw is None:
        yield path
        return
    stored, in_force = _panel_and_treaties(fit.run.panel, path)
    frame = pv.panel_with_depths(stored, fit.run.panel.release.rows, draw["depths"], in_force)
    descriptor, drawn = tempfile.mkstemp(prefix=f"plausible-{fit.run_id}-{draw['draw']}-", suffix=".pkl")
    os.close(descriptor)
    try:
        frame.to_pickle(drawn)
        del frame
        yield drawn
    finally:
        if os.path.exists(drawn):
            os.unlink(drawn)


def results_combined(fits):
    """The run's results from its children (in position order): one per specification, the
    plausible-value children folded into their specification's result as "plausible_values"
    (Rubin's rules) once all of them are done."""
    draws = {}
    for fit in fits:
        draw = pv.draw_of(fit.spec)
        if draw is not None:
            draws.setdefault(draw["of"], []).append(fit)
    results = []
    for fit in fits:
        if pv.draw_of(fit.spec) is not None or fit.status != "DONE" or fit.result is None:
            continue
        result = fit.result
        own = draws.get(fit.position)
        if own and all(child.status == "DONE" and child.result is not None for child in own):
            result = {
                **result,
                "plausible_values": pv.combination(
                    result, [child.result for child in own], [child.spec for child in own]
                ),
            }
        results.append(result)
    return results
