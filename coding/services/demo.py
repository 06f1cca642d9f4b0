"""The demo: codebooks, the study's 61 FTAs, demo users and (when available) ToTA texts."""
import csv
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import Agreement, Coding
from ..roles import CODER, SUPERVISOR
from .codebooks import codebook_import
from .texts import _set_parties, agreements_import_tota
from .users import user_role_grant

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_USERS = [
    # username, password, role, display name
    ("coder_a", "coder_a-demo", CODER, "Coder A"),
    ("coder_b", "coder_b-demo", CODER, "Coder B"),
    ("supervisor", "supervisor-demo", SUPERVISOR, "Supervisor"),
]


def demo_users_create():
    User = get_user_model()
    for username, password, role, display in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
        if created:
            user.set_password(password)
            user.save()
        user_role_grant(user=user, role=role)  # a supervisor also becomes staff (Django admin)
    return DEMO_USERS


@transaction.atomic
def demo_agreements_create():
    """The study's Table 5 FTAs with DESTA number, parties and entry-into-force year."""
    rows = list(csv.DictReader((DEMO_DIR / "study_ftas.csv").open(encoding="utf-8")))
    for row in rows:
        desta = row["desta_number"] or None
        tota = int(row["tota_id"]) if row["tota_id"] else None
        agreement = (
            Agreement.objects.filter(desta_number=desta).first() if desta else None
        ) or (Agreement.objects.filter(tota_id=tota).first() if tota else None) or Agreement()
        agreement.name = row["fta_en"]
        agreement.name_zh = row["fta_zh"]
        agreement.desta_number = desta
        # The text may already belong to another DESTA entry (DESTA sometimes lists a treaty
        # twice); keep that link rather than break the uniqueness of tota_id.
        if tota and not Agreement.objects.filter(tota_id=tota).exclude(pk=agreement.pk).exists():
            agreement.tota_id = tota
        agreement.entry_into_force_year = int(row["entry_into_force_year"])
        agreement.membership = Agreement.Membership.BILATERAL
        agreement.save()
        _set_parties(agreement, sorted({row["party_a"], row["party_b"]}))
    return rows


