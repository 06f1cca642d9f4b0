"""Reads of codebook changes: what a version changed per indicator, and the re-check queue of
codings made under the wording it replaced. Reads only; the comparison is the pure
coding/pure/codebook_changes.py, carrying codings over is services/recheck.py."""

from collections import defaultdict

from django.db.models import Exists, OuterRef

from ..models import Answer, Codebook, CodebookVersion, Coding
from ..pure.codebook_changes import indicator_changes
from ..roles import REFERENCE

INDICATOR_FIELDS = ("code", "question_en", "question_zh", "guidance_en", "guidance_zh", "level", "allowed_values")


def indicator_dicts(version):
    """A version's indicators as the plain dicts codebook_changes compares."""
    return list(version.indicators.order_by("position").values(*INDICATOR_FIELDS))


def previous_version(version):
    return version.codebook.versions.filter(number__lt=version.number).order_by("-number").first()


def codebook_version_changes(version, *, against=None):
    """What `version` changed against `against` (default: the version before it), per indicator,
    or None for a first version."""
    against = against or previous_version(version)
    if against is None:
        return None
    changes = indicator_changes(indicator_dicts(against), indicator_dicts(version))
    return {
        "previous": against,
        "changes": changes,
        "recheck": [c.code for c in changes if c.recheck],
        "unchanged": [c.code for c in changes if c.status == "unchanged"],
        "removed": [c.code for c in changes if c.status == "removed"],
    }


def recheck_candidates(*, version):
    """Codings of people (reference sources are imported again, not re-checked) made under an
    older version of `version`'s codebook and not yet carried over to `version` or a coding there,
    each with the codes of the indicators it will have to re-check ([] : everything carries over).
    Returns [(coding, [codes])] by agreement and coder."""
    older = CodebookVersion.objects.filter(codebook=version.codebook, number__lt=version.number)
    already = Exists(Coding.objects.filter(agreement=OuterRef("agreement"), coder=OuterRef("coder"), version=version))
    codings = (
        Coding.objects.filter(version__in=older)
        .exclude(coder__groups__name=REFERENCE)
        .exclude(Exists(Coding.objects.filter(carried_from=OuterRef("pk"))))
        .exclude(already)
        .select_related("agreement", "coder", "version__codebook")
        .order_by("agreement__name", "coder__username", "-version__number")
    )
    recheck_by_version = {}
    result, seen = [], set()
    for coding in codings:
        if (coding.agreement_id, coding.coder_id) in seen:  # the newest older version of each coding
            continue
        seen.add((coding.agreement_id, coding.coder_id))
        if coding.version_id not in recheck_by_version:
            recheck_by_version[coding.version_id] = codebook_version_changes(version, against=coding.version)["recheck"]
        result.append((coding, recheck_by_version[coding.version_id]))
    return result


def recheck_outstanding(*, version=None):
    """Carried-over codings with answers still flagged for re-checking: [(coding, [codes])]."""
    answers = Answer.objects.filter(recheck=True, coding__carried_from__isnull=False)
    if version is not None:
        answers = answers.filter(coding__version=version)
    flagged = defaultdict(list)
    for coding_id, code in answers.order_by("indicator__position").values_list("coding_id", "indicator__code"):
        flagged[coding_id].append(code)
    codings = Coding.objects.filter(pk__in=list(flagged)).select_related("agreement", "coder", "version__codebook")
    return [(c, flagged[c.pk]) for c in codings.order_by("agreement__name", "coder__username")]


def recheck_queue():
    """Per codebook with more than one version: its latest version, what it changed, the codings
    under older versions waiting to be carried over and the carried ones still to re-check."""
    queue = []
    for codebook in Codebook.objects.order_by("code"):
        latest = codebook.latest_version
        if latest is None or latest.number == 1:
            continue
        candidates = recheck_candidates(version=latest)
        by_agreement = defaultdict(list)
        for coding, codes in candidates:
            by_agreement[coding.agreement].append((coding, codes))
        queue.append(
            {
                "codebook": codebook,
                "version": latest,
                "changes": codebook_version_changes(latest),
                "candidates": [{"agreement": a, "codings": rows} for a, rows in by_agreement.items()],
                "n_candidates": len(candidates),
                "outstanding": recheck_outstanding(version=latest),
            }
        )
    return queue


def codebook_change_summary(version):
    """Lines for `import_codebook`: what the version changed per indicator, and how many
    codings wait for re-checking. Empty for a first version."""
    changes = codebook_version_changes(version)
    if changes is None:
        return []
    lines = [f"changes from version {changes['previous'].number}:"]
    for change in changes["changes"]:
        if change.status == "unchanged" and not change.changes:
            continue
        detail = ", ".join(f"{c.name}" + ("" if c.substantive else " (translation added)") for c in change.changes)
        action = "re-check" if change.recheck else ("dropped" if change.status == "removed" else "carries over")
        lines.append(f"  {change.code}: {change.status}" + (f" ({detail})" if detail else "") + f" -> {action}")
    lines.append(f"  unchanged, carried over without re-coding: {', '.join(changes['unchanged']) or 'none'}")
    waiting = recheck_candidates(version=version)
    affected = sum(1 for _coding, codes in waiting if codes)
    lines.append(
        f"{len(waiting)} codings under older versions can be carried over; {affected} of them answer changed "
        "indicators and go to the re-check queue (/coding/recheck/)"
    )
    return lines
