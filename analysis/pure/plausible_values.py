"""Plausible values of each treaty's depth, and a panel with them in place of the release's
depths (pure: pandas and numpy, no Django). The spec option
`"depth_uncertainty": {"draws": M, "source": "irt" | "coders", "seed": S}` (checked by
spec/schema.py) asks for M fits, one per set of plausible values, combined by Rubin's rules
(rubin.py) beside the single fit on the release's own depths.

- source "irt": draw m gives each treaty depth + depth_se * z, z standard normal, from the
  release's rows (a release made with the IRT method carries `depth_se`: the posterior SD of the
  treaty's latent score). Treaties without a depth stay without one.
- source "coders": where the human coders of a treaty submitted codings that disagree on the
  depth's indicators, draw m takes one of those codings (uniformly, per treaty) in place of the
  release's codes and recomputes every depth with the release's method (scoring.score); a treaty
  without disagreement keeps its codes.
Draws are reproducible: draw m uses numpy's generator seeded with (seed, m), so each draw is the
same whichever worker makes it and in whatever order. A draw is stored as {agreement id: depth}
in its child's spec (`plausible_value`), so a run records exactly what each fit saw."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import country_codes, rubin, scoring
from .errors import SpecError, gettext_noop
from .exports import release_frame
from .panel_builder import add_lags, deepest_in_force, depth_x_fta, dyads_in_force
from .spec.schema import MAX_SEED, parse_formula

# A child's spec carries its draw under this key; it is removed before the fit (gravity.fit
# never sees it) and a user's spec cannot carry it (check_spec refuses unknown keys).
DRAW_KEY = "plausible_value"
OPTION_KEY = "depth_uncertainty"
# Values drawn from each treaty's posterior given its codes alone (not given the regression's
# variables) vary as much as the true depths do, while the EAP varies by the reliability times
# that: the slope on such a draw is the slope on the EAP times the reliability (regression
# calibration; Mislevy 1991). So the combined estimate is pulled toward zero, and says how much
# coding uncertainty matters rather than correcting the effect.
NOTE_UNCONDITIONED = gettext_noop(
    "the plausible values are drawn from each treaty's IRT posterior alone, not conditioned on the "
    "regression's variables: like any regressor measured with error, the combined coefficient is "
    "pulled toward zero (by about the reliability of the depth score), and the fits' standard errors "
    "are smaller than the single fit's because drawn depths vary more than EAP scores; read the "
    "between-draw variance and the FMI as how much coding uncertainty matters, not the combined "
    "estimate as a corrected effect"
)
DEPTH_COLUMNS = re.compile(r"^(depth|depth_fta)(_(lag|lead)(\d+))?$")
MAX_DRAW_FITS = 1000  # plausible-value fits in one run (50 specifications x 20 draws)
Row = Mapping[str, Any]


def option_of(spec: object) -> dict[str, Any] | None:
    """A checked spec's depth_uncertainty, or None."""
    option = spec.get(OPTION_KEY) if isinstance(spec, dict) else None
    return option if isinstance(option, dict) else None


def draw_of(spec: object) -> dict[str, Any] | None:
    """The draw a child's spec carries ({of, draw, draws, source, seed, depths}), or None for a
    specification fitted on the release's own depths."""
    draw = spec.get(DRAW_KEY) if isinstance(spec, dict) else None
    return draw if isinstance(draw, dict) else None


