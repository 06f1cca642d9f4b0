"""Reads of dataset releases: what a release is built from (release_inputs), a release by number
or name, its metadata, evidence (release_evidence), exports, coding report, and whether a user may
see it. Who may see what is coding/visibility.py's rule; this maps a release to its source and ids."""

from collections import defaultdict

import pandas as pd
from django.contrib.auth import get_user_model

from coding import visibility
from coding.models import (
    Adjudication,
    Agreement,
    AgreementParty,
    Answer,
    Article,
    Assignment,
    Chapter,
    Coding,
    DisagreementType,
    Evidence,
    FinalValue,
    TextVersion,
)
from coding.pure.ids import parse_id
from coding.roles import REFERENCE

from ..models import DatasetRelease
from ..pure import exports, formats, scoring
from .release_reliability import coder_agreement, coder_score_agreement
from .release_visibility import (  # noqa: F401 - re-exported: runs and sensitivity read them here
    release_agreement_ids,
    release_sources,
    release_visible_to,
    release_withheld_from,
)


def source_codes(*, version, source):
    """Wide frame (agreement_id x indicator code) of the values a release is built from:
    the approved (adjudicated) codings, or the submitted codings of one (reference) coder."""
    if source == DatasetRelease.APPROVED:
        values = FinalValue.objects.filter(
            adjudication__version=version, adjudication__state=Adjudication.State.APPROVED
        ).values_list("adjudication__agreement_id", "indicator__code", "value")
    else:
        values = Answer.objects.filter(
            coding__version=version,
            coding__coder__username=source,
            coding__state=Coding.State.SUBMITTED,
            value__isnull=False,
        ).values_list("coding__agreement_id", "indicator__code", "value")
    long = pd.DataFrame(list(values), columns=["agreement_id", "indicator", "value"])
    codes = [i.code for i in version.indicators.all()]
    if long.empty:
        return pd.DataFrame(columns=codes, dtype=float)
    wide = long.pivot(index="agreement_id", columns="indicator", values="value").astype(float)
    return wide.reindex(columns=codes).sort_index()


def agreement_facts(agreement_ids):
    """Identifiers, names, parties and entry-into-force year, keyed by agreement id."""
    parties = {}
    for agreement_id, iso3 in AgreementParty.objects.filter(agreement_id__in=agreement_ids).values_list(
        "agreement_id", "iso3"
    ):
        parties.setdefault(agreement_id, []).append(iso3)
    facts = {}
    for a in Agreement.objects.filter(pk__in=agreement_ids):
        facts[a.pk] = {
            "agreement_id": a.pk,
            "name": a.name,
            "desta_number": a.desta_number,
            "tota_id": a.tota_id,
            "wto_rta_id": a.wto_rta_id,
            "entry_into_force_year": a.entry_into_force_year,
            "membership": a.membership,
            "parties": sorted(parties.get(a.pk, [])),
        }
    return facts


def coverage(*, version):
    """How many agreements are approved and how many are still in coding under a version."""
    approved = (
        Adjudication.objects.filter(version=version, state=Adjudication.State.APPROVED)
        .values("agreement")
        .distinct()
        .count()
    )
    in_coding = (
        Coding.objects.filter(version=version, agreement__assignments__version=version)
        .exclude(agreement__adjudications__version=version, agreement__adjudications__state=Adjudication.State.APPROVED)
        .values("agreement")
        .distinct()
        .count()
    )
    return {"approved": approved, "in_coding": in_coding}


def _reference_ids():
    return set(get_user_model().objects.filter(groups__name=REFERENCE).values_list("pk", flat=True))


def _approved_supporters(*, version, references):
    """{(agreement id, indicator code): (approved value, rationale)} and a test of whether a
    coder's answer backs that value: the answer is the approved value and its coder was assigned
    to the agreement (approvals imported without assignments: any submitted coding). A value
    imported as approved (import_codings --approved) came from the file's reference sources, so
    their answers back it even on an agreement others were assigned."""
    finals, imported = {}, set()
    for a, code, value, rationale, kind in FinalValue.objects.filter(
        adjudication__version=version,
        adjudication__state=Adjudication.State.APPROVED,
    ).values_list("adjudication__agreement_id", "indicator__code", "value", "rationale", "disagreement_type"):
        finals[a, code] = (value, rationale)
        if kind == DisagreementType.IMPORTED:
            imported.add((a, code))
    assigned = defaultdict(set)
    for agreement_id, coder_id in Assignment.objects.filter(version=version).values_list("agreement_id", "coder_id"):
        assigned[agreement_id].add(coder_id)

    def backs(answer):
        key = (answer["coding__agreement_id"], answer["indicator__code"])
        final, coders, coder = finals.get(key), assigned.get(key[0]), answer["coding__coder_id"]
        return (
            final is not None
            and final[0] == answer["value"]
            and (not coders or coder in coders or (key in imported and coder in references))
        )

    return finals, backs, imported