def tota_source_dir():
    """Where ToTA texts come from: TOTA_DIR, else ../shared/data/tota, else None."""
    for candidate in (settings.TOTA_DIR, settings.SHARED_DIR / "data" / "tota"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def demo_texts_import(tota_ids, *, log=print):
    source = tota_source_dir()
    if source:
        files = [source / f"pta_{n}.xml" for n in tota_ids if (source / f"pta_{n}.xml").exists()]
        result = agreements_import_tota(paths=files)
        log(f"Texts: {len(files)} ToTA files from {source} ({result.created + result.updated} imported, {result.unchanged} unchanged).")
        return
    download_dir = Path(tempfile.mkdtemp(prefix="tota-"))
    try:
        files = []
        for n in tota_ids:
            target = download_dir / f"pta_{n}.xml"
            with urllib.request.urlopen(f"{settings.TOTA_REMOTE_BASE}pta_{n}.xml", timeout=15) as response:
                target.write_bytes(response.read())
            files.append(target)
    except OSError:
        log("Texts: offline and no ToTA files found; add them later with "
            "`TOTA_DIR=/path/to/tota/xml python manage.py load_demo` or `python manage.py import_tota DIR`.")
        return
    result = agreements_import_tota(paths=files)
    log(f"Texts: {len(files)} ToTA files downloaded from the ToTA repository ({result.created + result.updated} imported).")


STUDY_CODES = ("tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon")


def study_codings_csv(target):
    """The study's Table 6 (one row per FTA, as printed) as the long CSV import_codings takes.
    Returns None when ../shared/reference is absent."""
    reference = settings.SHARED_DIR / "reference"
    if not (reference / "paper_table6_china_codings.csv").exists():
        return None
    table5 = {frozenset((r["party_a"], r["party_b"])): r["desta_number"]
              for r in csv.DictReader((reference / "paper_table5_depth_scores.csv").open(encoding="utf-8"))}
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agreement", "coder", "indicator", "value", "note"])
        for row in csv.DictReader((reference / "paper_table6_china_codings.csv").open(encoding="utf-8")):
            desta = table5[frozenset((row["party_a"], row["party_b"]))]
            for code in STUDY_CODES:
                writer.writerow([f"desta:{desta}", "the study", code, row[code], f"printed total {row['paper_depth']}"])
    return target


def demo_references_load(*, log=print):
    """The study's China codings and DESTA 2.1's codes as reference coders, when available."""
    from ..selectors import codebook_version_get
    from .coding_import import codings_import_csv, desta_codings_import

    version = codebook_version_get(code="desta-tbt")
    target = Path(tempfile.mkdtemp(prefix="study-")) / "study_table6.csv"
    if study_codings_csv(target):
        stats = codings_import_csv(path=target, version=version, reference=True)
        log(f"Reference coder 'the study': {stats['codings']} FTAs (Table 6).")
    desta = settings.SHARED_DIR / "data" / "desta" / "desta_tbt_02_01.csv"
    if desta.exists():
        result = desta_codings_import(path=desta, version=version)
        log(f"Reference coder 'DESTA 2.1': {result['linked']} of the demo FTAs.")


def demo_assignments_create(*, log=print):
    """A first queue for the demo coders: China's FTAs that have a text, double-coded."""
    from django.contrib.auth import get_user_model

    from ..selectors import codebook_version_get
    from .codings import assignment_create

    User = get_user_model()
    version = codebook_version_get(code="desta-tbt")
    agreements = list(Agreement.objects.filter(parties__iso3="CHN", articles__isnull=False).distinct().order_by("name")[:5])
    if not agreements:
        return
    coders = list(User.objects.filter(username__in=["coder_a", "coder_b"]))
    created = assignment_create(agreements=agreements, version=version, coders=coders,
                                assigned_by=User.objects.filter(username="supervisor").first())
    if created:
        log(f"Assignments: {len(agreements)} of China's FTAs to coder_a and coder_b.")


def demo_release_create(*, log=print):
    """A dataset to download in the first minute: the study's codings, scored and released."""
    from analysis.services import release_create

    from ..selectors import codebook_version_get

    version = codebook_version_get(code="desta-tbt")
    if not Coding.objects.filter(version=version, coder__username="the study").exists():
        return
    release, created = release_create(version=version, name="The study's China FTAs (Table 6), recomputed", source="the study")
    log(f"Dataset release {release.number}: {release.name} ({'new' if created else 'unchanged'}).")


def demo_panel_create(*, log=print):
    """A synthetic gravity panel whose true RTA effect the structural preset recovers, and a
    first run of it when a worker is listening (make up starts one)."""
    from analysis.services import panel_store
    from analysis.simulate import TRUE_BETA, simulate

    panel, created = panel_store(simulate(), name=f"SYNTHETIC demo panel (true RTA effect {TRUE_BETA})",
                                 source={"simulator": "analysis.simulate", "seed": 2024, "true_beta": TRUE_BETA},
                                 synthetic=True)
    log(f"Gravity: synthetic demo panel {panel.pk} ({panel.n_rows} rows); run the preset structural-ppml on it.")


def demo_load(*, log=print, with_texts=True):
    for path in sorted((DEMO_DIR / "codebooks").glob("*.yaml")):
        result = codebook_import(path=path)
        log(f"Codebook {result.version.codebook.code} v{result.version.number}: {result.version.indicators.count()} indicators")
    rows = demo_agreements_create()
    log(f"Agreements: the study's {len(rows)} FTAs (Table 5).")
    demo_users_create()
    if with_texts:
        demo_texts_import(sorted({int(r["tota_id"]) for r in rows if r["tota_id"]}), log=log)
    demo_references_load(log=log)
    demo_assignments_create(log=log)
    demo_release_create(log=log)
    demo_panel_create(log=log)
