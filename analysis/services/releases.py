"""Writes of dataset releases. The release path is one read, one pure call, one write:
selectors.releases.release_inputs reads, pure.scoring.release_table computes the rows and
summary (tiers decided there, once), release_create hashes and stores them with the evidence
read at the same time. Keyword-only; a release is never changed, a change makes a new one."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from coding.pure import inclusion_rules

from ..models import DatasetRelease
from ..pure import bounds, scoring
from ..selectors.releases import release_inputs, source_codes


def release_hash(*, version, source, method, rows, evidence=None):
    """sha256 of what a release says: codebook version (and its hash), source, method, rows and,
    when there is any, the evidence behind the codes. Evidence is hashed because it is part of
    what a release says and an equal hash returns the existing release: were it left out, codes
    re-released after a quote or rationale was corrected would keep the old evidence. It enters
    the payload only when not empty, so a release without evidence (every release made before
    releases kept it, a reference source without citations) keeps the hash it always had."""
    payload = {
        "codebook": version.codebook.code,
        "version": version.number,
        "codebook_hash": version.content_hash,
        "source": source,
        "method": method,
        "rows": rows,
    }
    if evidence:
        payload["evidence"] = evidence
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def release_name_checked(name):
    """The name a release is stored under: text of 1 to DatasetRelease.name's max_length
    characters (PostgreSQL refuses a longer one with a DataError, a 500 on the form)."""
    limit = DatasetRelease._meta.get_field("name").max_length
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(_("A release needs a name."))
    if len(name.strip()) > limit:
        raise ValidationError(
            _("The release name is %(length)s characters long; at most %(limit)s are allowed.")
            % {"length": len(name.strip()), "limit": limit}
        )
    try:  # "1" or "#1" as a name: lookups by number or name (release_get) would find release 1
        return bounds.not_a_number(name.strip(), "name")
    except bounds.BoundsError as exc:
        raise ValidationError(_(exc.template) % exc.params) from None


def release_create(
    *, version, name, source=DatasetRelease.APPROVED, method=None, user=None, agreements=None, strict=False
):
    """Release the current codes of `source` under `version`. Unchanged content returns the
    existing release (same hash); any change gives a new number and hash; releases never change.
    `agreements`: agreement ids to restrict the release to (those the source does not code are
    listed in the summary). The codebook's sample rules are checked on the rows: the summary lists
    the agreements that break them, and `strict` refuses to release them (naming them)."""
    name = release_name_checked(name)
    listed = None if agreements is None else list(dict.fromkeys(agreements))
    inputs = release_inputs(version=version, source=source, agreement_ids=listed)
    method = dict(method or {"name": "additive"})
    method.setdefault("indicators", inputs.depth_indicators or inputs.indicator_codes)
    if method.get("calibrate_with"):  # one spelling per set of sources, whichever way it was asked: one hash
        method["calibrate_with"] = sorted(set(method["calibrate_with"]))
    rows, summary = scoring.release_table(
        inputs, method=method, calibration=_calibration_codes(version=version, source=source, method=method)
    )
    if not rows:
        if source == DatasetRelease.APPROVED:
            raise ValidationError(_("nothing to release: no approved codings under %(version)s") % {"version": version})
        raise ValidationError(
            _("nothing to release: no codings by %(source)s under %(version)s") % {"source": source, "version": version}
        )
    _sample_checked(summary, version=version, rows=rows, strict=strict, listed=listed)
    digest = release_hash(version=version, source=source, method=method, rows=rows, evidence=inputs.evidence)
    existing = DatasetRelease.objects.filter(content_hash=digest).order_by("number").first()
    if existing:
        return existing, False
    with transaction.atomic():
        number = (DatasetRelease.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        release = DatasetRelease.objects.create(
            number=number,
            name=name,
            version=version,
            source=source,
            method=method,
            content_hash=digest,
            rows=rows,
            summary=summary,
            evidence=inputs.evidence,
            created_by=user,
        )
    return release, True


def _calibration_codes(*, version, source, method):
    """The codes of the sources an IRT release calibrates its items on (method "calibrate_with"),
    {source: codes}; ValidationError naming a source that is not another source with codes, or
    when the method is not irt."""
    sources = list(method.get("calibrate_with") or [])
    if not sources:
        return None
    if method.get("name") != "irt":
        raise ValidationError(_("calibrate_with: only an IRT release calibrates its items on other sources"))
    codes = {}
    for other in sources:
        if other == source:
            raise ValidationError(_("calibrate_with: %(source)s is the release's own source") % {"source": other})
        frame = source_codes(version=version, source=other)
        if frame.empty:
            raise ValidationError(
                _("calibrate_with: no codings by %(source)s under %(version)s") % {"source": other, "version": version}
            )
        codes[other] = frame
    return codes


def _sample_checked(summary, *, version, rows, strict, listed):
    """Add to `summary` the codebook's sample rules and the rows that break them ("inclusion"),
    and for a release restricted to a list the agreements listed the source does not code;
    ValidationError naming the breaking agreements when `strict`."""
    allowed = {i.code: i.values for i in version.indicators.all()}
    rules = inclusion_rules.rules_in_codebook_text(version.source_text, allowed)
    if rules:
        summary["inclusion"] = inclusion_rules.inclusion_summary(rules, rows)
        broken = summary["inclusion"]["breaches"]
        if strict and broken:
            raise ValidationError(
                _("strict: %(count)s agreements break the codebook's sample rules: %(list)s")
                % {"count": len(broken), "list": "; ".join(inclusion_rules.describe(b) for b in broken)}
            )
    if listed is not None:
        released = {row["agreement_id"] for row in rows}
        summary["restricted_to"] = {"n_listed": len(listed), "not_coded": [a for a in listed if a not in released]}
