"""Writes of sensitivity runs: how much does an estimate depend on who coded? For each source of
codes (the approved codings, DESTA 2.1, the study, one coder) one release, one panel built from
the same inputs and one model run of the same specifications, grouped by a SensitivityRun.

Releases and panels are reused when unchanged: release_create returns the release of unchanged
codes, and a panel is found again by its build key (the sha256 of the input files, the build
options and the release's content hash) before anything is read or built; a panel built anyway
is stored once by content (panel_store). The inputs are read and checked once for all sources
(panel_builder.prepare_inputs) and only FTA and depth are added per source (panel_from).
Common support (on unless asked otherwise): every source's release is restricted to the
treaties all sources code, and each column records how many of its treaties were left out and,
per treaty-level regressor, the treaties and pair-years with FTA = 1 behind it
(analysis/pure/common_support.py).
Keyword-only; runs are created through analysis.services.runs.model_run_create, which sends
their tasks by name on commit."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coding import visibility

from ..models import ModelRun, SensitivityColumn, SensitivityRun
from ..pure import common_support, merge_checks, panel_inputs
from ..pure import panel_builder as builder
from ..pure.errors import SpecError
from ..pure.exports import release_frame
from ..pure.spec.schema import validate_specs
from ..selectors.panel_exports import panel_frame
from ..selectors.releases import source_codes
from .panels import panel_file, panel_file_forget, panel_store
from .releases import release_create
from .runs import MAX_NAME, model_run_create, model_run_fit_here

MAX_SOURCES = 12
REQUIRED_INPUTS = ("exports", "gdp", "dist")
# What a caller may show as the user's mistake (anything else is a bug).
ERRORS = (ValidationError, SpecError, builder.PanelInputError)


@dataclass(frozen=True)
class PanelOptions:
    """How every panel of a sensitivity run is built (the build_panel options)."""

    dist_column: str = panel_inputs.DIST_COLUMN
    zeros: bool = True
    domestic: bool = False
    strict: bool = False
    lags: tuple = builder.STUDY_LAGS
    leads: tuple = ()
    developed: frozenset = field(default=builder.DEVELOPED)

    def as_json(self):
        data = asdict(self)
        data.update(
            lags=[f"{v}:{k}" for v, k in self.lags],
            leads=[f"{v}:{k}" for v, k in self.leads],
            developed=sorted(self.developed),
        )
        return data


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_store(upload):
    """An uploaded input file, stored once by content under MEDIA_ROOT/inputs; returns its path."""
    digest = hashlib.sha256()
    chunks = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    folder = Path(settings.MEDIA_ROOT) / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest.hexdigest()}{Path(upload.name).suffix.lower()[:10]}"
    if not path.exists():
        path.write_bytes(b"".join(chunks))
    return path


def _input_files(files):
    """{kind: (path, name)}: paths as given, uploads stored first; the required ones present."""
    out = {}
    for kind, value in (files or {}).items():
        if kind not in panel_inputs.INPUTS:
            raise ValidationError(f"unknown input '{kind}' (inputs: {', '.join(panel_inputs.INPUTS)})")
        if value in (None, ""):
            continue
        if hasattr(value, "chunks"):
            out[kind] = (input_store(value), Path(value.name).name)
        else:
            path = Path(value)
            if not path.is_file():
                raise ValidationError(f"{kind}: no file {path}")
            out[kind] = (path, path.name)
    missing = [kind for kind in REQUIRED_INPUTS if kind not in out]
    if missing:
        raise ValidationError(_("inputs missing: %(inputs)s") % {"inputs": ", ".join(missing)})
    return out


def _sources(sources, user):
    cleaned = list(dict.fromkeys(s.strip() for s in sources if isinstance(s, str) and s.strip()))
    if not 1 <= len(cleaned) <= MAX_SOURCES:
        raise ValidationError(f"give 1 to {MAX_SOURCES} sources, e.g. approved,DESTA 2.1,the study")
    hidden = [s for s in cleaned if user is not None and not visibility.source_visible_to(user, s)]
    if hidden:  # the page does not offer them; a forged form gets the same answer as a typo
        raise ValidationError(f"unknown source: {hidden[0]}")
    return cleaned


def _digest(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class _Inputs:
    """The inputs of one sensitivity run, read and checked at most once, when a panel must be built."""

    def __init__(self, files, options):
        self.files, self.options, self.prepared = files, options, None

    def prepare(self):
        if self.prepared is None:
            frames = {kind: panel_inputs.read_input(kind, path) for kind, (path, _name) in self.files.items()}
            self.prepared = builder.prepare_inputs(
                exports=frames["exports"],
                gdp=frames["gdp"],
                dist=frames["dist"],
                notifications=frames.get("tbt"),
                developed=self.options.developed,
                dist_column=self.options.dist_column,
                zeros=self.options.zeros,
                domestic=self.options.domestic,
                strict=self.options.strict,
                names={kind: name for kind, (_path, name) in self.files.items()},
            )
        return self.prepared


def _panel_for(release, *, key, inputs, name, described):
    """The panel of `release` built from `inputs`: the one built before under the same key when
    its file is still there, else built now (and stored once by content)."""
    before = (
        SensitivityColumn.objects.filter(build__key=key).select_related("panel", "sensitivity").order_by("-pk").first()
    )
    codes = [indicator.code for indicator in release.version.indicators.all()]
    dyads = release_frame(release.rows, codes, shape="dyad")
    if before is not None and panel_file(before.panel).exists():
        # The same key is the same panel from the same release: its support is the one counted then.
        support = before.build.get("support")
        if support is None:
            support = common_support.regressor_support(panel_frame(before.panel), dyads)
        return (
            before.panel,
            {
                "key": key,
                "panel_reused": True,
                "zeros_added": before.build.get("zeros_added"),
                "n_rows": before.panel.n_rows,
                "support": support,
            },
            before.sensitivity.checks,
        )
    prepared = inputs.prepare()
    frame = builder.panel_from(prepared, dyads, lags=inputs.options.lags, leads=inputs.options.leads)
    panel, created = panel_store(frame, name=name[:200], source=described, release=release)
    checks = {"counts": merge_checks.counts(prepared.checks), **prepared.checks}
    return (
        panel,
        {
            "key": key,
            "panel_reused": not created,
            "zeros_added": prepared.zeros_added,
            "n_rows": panel.n_rows,
            "support": common_support.regressor_support(frame, dyads),
        },
        checks,
    )


def _common_support(*, version, sources):
    """(the agreement ids every source codes under `version`, {source: how many of its treaties
    are left out}); (None, {}) when a source codes nothing (release_create then refuses, naming
    it). ValidationError when the sources share no treaty, with each one's count."""
    coded = {source: list(source_codes(version=version, source=source).index) for source in sources}
    if any(not ids for ids in coded.values()):
        return None, {}
    common, left_out = common_support.common_agreements(coded)
    if not common:
        raise ValidationError(
            _("No treaty is coded by every source (%(counts)s); turn common support off to compare them anyway.")
            % {"counts": ", ".join(f"{source}: {len(ids)}" for source, ids in coded.items())}
        )
    return common, left_out


