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
    """The rows of a release, computed fresh from the codes (totals are never copied)."""
    codes = source_codes(version=version, source=source)
    indicators = method.get("indicators") or version.depth_indicators or [i.code for i in version.indicators.all()]
    result = scoring.score(codes, indicators, method=method.get("name", "additive"), weights=method.get("weights"))
    tiers = scoring.assign_tiers(result.depth, version.tiers) if version.tiers else None
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
    return rows, result


def content_hash(*, version, source, method, rows):
    payload = {"codebook": version.codebook.code, "version": version.number, "codebook_hash": version.content_hash,
               "source": source, "method": method, "rows": rows}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def release_create(*, version, name, source=DatasetRelease.APPROVED, method=None, user=None):
    """Release the current codes of `source` under `version`. Unchanged content returns the
    existing release (same hash); any change gives a new number and hash; releases never change."""
    method = dict(method or {"name": "additive"})
    method.setdefault("indicators", version.depth_indicators or [i.code for i in version.indicators.all()])
    rows, result = release_rows(version=version, source=source, method=method)
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