def source_evidence(*, version, source):
    """What backs each code of `source` under `version`, read when a release is made and stored
    in it (so it never changes afterwards): one record per cited article or passage, one per
    "searched, not found" statement, and for an approved code nobody's citation backs, one with
    the adjudicator's rationale alone. Approved codes carry the citations of the coders whose
    answer is the approved value, with the rationale; one coder's codes carry that coder's.
    Articles are named as the coding's own text version numbers them (empty when it gives no
    number: exports then cite the identifier) and keep the identifier as the stable key. Sorted, so that
    the same evidence is the same JSON (it is part of the release's content hash)."""
    answers = Answer.objects.filter(coding__version=version, coding__state=Coding.State.SUBMITTED, value__isnull=False)
    finals, backs, references, imported = {}, None, _reference_ids(), set()
    if source == DatasetRelease.APPROVED:
        finals, backs, imported = _approved_supporters(version=version, references=references)
        answers = answers.filter(
            coding__agreement__adjudications__version=version,
            coding__agreement__adjudications__state=Adjudication.State.APPROVED,
        )
    else:
        answers = answers.filter(coding__coder__username=source)
    kept = {
        a["id"]: a
        for a in answers.values(
            "id",
            "value",
            "note",
            "not_found",
            "searched_chapters",
            "indicator__code",
            "indicator__position",
            "coding__agreement_id",
            "coding__coder_id",
            "coding__coder__username",
            "coding__text_version_id",
            "coding__agreement__current_text_id",
        )
        if backs is None or backs(a)
    }
    for a in kept.values():  # a coding made before its agreement had a text reads the current one
        a["text_version_id"] = a["coding__text_version_id"] or a["coding__agreement__current_text_id"]
    evidence = Evidence.objects.filter(answer__in=answers)
    cited = defaultdict(list)
    for e in evidence.order_by("answer_id", "id").values("answer_id", "article_identifier", "quote"):
        if e["answer_id"] in kept:
            cited[e["answer_id"]].append(e)
    texts = {a["text_version_id"] for a in kept.values()} - {None}
    numbered = any(f.name == "number" for f in Article._meta.get_fields())  # articles' own numbers, when kept
    articles = {
        (r["version_id"], r["identifier"]): r
        for r in Article.objects.filter(
            version_id__in=texts,
            identifier__in=evidence.values("article_identifier"),  # a subquery, not a long list
        ).values("version_id", "identifier", "heading", *(["number"] if numbered else []))
    }
    chapters = {
        (v, i): name or i
        for v, i, name in Chapter.objects.filter(
            version_id__in={a["text_version_id"] for a in kept.values() if a["not_found"]} - {None},
        ).values_list("version_id", "identifier", "name")
    }
    text_numbers = dict(TextVersion.objects.filter(pk__in=texts).values_list("pk", "number"))

    records, covered, noted, sourced = [], set(), {}, {}
    for a in sorted(
        kept.values(), key=lambda a: (a["coding__agreement_id"], a["indicator__position"], a["coding__coder__username"])
    ):
        key = (a["coding__agreement_id"], a["indicator__code"])
        rationale, note = finals.get(key, (None, ""))[1], a["note"].strip()
        if key in imported and a["coding__coder_id"] in references:  # the file's source, note or not
            sourced.setdefault(key, a["coding__coder__username"])
        if note and a["coding__coder_id"] in references:  # an imported source's note is its reasoning
            rationale = f"{note} ({rationale})" if rationale else note
            noted.setdefault(key, (a["coding__coder__username"], a["value"], rationale))
        base = {
            "agreement_id": key[0],
            "indicator": key[1],
            "value": a["value"],
            "coder": a["coding__coder__username"],
            "text_version": text_numbers.get(a["text_version_id"]),
            "rationale": rationale,
        }
        for e in cited[a["id"]]:
            article = articles.get((a["text_version_id"], e["article_identifier"]), {})
            records.append(
                {
                    **base,
                    "kind": "citation",
                    "article_id": e["article_identifier"],
                    "article_number": article.get("number") or "",
                    "article_heading": article.get("heading", ""),
                    "quote": e["quote"],
                    "searched": [],
                }
            )
            covered.add(key)
        if a["not_found"]:
            records.append(
                {
                    **base,
                    "kind": "not_found",
                    "article_id": "",
                    "article_number": "",
                    "article_heading": "",
                    "quote": "",
                    "searched": [chapters.get((a["text_version_id"], c), c) for c in a["searched_chapters"]],
                }
            )
            covered.add(key)
    positions = {i.code: i.position for i in version.indicators.all()}
    # A code nothing cited: the source's note (imported sources) or else the adjudicator's rationale.
    uncited = {key: (coder, value, rationale) for key, (coder, value, rationale) in noted.items() if key not in covered}
    uncited.update(
        {
            key: (sourced.get(key, ""), value, rationale)  # an imported value names its source
            for key, (value, rationale) in finals.items()
            if key not in covered and key not in uncited
        }
    )
    for key, (coder, value, rationale) in uncited.items():
        if rationale.strip():
            records.append(
                {
                    "agreement_id": key[0],
                    "indicator": key[1],
                    "value": value,
                    "coder": coder,
                    "text_version": None,
                    "rationale": rationale,
                    "kind": "rationale",
                    "article_id": "",
                    "article_number": "",
                    "article_heading": "",
                    "quote": "",
                    "searched": [],
                }
            )
    records.sort(key=lambda r: (r["agreement_id"], positions.get(r["indicator"], 0)))  # stable: citation order kept
    return records


