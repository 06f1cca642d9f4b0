"""Reads of the analysis app: the coded values behind a release, comparisons, and which releases,
panels and runs a user may see (the rule itself lives in coding/visibility.py)."""
import pandas as pd

from coding import visibility
from coding.models import Adjudication, Agreement, AgreementParty, Answer, Coding, FinalValue
from coding.selectors import parse_id

from .models import DatasetRelease, ModelRun, Panel


def source_codes(*, version, source):
    """Wide frame (agreement_id x indicator code) of the values a release is built from:
    the approved (adjudicated) codings, or the submitted codings of one (reference) coder."""
    if source == DatasetRelease.APPROVED:
        values = FinalValue.objects.filter(adjudication__version=version, adjudication__state=Adjudication.State.APPROVED
                                           ).values_list("adjudication__agreement_id", "indicator__code", "value")
    else:
        values = Answer.objects.filter(coding__version=version, coding__coder__username=source,
                                       coding__state=Coding.State.SUBMITTED, value__isnull=False
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
    for agreement_id, iso3 in AgreementParty.objects.filter(agreement_id__in=agreement_ids).values_list("agreement_id", "iso3"):
        parties.setdefault(agreement_id, []).append(iso3)
    facts = {}
    for a in Agreement.objects.filter(pk__in=agreement_ids):
        facts[a.pk] = {
            "agreement_id": a.pk, "name": a.name, "desta_number": a.desta_number, "tota_id": a.tota_id,
            "wto_rta_id": a.wto_rta_id, "entry_into_force_year": a.entry_into_force_year,
            "membership": a.membership, "parties": sorted(parties.get(a.pk, [])),
        }
    return facts


def coverage(*, version):
    """How many agreements are approved and how many are still in coding under a version."""
    approved = Adjudication.objects.filter(version=version, state=Adjudication.State.APPROVED).values("agreement").distinct().count()
    in_coding = (Coding.objects.filter(version=version, agreement__assignments__version=version)
                 .exclude(agreement__adjudications__version=version, agreement__adjudications__state=Adjudication.State.APPROVED)
                 .values("agreement").distinct().count())
    return {"approved": approved, "in_coding": in_coding}


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


def release_meta(release):
    version = release.version
    return {
        "number": release.number, "name": release.name, "codebook": version.codebook.code, "version": version.number,
        "codebook_title": version.title_en, "source": release.source, "method": release.method.get("name", "additive"),
        "depth_indicators": release.method.get("indicators", []), "content_hash": release.content_hash,
        "created_by": release.created_by.get_username() if release.created_by else "command line",
        "created_at": release.created_at.strftime("%Y-%m-%d %H:%M UTC"), "citation": release.citation,
    }


def release_indicators(release):
    return [
        {"code": i.code, "level": i.level, "question_en": i.question_en, "question_zh": i.question_zh,
         "allowed_values": i.allowed_values}
        for i in release.version.indicators.all()
    ]


def release_export(release, *, fmt, shape="agreement"):
    """(bytes, filename, content type) of one export of a release."""
    from . import exports

    indicators = release_indicators(release)
    frame = exports.release_frame(release.rows, [i["code"] for i in indicators], shape=shape)
    data = exports.to_bytes(frame, fmt, meta=release_meta(release), indicators=indicators)
    return data, f"release-{release.number}-{shape}.{fmt}", exports.CONTENT_TYPES[fmt]


def source_frame(spec, *, version):
    """A comparison source: 'release:N', 'approved', or a coder's username ('DESTA 2.1')."""
    spec = spec.strip()
    if spec.startswith("release:"):
        release = release_get(spec.split(":", 1)[1])
        codes = [i.code for i in release.version.indicators.all()]
        frame = pd.DataFrame(release.rows).set_index("agreement_id")
        return frame.reindex(columns=codes).astype(float), release.version
    return source_codes(version=version, source=spec), version


def source_visible_to(user, source):
    """Whether `user` may see the values of a comparison or release source ("approved", a coder's
    username, or "release:N"). The rule is coding.visibility's; this only resolves a release."""
    if source.startswith("release:"):
        try:
            return visibility.source_visible_to(user, release_get(source.split(":", 1)[1]).source)
        except DatasetRelease.DoesNotExist:
            return visibility.source_visible_to(user, visibility.APPROVED_SOURCE)  # a 404 follows
    return visibility.source_visible_to(user, source)


def release_agreement_ids(release):
    return [row["agreement_id"] for row in release.rows]


def release_withheld_from(user, release, *, blind=None) -> int:
    """How many of the release's agreements `user` is still coding blind (see
    coding.visibility.withheld_count: a release is never shown with rows cut out)."""
    return visibility.withheld_count(user, release_agreement_ids(release), blind=blind)


def release_visible_to(user, release, *, blind=None) -> bool:
    return visibility.values_visible_to(user, source=release.source, agreement_ids=release_agreement_ids(release),
                                        blind=blind)


def releases_for(user):
    """Releases `user` may list: (release, number of its agreements withheld from the user)."""
    blind = visibility.agreements_in_blind_coding(user)  # one query, not one per release
    releases = DatasetRelease.objects.select_related("version__codebook", "created_by")
    return [(release, release_withheld_from(user, release, blind=blind))
            for release in releases if visibility.source_visible_to(user, release.source)]


def panel_visible_to(user, panel, *, blind=None) -> bool:
    """A panel built from a release carries that release's treaties (its FTA and depth columns):
    whoever may not open the release may not see the panel, nor any run on it, its tables, plots,
    status or API rows. Panels not built from a release show no coded values."""
    if not user.is_authenticated:
        return False
    return panel.release is None or release_visible_to(user, panel.release, blind=blind)


def panels_for(user):
    blind = visibility.agreements_in_blind_coding(user)
    return [p for p in Panel.objects.select_related("release") if panel_visible_to(user, p, blind=blind)]


def panel_get(user, ref):
    """A panel `user` may see, by id or content-hash prefix (at least 6 characters), or None."""
    ref = str(ref).strip()
    panel = None
    if parse_id(ref) is not None:
        panel = Panel.objects.select_related("release").filter(pk=parse_id(ref)).first()
    if panel is None and len(ref) >= 6 and all(c in "0123456789abcdef" for c in ref):
        panel = Panel.objects.select_related("release").filter(content_hash__startswith=ref).first()
    return panel if panel is not None and panel_visible_to(user, panel) else None


def runs_for(user, *, ids=None, status=None, limit=None):
    """Model runs `user` may see, newest first (or only `ids`, in any order), each with its panel
    and the panel's release loaded."""
    runs = ModelRun.objects.select_related("panel__release__version__codebook", "created_by")
    if ids is not None:
        runs = runs.filter(pk__in=list(ids))
    if status is not None:
        runs = runs.filter(status=status)
    if visibility.sees_everything(user):
        return list(runs[:limit] if limit else runs)
    blind = visibility.agreements_in_blind_coding(user)
    visible = [run for run in runs if panel_visible_to(user, run.panel, blind=blind)]
    return visible[:limit] if limit else visible


def run_get(user, pk):
    """One run `user` may see, or None: a run on a panel the user may not see does not exist for
    them (no 403 that would confirm it does)."""
    found = runs_for(user, ids=[pk])
    return found[0] if found else None


def comparison_for(user, *, a, b, version):
    """Two sources side by side (see compare.compare_sources), without the agreements `user` is
    still coding blind; `hidden` says how many were left out."""
    from .compare import compare_sources

    frame_a, _ = source_frame(a, version=version)
    frame_b, _ = source_frame(b, version=version)
    blind = visibility.agreements_in_blind_coding(user)
    hidden = len(blind & (set(frame_a.index) | set(frame_b.index)))
    frame_a, frame_b = frame_a.drop(index=list(blind), errors="ignore"), frame_b.drop(index=list(blind), errors="ignore")
    names = dict(Agreement.objects.filter(pk__in=list(frame_a.index.union(frame_b.index))).values_list("pk", "name"))
    levels = {i.code: (i.level, i.values) for i in version.indicators.all()}
    result = compare_sources(frame_a, frame_b, levels=levels, depth_indicators=version.depth_indicators, names=names,
                             labels=("a", "b"))
    result["hidden"] = hidden
    return result
