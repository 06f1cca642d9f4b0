"""Writes of the analysis app: dataset releases."""
import hashlib
import json
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from coding.selectors_dashboard import reliability_by_indicator

from . import scoring
from .models import DatasetRelease
from .selectors import agreement_facts, coverage, source_codes


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() else round(float(value), 10)


def release_rows(*, version, source, method):
    """(rows, ScoreResult, whether the codebook's tiers apply to the scores): rows computed fresh
    from the codes (totals are never copied)."""
    codes = source_codes(version=version, source=source)
    indicators = method.get("indicators") or version.depth_indicators or [i.code for i in version.indicators.all()]
    result = scoring.score(codes, indicators, method=method.get("name", "additive"), weights=method.get("weights"))
    # Codebook tiers are cut on the additive range: not applied to PCA scores or to weights that change the range.
    tiers_apply = scoring.result_tiers_apply(result, indicator_ranges=_indicator_ranges(version, indicators))
    tiers = scoring.assign_tiers(result.depth, version.tiers) if version.tiers and tiers_apply else None
    facts = agreement_facts(list(codes.index))
    rows = []
    for agreement_id in codes.index:
        row = dict(facts[agreement_id])
        row.update({code: _clean(codes.at[agreement_id, code]) for code in codes.columns})
        row["depth"] = _clean(result.depth.get(agreement_id))
        tier = tiers.get(agreement_id) if tiers is not None else None
        row["tier"] = tier if isinstance(tier, str) else None  # pandas turns a missing tier into NaN
        rows.append(row)
    rows.sort(key=lambda r: r["agreement_id"])
    return rows, result, tiers_apply


def _indicator_ranges(version, indicators):
    return {i.code: (min(i.values), max(i.values)) for i in version.indicators.all() if i.code in indicators}


def content_hash(*, version, source, method, rows):
    payload = {"codebook": version.codebook.code, "version": version.number, "codebook_hash": version.content_hash,
               "source": source, "method": method, "rows": rows}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def release_create(*, version, name, source=DatasetRelease.APPROVED, method=None, user=None):
    """Release the current codes of `source` under `version`. Unchanged content returns the
    existing release (same hash); any change gives a new number and hash; releases never change."""
    method = dict(method or {"name": "additive"})
    method.setdefault("indicators", version.depth_indicators or [i.code for i in version.indicators.all()])
    rows, result, tiers_apply = release_rows(version=version, source=source, method=method)
    if not rows:
        raise ValidationError(f"nothing to release: no {'approved codings' if source == 'approved' else f'codings by {source}'} under {version}")
    digest = content_hash(version=version, source=source, method=method, rows=rows)
    existing = DatasetRelease.objects.filter(content_hash=digest).order_by("number").first()
    if existing:
        return existing, False
    depths = [r["depth"] for r in rows if r["depth"] is not None]
    summary = {
        "n_agreements": len(rows),
        "n_scored": len(depths),
        "coverage": coverage(version=version),
        "tiers": {t["name"]: sum(1 for r in rows if r["tier"] == t["name"]) for t in version.tiers},
        "depth_counts": {str(k): depths.count(k) for k in sorted(set(depths))},
        "loadings": result.loadings,
        "explained_variance": result.explained_variance,
        "correlation_with_additive": result.correlation_with_additive,
        "warnings": result.warnings,
        "tiers_apply": tiers_apply,
        "agreement": _agreement_summary(version=version, agreement_ids=[r["agreement_id"] for r in rows]),
    }
    with transaction.atomic():
        number = (DatasetRelease.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        release = DatasetRelease.objects.create(
            number=number, name=name, version=version, source=source, method=method, content_hash=digest,
            rows=rows, summary=summary, created_by=user,
        )
    return release, True


def _agreement_summary(*, version, agreement_ids):
    """Inter-coder agreement of the (human) coders on the released agreements, per indicator."""
    from django.contrib.auth import get_user_model

    from coding.roles import REFERENCE

    humans = list(get_user_model().objects.exclude(groups__name=REFERENCE)
                  .filter(codings__version=version, codings__agreement_id__in=agreement_ids)
                  .values_list("username", flat=True).distinct())
    if len(humans) < 2:
        return {}
    from coding.models import Agreement

    stats = reliability_by_indicator(version=version, coders=sorted(humans), agreements=Agreement.objects.filter(pk__in=agreement_ids))
    return {code: {k: s[k] for k in ("n_units", "percent_agreement", "krippendorff_alpha", "gwet_ac")} for code, s in stats.items()}


# --- panels and model runs -------------------------------------------------------------------

def panel_hash(frame):
    import pandas as pd

    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return hashlib.sha256(json.dumps(list(map(str, frame.columns))).encode() + rows).hexdigest()


def panel_store(frame, *, name, source=None, release=None, synthetic=False):
    """Store a panel (once per content): a pickle under MEDIA_ROOT/panels named by its hash."""
    from pathlib import Path

    from django.conf import settings

    from .gravity import prepare_panel
    from .models import Panel

    frame = prepare_panel(frame).reset_index(drop=True)
    digest = panel_hash(frame)
    existing = Panel.objects.filter(content_hash=digest).first()
    if existing and Path(existing.path).exists():
        return existing, False
    folder = Path(settings.MEDIA_ROOT) / "panels"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.pkl"
    frame.to_pickle(path)
    if existing:
        existing.path = str(path)
        existing.save(update_fields=["path"])
        return existing, False
    panel = Panel.objects.create(name=name, content_hash=digest, path=str(path), n_rows=len(frame),
                                 columns=list(map(str, frame.columns)), source=source or {}, release=release,
                                 synthetic=synthetic)
    return panel, True


def panel_import_csv(*, path, name=None):
    """A ready-made panel CSV with any columns (at least exporter, importer, year)."""
    from pathlib import Path

    import pandas as pd

    from coding.importers.errors import ImportFailed

    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"cannot read the panel ({exc})", path=path) from exc
    missing = {"exporter", "importer", "year"} - set(frame.columns)
    if missing:
        raise ImportFailed(f"missing columns: {', '.join(sorted(missing))}", path=path, line=1)
    return panel_store(frame, name=name or path.stem, source={"csv": path.name})