def sensitivity_run_create(
    *, version, sources, files, specs, options=None, user=None, name="", dispatch=True, common=True
):
    """Release each source's codes under `version`, build (or reuse) its panel from `files`
    ({"exports", "gdp", "dist"[, "tbt"]}: paths or uploaded files), and create one run of `specs`
    per source, all in one SensitivityRun. `common`: restrict every release to the treaties all
    sources code (common support). Raises one of ERRORS for bad input; nothing is dispatched
    unless every run could be created."""
    options = options or PanelOptions()
    specs = validate_specs(specs)  # keys and grammar, before any work; columns below
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise ValidationError(f"name: at most {MAX_NAME} characters")
    sources = _sources(sources, user)
    files = _input_files(files)
    described = {kind: name_ for kind, (_path, name_) in files.items()}
    fingerprint = {
        "inputs": {kind: file_digest(path) for kind, (path, _name) in files.items()},
        "options": {k: v for k, v in options.as_json().items() if k != "strict"},
    }
    inputs = _Inputs(files, options)
    shared, left_out = _common_support(version=version, sources=sources) if common else (None, {})
    columns, checks, stored = [], {}, []
    # All or nothing: a source without codes, a strict finding or a spec naming a column the
    # panel lacks (found only once a panel exists) leaves no release, panel, run or panel file.
    try:
        with transaction.atomic():
            for source in sources:
                release, release_created = release_create(
                    version=version,
                    source=source,
                    user=user,
                    name=f"{name or 'sensitivity'}: {source}{' (common support)' if shared else ''}"[:200],
                    agreements=shared,
                )
                key = _digest({**fingerprint, "release": release.content_hash})
                panel, build, checks = _panel_for(
                    release,
                    key=key,
                    inputs=inputs,
                    name=f"{name or 'sensitivity'}: {source}",
                    described={**described, **fingerprint["options"], "build_key": key},
                )
                stored.append(panel_file(panel))
                if options.strict and any(checks.get("counts", {}).values()):
                    merge_checks.raise_if_any(checks)  # found when the panel was first built
                if shared is not None:
                    build["left_out"] = left_out[source]
                columns.append((source, release, panel, {**build, "release_reused": not release_created}))
            return _sensitivity_create(
                name=name,
                version=version,
                sources=sources,
                specs=specs,
                user=user,
                checks=checks,
                inputs={
                    kind: {"name": name_, "sha256": fingerprint["inputs"][kind]} for kind, name_ in described.items()
                },
                common={"requested": bool(common), "n_common": None if shared is None else len(shared)},
                options=options,
                columns=columns,
                dispatch=dispatch,
            )
    except Exception:
        for path in stored:  # rolled back: the files written for panels that no row names any more
            panel_file_forget(path)
        raise


def _sensitivity_create(*, name, version, sources, specs, user, checks, inputs, options, columns, dispatch, common):
    """The SensitivityRun row, and per source its column and run (inside sensitivity_run_create's
    transaction: the runs' tasks are sent once it commits)."""
    sensitivity = SensitivityRun.objects.create(
        name=name,
        version=version,
        sources=sources,
        specs=specs,
        created_by=user,
        checks=checks,
        inputs={**inputs, "options": options.as_json(), "common_support": common},
    )
    for position, (source, release, panel, build) in enumerate(columns):
        label = f"{name or f'sensitivity {sensitivity.pk}'} · {source}"[:MAX_NAME]
        run = model_run_create(panel=panel, specs=specs, user=user, name=label, dispatch=dispatch)
        SensitivityColumn.objects.create(
            sensitivity=sensitivity,
            position=position,
            source=source,
            release=release,
            panel=panel,
            run=run,
            build=build,
        )
    return sensitivity


def sensitivity_run_execute(*, sensitivity):
    """Fit every queued run of `sensitivity` in this process, one after the other (what
    `run_sensitivity --inline` and the benchmark do; a worker does the same per run)."""
    for column in sensitivity.columns.select_related("run").order_by("position"):
        if column.run.status == ModelRun.Status.QUEUED:
            model_run_fit_here(run_id=column.run_id)
    return sensitivity