def release_inputs(*, version, source, agreement_ids=None) -> scoring.ReleaseInputs:
    """The one read of the release path: everything scoring.release_table needs to release the
    current codes of `source` under `version` (codes, agreement facts, the codebook's indicator
    ranges, depth indicators and tiers, coverage, coder agreement on them), of `agreement_ids` if given."""
    codes = source_codes(version=version, source=source)
    codes = codes if agreement_ids is None else codes[codes.index.isin(set(agreement_ids))]
    indicators = list(version.indicators.all())
    agreement_ids = list(codes.index)
    released = set(agreement_ids)
    return scoring.ReleaseInputs(
        codes=codes,
        facts=agreement_facts(agreement_ids),
        indicator_codes=[i.code for i in indicators],
        indicator_ranges={i.code: (min(i.values), max(i.values)) for i in indicators},
        depth_indicators=list(version.depth_indicators or []),
        tiers=list(version.tiers or []),
        coverage=coverage(version=version),
        agreement=coder_agreement(version=version, agreement_ids=agreement_ids),
        agreement_scores=coder_score_agreement(version=version, agreement_ids=agreement_ids),
        evidence=[e for e in source_evidence(version=version, source=source) if e["agreement_id"] in released],
    )


def depth_codes(version):
    """The indicators a depth score of `version` adds up (release_create's default)."""
    return list(version.depth_indicators or [i.code for i in version.indicators.all()])


# "No such release" as the selectors raise it, for callers that import no models module.
ReleaseNotFound = DatasetRelease.DoesNotExist


def release_by_number(number):
    """The release numbered `number` with its codebook version and author, or None."""
    return DatasetRelease.objects.select_related("version__codebook", "created_by").filter(number=number).first()


def release_visible_get(user, ref):
    """A release by number or name that `user` may open whole (its source visible, none of its
    agreements coded blind by them: release_visible_to), or None: for the API a release the
    user may not open does not exist."""
    try:
        release = release_get(ref)
    except ReleaseNotFound:
        return None
    return release if release_visible_to(user, release) else None


def release_get(ref):
    """A release by number or name."""
    text = str(ref).strip()
    digits = text.lstrip("#")
    if digits.isascii() and digits.isdigit():
        number = parse_id(digits)
        if number is None:
            raise DatasetRelease.DoesNotExist(f"no release number {text}")
        return DatasetRelease.objects.select_related("version__codebook").get(number=number)
    return DatasetRelease.objects.select_related("version__codebook").filter(name=text).latest("number")


