"""The demo: codebooks, the study's 61 FTAs, demo users and (when available) ToTA texts."""
import csv
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..models import Agreement
from ..roles import CODER, SUPERVISOR
from .codebooks import codebook_import
from .texts import _set_parties, agreements_import_tota

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
            user.is_staff = role == SUPERVISOR  # supervisors use the Django admin
            user.save()
        user.groups.add(Group.objects.get(name=role))
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


def demo_load(*, log=print, with_texts=True):
    for path in sorted((DEMO_DIR / "codebooks").glob("*.yaml")):
        result = codebook_import(path=path)
        log(f"Codebook {result.version.codebook.code} v{result.version.number}: {result.version.indicators.count()} indicators")
    rows = demo_agreements_create()
    log(f"Agreements: the study's {len(rows)} FTAs (Table 5).")
    demo_users_create()
    if with_texts:
        demo_texts_import(sorted({int(r["tota_id"]) for r in rows if r["tota_id"]}), log=log)