def fitted_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec a child fits: without its draw and without the option (the drawn panel already
    holds the plausible values)."""
    return {key: value for key, value in spec.items() if key not in (DRAW_KEY, OPTION_KEY)}


def derived_seed(*parts: object) -> int:
    """A seed from what identifies the fits (panel and release hashes, the spec and its place),
    so the same run asked for again draws the same values."""
    text = json.dumps([str(part) for part in parts], sort_keys=True)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % (MAX_SEED + 1)


def depth_terms(spec: Mapping[str, Any]) -> list[str]:
    """The columns of the formula that carry a treaty's depth (depth, depth_fta, their lags)."""
    _dependent, regressors, _fixed = parse_formula(str(spec.get("formula", "")))
    columns = {name for term in regressors for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", term)}
    return sorted(column for column in columns if DEPTH_COLUMNS.match(column))


def irt_draws(rows: Sequence[Row], *, draws: int, seed: int, field: str = OPTION_KEY) -> list[dict[str, float]]:
    """M draws {agreement id (text): depth} from Normal(depth, depth_se) per treaty. SpecError
    naming `field` when no row has a depth_se (the release was not scored with the IRT method)."""
    with_se = [row for row in rows if row.get("depth") is not None and row.get("depth_se") is not None]
    if not with_se:
        raise SpecError.of(
            gettext_noop(
                "%(field)s: source 'irt' needs each treaty's depth_se, and none of the release's %(n)s rows "
                "has one: release the codes with the IRT method, or use source 'coders'"
            ),
            field=field,
            n=len(rows),
        )
    ordered = sorted(with_se, key=lambda row: str(row["agreement_id"]))
    depth = np.array([float(row["depth"]) for row in ordered])
    se = np.array([float(row["depth_se"]) for row in ordered])
    out = []
    for draw in range(1, draws + 1):
        z = np.random.default_rng([seed, draw]).standard_normal(len(ordered))
        out.append({str(row["agreement_id"]): round(float(v), 10) for row, v in zip(ordered, depth + se * z)})
    return out


def disagreements(
    alternatives: Mapping[Any, Sequence[Mapping[str, Any]]], indicators: Sequence[str]
) -> dict[str, list[dict[str, float]]]:
    """{agreement id (text): the distinct complete codings of its coders} for the treaties whose
    coders' codings (each {indicator: value}, submitted, in a fixed order) differ on `indicators`.
    Codings missing an indicator are left out (they give no depth)."""
    out = {}
    for agreement_id, codings in alternatives.items():
        complete = [
            {code: float(coding[code]) for code in indicators}
            for coding in codings
            if all(coding.get(code) is not None for code in indicators)
        ]
        if len({tuple(coding.values()) for coding in complete}) > 1:
            out[str(agreement_id)] = complete  # one entry per coder: a coding shared by two counts twice
    return out


def coder_draws(
    rows: Sequence[Row],
    alternatives: Mapping[str, Sequence[Mapping[str, float]]],
    *,
    method: Mapping[str, Any],
    draws: int,
    seed: int,
    field: str = OPTION_KEY,
) -> list[dict[str, float | None]]:
    """M draws {agreement id (text): depth}: per treaty in `alternatives` (disagreements()) one of
    its coders' codings, chosen uniformly, then every depth recomputed with the release's method."""
    name = str(method.get("name", "additive"))
    indicators = list(method.get("indicators") or [])
    if name not in scoring.METHODS or not indicators:
        raise SpecError.of(
            gettext_noop("%(field)s: source 'coders' cannot recompute depths of the method %(method)s"),
            field=field,
            method=repr(name),
        )
    ids = [str(row["agreement_id"]) for row in rows]
    base = pd.DataFrame(
        [[row.get(code) for code in indicators] for row in rows], index=ids, columns=indicators, dtype=float
    )
    disputed = sorted(alternatives)
    out = []
    for draw in range(1, draws + 1):
        rng = np.random.default_rng([seed, draw])
        codes = base.copy()
        for agreement_id in disputed:
            options = alternatives[agreement_id]
            chosen = options[int(rng.integers(len(options)))]
            codes.loc[agreement_id, indicators] = [chosen[code] for code in indicators]
        try:
            depth = scoring.score(codes, indicators, method=name, weights=method.get("weights")).depth
        except ValueError as exc:
            raise SpecError(f"{field}: draw {draw}: the depth cannot be recomputed ({exc})") from None
        drawn: dict[str, float | None] = {
            str(i): (None if pd.isna(v) else round(float(v), 10)) for i, v in depth.items()
        }
        out.append(drawn)
    return out


@dataclass(frozen=True)
class TreatiesInForce:
    """Which treaties are in force on each panel row: the part of the panel builder's merge
    (dyads_in_force) that does not depend on depth, made once per panel and release and reused
    by every draw (a worker fits many draws of the same panel)."""

    positions: npt.NDArray[np.int64]  # panel row positions, one per (row, treaty in force) pair
    treaty_codes: npt.NDArray[np.int64]  # index into `treaties` for each pair
    treaties: tuple[str, ...]  # agreement ids as text
    n_rows: int


def treaties_in_force(panel: pd.DataFrame, rows: Sequence[Row]) -> TreatiesInForce:
    """The (panel row, treaty) pairs with the treaty in force, as the panel builder matches them
    (panel_builder.dyads_in_force): a release's dyads recoded like the inputs."""
    dyads = release_frame(list(rows), [], shape="dyad")
    if not dyads.empty:  # a release's codes, recoded like the inputs (panel_builder.panel_from)
        dyads, _ = country_codes.recode(dyads, "dyads", ["iso3_i", "iso3_j"], year="year")
    positions, which = dyads_in_force(panel, dyads)
    codes, treaties = pd.factorize(dyads["agreement_id"].to_numpy()[which].astype("int64").astype(str))
    return TreatiesInForce(
        positions=positions,
        treaty_codes=np.asarray(codes, dtype=np.int64),
        treaties=tuple(str(t) for t in treaties),
        n_rows=len(panel),
    )


def panel_with_depths(
    panel: pd.DataFrame,
    rows: Sequence[Row],
    depths: Mapping[str, float | None],
    in_force: TreatiesInForce | None = None,
) -> pd.DataFrame:
    """The stored panel of a release with each treaty's depth replaced by `depths` (agreement id
    as text -> depth; treaties not named keep the release's depth): `depth`, `depth_fta` and
    their lags and leads recomputed as the panel builder computes them (fta is unchanged: which
    treaties are in force does not depend on their depth). `in_force`: treaties_in_force(panel,
    rows), when the caller keeps it for several draws."""
    if in_force is None:
        in_force = treaties_in_force(panel, rows)
    released = {str(row["agreement_id"]): row.get("depth") for row in rows}
    by_treaty = np.array(
        [_number(depths.get(treaty, released.get(treaty))) for treaty in in_force.treaties], dtype=np.float64
    )
    row_depth = deepest_in_force(in_force.n_rows, in_force.positions, by_treaty[in_force.treaty_codes])
    out = panel.copy()
    depth = pd.Series(row_depth, index=out.index)
    if "depth" in out.columns:
        out["depth"] = row_depth
    if "depth_fta" in out.columns and "fta" in out.columns:
        out["depth_fta"] = depth_x_fta(out["fta"], depth).to_numpy()
    shifted = [(name, match) for name in out.columns if (match := DEPTH_COLUMNS.match(str(name))) and match.group(2)]
    if not shifted:
        return out
    lags = [(match.group(1), int(match.group(4))) for _name, match in shifted if match.group(3) == "lag"]
    leads = [(match.group(1), int(match.group(4))) for _name, match in shifted if match.group(3) == "lead"]
    order = list(out.columns)
    out = add_lags(out.drop(columns=[name for name, _ in shifted]), lags, leads)
    return out[order]


def _number(value: Any) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def combination(
    single: Mapping[str, Any], draw_results: Sequence[Mapping[str, Any]], draw_specs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What a result stores of its plausible-value fits: per coefficient of the single fit,
    Rubin's combination (rubin.Combined) of the draws, beside the single fit's own estimate and
    SE; the draws' N range; how the values were drawn; and the notes (M < 5, B = 0) in words.
    A coefficient some draw lacks (collinear there) or whose SE is missing is named, not combined."""
    first = draw_of(draw_specs[0]) or {}
    terms = list(single.get("coefficients") or {})
    # Complete-data degrees of freedom: N less the coefficients and fixed-effect levels (an upper
    # bound under clustering, where the cluster count would be the bound; it matters only when M
    # is small and the FMI large).
    levels = sum(int(v) for v in (single.get("fixed_effects") or {}).values())
    complete_df = float(single.get("n_obs", 0)) - len(terms) - levels
    coefficients: dict[str, Any] = {}
    not_combined: list[str] = []
    for term in terms:
        cells = [(result.get("coefficients") or {}).get(term) for result in draw_results]
        pairs = [(c.get("estimate"), c.get("se")) for c in cells if c]
        try:
            if len(pairs) != len(draw_results):
                raise ValueError("missing in a draw")
            combined = rubin.combine(
                [p[0] for p in pairs], [p[1] for p in pairs], complete_df=complete_df if complete_df > 0 else None
            )
        except (TypeError, ValueError):
            not_combined.append(term)
            continue
        own = (single.get("coefficients") or {}).get(term) or {}
        coefficients[term] = {**combined.as_dict(), "single_estimate": own.get("estimate"), "single_se": own.get("se")}
    notes = sorted({note for c in coefficients.values() for note in c["notes"]})
    if first.get("source") == "irt":
        notes.append(NOTE_UNCONDITIONED)
    n_obs = [int(result.get("n_obs", 0)) for result in draw_results]
    return {
        "draws": len(draw_results),
        "source": first.get("source"),
        "seed": first.get("seed"),
        "coefficients": coefficients,
        "not_combined": not_combined,
        "n_obs_min": min(n_obs) if n_obs else None,
        "n_obs_max": max(n_obs) if n_obs else None,
        "changed_treaties": first.get("changed_treaties"),
        "depth_terms": [term for term in depth_terms(draw_specs[0]) if term in coefficients],
        "notes": notes,
    }