def release_tier_table(release):
    """The tier table of a release's page, from its stored rows (their tiers were decided once,
    by scoring.release_table); [] when the codebook has no tiers or they do not apply to the
    release's scores (releases stored before the summary said so: only additive ones)."""
    tiers = release.version.tiers
    applies = release.summary.get("tiers_apply", release.method.get("name", "additive") == "additive")
    return scoring.tier_table(release.rows, tiers) if tiers and applies else []


def release_meta(release):
    version = release.version
    return {
        "number": release.number,
        "name": release.name,
        "codebook": version.codebook.code,
        "version": version.number,
        "codebook_title": version.title_en,
        "source": release.source,
        "method": release.method.get("name", "additive"),
        "depth_indicators": release.method.get("indicators", []),
        "content_hash": release.content_hash,
        "created_by": release.created_by.get_username() if release.created_by else "command line",
        "created_at": release.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "citation": release.citation,
        "evidence_kept": release.evidence is not None,
        "reliability": (release.summary or {}).get("agreement") or {},
        "reliability_scores": (release.summary or {}).get("agreement_scores") or {},
    }


def release_indicators(release):
    return [
        {
            "code": i.code,
            "level": i.level,
            "question_en": i.question_en,
            "question_zh": i.question_zh,
            "allowed_values": i.allowed_values,
        }
        for i in release.version.indicators.all()
    ]


def release_evidence(release):
    """The evidence stored in a release (the one read of it: pages and exports of a release show
    its evidence only where the release itself may be opened): a list of records, [] when
    nothing backs its codes, None when the release was made before releases kept evidence."""
    return release.evidence


def release_export(release, *, fmt, shape="agreement"):
    """(bytes, filename, content type) of one export of a release (Excel and JSON with its evidence)."""
    indicators = release_indicators(release)
    frame = exports.release_frame(release.rows, [i["code"] for i in indicators], shape=shape)
    data = formats.dataset_bytes(
        frame,
        fmt,
        meta=release_meta(release),
        indicators=indicators,
        evidence=release_evidence(release),
        rows=release.rows,
    )
    output = formats.DATASETS[fmt]
    return data, f"release-{release.number}-{shape}.{output.extension}", output.content_type


def release_evidence_export(release, *, fmt):
    """(bytes, filename, content type) of the evidence file beside a CSV or Stata export."""
    frame = exports.evidence_frame(release_evidence(release), release.rows)
    data = formats.evidence_bytes(frame, fmt, meta=release_meta(release))
    output = formats.EVIDENCE[fmt]
    return data, f"release-{release.number}-evidence.{output.extension}", output.content_type


def release_report(release):
    """The printable coding report of a release: per agreement, each indicator's released value,
    the evidence behind it and the adjudication rationale (analysis.pure.exports.coding_report),
    with each indicator's question and value label in the active language."""
    indicators = {i.code: i for i in release.version.indicators.all()}
    report = exports.coding_report(release.rows, release_evidence(release), list(indicators))
    for agreement in report:
        for item in agreement["indicators"]:
            indicator = indicators[item["code"]]
            item["question"] = indicator.question
            item["value_label"] = dict(indicator.value_labels()).get(item["value"], "")
    return report


# --- who may see a release (the rule is coding.visibility's) ---------------------------------


def source_visible_to(user, source):
    """Whether `user` may see the values of a comparison or release source ("approved", a coder's
    username, or "release:N"). The rule is coding.visibility's; this only resolves a release."""
    if source.startswith("release:"):
        try:
            return visibility.source_visible_to(user, release_get(source.split(":", 1)[1]).source)
        except DatasetRelease.DoesNotExist:
            return visibility.source_visible_to(user, visibility.APPROVED_SOURCE)  # a 404 follows
    return visibility.source_visible_to(user, source)


def releases_for(user):
    """Releases `user` may list: (release, number of its agreements withheld from the user)."""
    blind = visibility.agreements_in_blind_coding(user)  # one query, not one per release
    releases = DatasetRelease.objects.select_related("version__codebook", "created_by")
    return [
        (release, release_withheld_from(user, release, blind=blind))
        for release in releases
        if all(visibility.source_visible_to(user, source) for source in release_sources(release))
    ]