def package_versions():
    from importlib.metadata import version

    names = ["pyfixest", "pandas", "numpy", "django", "celery", "statsmodels"]
    return {n: version(n) for n in names}


MAX_NAME = 200  # ModelRun.name's max_length


def model_run_create(*, panel, specs, user=None, name="", dispatch=True):
    """Validate the specifications, create the run row, and send its task once committed."""
    from .gravity import SpecError, validate_specs
    from .models import ModelRun

    # Every key by type and the whole formula by our grammar, before anything is stored: a spec
    # is data, never code (the worker checks again before it fits).
    specs = validate_specs(specs, panel.columns)
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise SpecError(f"name: at most {MAX_NAME} characters")
    with transaction.atomic():
        run = ModelRun.objects.create(panel=panel, specs=specs, created_by=user, name=name, versions=package_versions())
        if dispatch:
            transaction.on_commit(lambda: _send(run))
    return run


def _send(run):
    """Publish the task (called on commit). When the broker cannot be reached, the run ends
    FAILED with the reason instead of staying QUEUED for ever, and the page that started it
    shows that reason."""
    import logging

    from django.utils import timezone

    from .models import ModelRun
    from .tasks import run_model_task

    try:
        result = run_model_task.delay(run.pk)
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many types when the broker is down
        logging.getLogger(__name__).exception("could not queue model run %s", run.pk)
        ModelRun.objects.filter(pk=run.pk, status=ModelRun.Status.QUEUED).update(
            status=ModelRun.Status.FAILED, finished_at=timezone.now(),
            error=f"could not reach the task queue (is Redis running at REDIS_URL?): {type(exc).__name__}: {exc}")
        return
    ModelRun.objects.filter(pk=run.pk).update(task_id=result.id)


def model_run_cancel(*, run):
    """Cancel a queued or running run. The row says CANCELLED at once, whatever the worker does:
    every later write of the worker is conditional on the run still RUNNING, so a fit that
    finishes after the cancel never turns it DONE. A running task is also revoked with
    terminate, which stops the fit itself in a prefork worker (a solo worker finishes the fit
    and discards it)."""
    from django.utils import timezone

    from .models import ModelRun

    cancelled = ModelRun.objects.filter(pk=run.pk, status__in=[ModelRun.Status.QUEUED, ModelRun.Status.RUNNING]).update(
        status=ModelRun.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now(),
        progress_message="cancelled")
    if cancelled and run.task_id:
        from config.celery import app

        try:
            app.control.revoke(run.task_id, terminate=True)
        except Exception:  # noqa: BLE001 - the row is cancelled already; the broker may be down
            import logging

            logging.getLogger(__name__).warning("could not revoke task %s of run %s", run.task_id, run.pk)
    return bool(cancelled)


def model_run_execute(*, run_id):
    """Claim a queued run and fit its specifications one by one, writing progress after each.
    A specification error fails the run with its message; it is not retried."""
    import pandas as pd
    from django.utils import timezone

    from .gravity import SpecError, fit
    from .models import ModelRun

    # The versions that matter are the worker's, which fits the model, not the web process's.
    claimed = ModelRun.objects.filter(pk=run_id, status=ModelRun.Status.QUEUED).update(
        status=ModelRun.Status.RUNNING, started_at=timezone.now(), progress=1, progress_message="loading the panel",
        versions=package_versions())
    if not claimed:
        return None
    running = ModelRun.objects.filter(pk=run_id, status=ModelRun.Status.RUNNING)  # writes stop once cancelled
    run = ModelRun.objects.select_related("panel").get(pk=run_id)
    results = []
    try:
        data = pd.read_pickle(run.panel.path)
        total = len(run.specs)
        for index, spec in enumerate(run.specs):
            if not running.exists():
                return ModelRun.objects.get(pk=run_id)

            def report(message, index=index):
                running.update(progress=max(1, int(100 * index / total)), progress_message=f"{index + 1}/{total}: {message}")

            results.append(fit(data, spec, progress=report))
            running.update(progress=int(100 * (index + 1) / total), results=results)
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, never leave it RUNNING
        import logging

        if not isinstance(exc, (SpecError, KeyError, ValueError)):
            logging.getLogger(__name__).exception("model run %s failed", run_id)
        running.update(status=ModelRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}", results=results,
                       finished_at=timezone.now())
        return ModelRun.objects.get(pk=run_id)
    running.update(status=ModelRun.Status.DONE, progress=100, progress_message="done", results=results,
                   finished_at=timezone.now())
    return ModelRun.objects.get(pk=run_id)
