"""The demo `make up` loads (manage.py load_demo): codebooks, the study's 61 FTAs, demo users,
their ToTA texts, the reference coders, a dataset release and a synthetic gravity panel with a
first run. Everything comes from the repository (coding/demo) unless TOTA_DIR or ../shared
offers it, so a fresh offline clone shows the whole demo. Project level, because it loads data
into both apps (the coding app never imports analysis)."""

import csv
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

import coding
from analysis.pure.presets import specs_from
from analysis.pure.simulate import DEMO_YEARS, TRUE_BETA, demo_panel
from analysis.services.panels import panel_store
from analysis.services.releases import release_create
from analysis.services.runs import model_run_create
from coding.models import Agreement, Coding
from coding.roles import CODER, SUPERVISOR
from coding.selectors.codebooks import codebook_version_get
from coding.services.agreements import agreement_create
from coding.services.assignments import assignment_create
from coding.services.codebooks import codebook_import
from coding.services.coding_import import codings_import_csv, desta_codings_import
from coding.services.texts import _set_parties, agreements_import_tota
from coding.services.users import user_role_grant
from config.demo_sensitivity import demo_sensitivity_create
from jobs.dispatch import job_send

DEMO_DIR = Path(coding.__file__).resolve().parent / "demo"  # the demo's data stays with the coding app
# The ToTA files of the study's FTAs (CC BY-NC 4.0, licence and attribution in LICENSE.md beside
# it) and small extracts of the study's and DESTA's codings (references/SOURCES.md): what a fresh
# clone without ../shared and without a network loads.
DEMO_TEXTS = DEMO_DIR / "tota" / "tota_study_texts.tar.xz"
DEMO_REFERENCES = DEMO_DIR / "references"
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


# The signing year of the study's FTAs that neither DESTA nor ToTA lists (study_ftas.csv gives
# only the year in force): the Turkey-PLO interim agreement for the Palestinian Authority was
# signed on 20 July 2004 and entered into force on 1 June 2005 (WTO RTA database).
SIGNED_OUTSIDE_THE_LISTS = {"Turkey-Palestinian Authority": 2004}


def study_agreement_find(row):
    """The agreement a row of study_ftas.csv stands for: by DESTA number, else by ToTA id, else (a
    treaty in neither list, like Turkey-Palestinian Authority) by its English name; None if new."""
    desta, tota = row["desta_number"] or None, int(row["tota_id"]) if row["tota_id"] else None
    return (
        (Agreement.objects.filter(desta_number=desta).first() if desta else None)
        or (Agreement.objects.filter(tota_id=tota).first() if tota else None)
        or Agreement.objects.filter(name=row["fta_en"]).order_by("pk").first()
    )


@transaction.atomic
def demo_agreements_create():
    """The study's Table 5 FTAs with DESTA number, parties and entry-into-force year. Loading them
    again changes nothing: an agreement is found again (study_agreement_find) and saved only when
    a field differs, so neither a row nor a history entry is added."""
    rows = list(csv.DictReader((DEMO_DIR / "study_ftas.csv").open(encoding="utf-8")))
    for row in rows:
        agreement = study_agreement_find(row)
        if agreement is None and row["fta_en"] in SIGNED_OUTSIDE_THE_LISTS:
            # In neither DESTA nor ToTA: created as a supervisor would, through the service that
            # add_agreement and the Agreements page use (validated, refused if it exists already).
            agreement = agreement_create(
                name=row["fta_en"],
                name_zh=row["fta_zh"],
                parties=[row["party_a"], row["party_b"]],
                year_signed=SIGNED_OUTSIDE_THE_LISTS[row["fta_en"]],
                entry_into_force_year=int(row["entry_into_force_year"]),
            )
        agreement = agreement or Agreement()
        wanted = {
            "name": row["fta_en"],
            "name_zh": row["fta_zh"],
            "desta_number": row["desta_number"] or None,
            "entry_into_force_year": int(row["entry_into_force_year"]),
            "membership": Agreement.Membership.BILATERAL,
        }
        tota = int(row["tota_id"]) if row["tota_id"] else None
        # The text may already belong to another DESTA entry (DESTA sometimes lists a treaty
        # twice); keep that link rather than break the uniqueness of tota_id.
        if tota and not Agreement.objects.filter(tota_id=tota).exclude(pk=agreement.pk).exists():
            wanted["tota_id"] = tota
        if agreement.pk is None or any(getattr(agreement, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(agreement, field, value)
            agreement.save()
        _set_parties(agreement, sorted({row["party_a"], row["party_b"]}))
    return rows


def manage_command():
    """How to run manage.py here, for hints people copy: the running interpreter (the
    virtualenv's), relative to the project when it lives inside it: `.venv/bin/python manage.py`."""
    python = Path(sys.executable)
    if python.is_relative_to(settings.BASE_DIR):
        python = python.relative_to(settings.BASE_DIR)
    return f"{python} manage.py"


def tota_source_dir():
    """Where ToTA texts come from: TOTA_DIR, else ../shared/data/tota, else None (then the texts
    shipped with the demo, DEMO_TEXTS)."""
    for candidate in (settings.TOTA_DIR, settings.SHARED_DIR / "data" / "tota"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def demo_texts_unpack(tota_ids, folder):
    """The files pta_N.xml of `tota_ids` that DEMO_TEXTS holds, unpacked into `folder`."""
    if not DEMO_TEXTS.exists():
        return []
    wanted = {f"pta_{n}.xml" for n in tota_ids}
    with tarfile.open(DEMO_TEXTS, "r:xz") as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name in wanted]
        archive.extractall(folder, members=members, filter="data")
    return [folder / m.name for m in members]


def demo_texts_import(tota_ids, *, log=print):
    source = tota_source_dir()
    if source:
        files = [source / f"pta_{n}.xml" for n in tota_ids if (source / f"pta_{n}.xml").exists()]
        result = agreements_import_tota(paths=files)
        log(
            f"Texts: {len(files)} ToTA files from {source} ({result.created + result.updated} imported, {result.unchanged} unchanged)."
        )
        return
    with tempfile.TemporaryDirectory(prefix="tota-") as folder:
        folder = Path(folder)
        files = demo_texts_unpack(tota_ids, folder)
        if files:
            result = agreements_import_tota(paths=files)
            log(
                f"Texts: {len(files)} ToTA files shipped with the demo (coding/demo/tota, CC BY-NC 4.0; "
                f"{result.created + result.updated} imported, {result.unchanged} unchanged)."
            )
        missing = [n for n in tota_ids if not (folder / f"pta_{n}.xml").exists()]
        if missing:
            demo_texts_download(missing, folder, log=log)


def demo_texts_download(tota_ids, folder, *, log=print):
    """Texts the demo does not ship, from the ToTA repository."""
    try:
        files = []
        for n in tota_ids:
            target = folder / f"pta_{n}.xml"
            with urllib.request.urlopen(f"{settings.TOTA_REMOTE_BASE}pta_{n}.xml", timeout=15) as response:
                target.write_bytes(response.read())
            files.append(target)
    except OSError:
        manage = manage_command()
        log(
            f"Texts: {len(tota_ids)} ToTA files could not be downloaded (offline?); add them later with "
            f"`TOTA_DIR=/path/to/tota/xml {manage} load_demo` or `{manage} import_tota DIR`."
        )
        return
    result = agreements_import_tota(paths=files)
    log(
        f"Texts: {len(files)} ToTA files downloaded from the ToTA repository ({result.created + result.updated} imported)."
    )


STUDY_CODES = ("tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon")


def reference_file(shared, bundled):
    """A reference file from ../shared when it is there, else the extract shipped with the demo."""
    path = settings.SHARED_DIR / shared
    return path if path.exists() else DEMO_REFERENCES / bundled


def study_codings_csv(target):
    """The study's Table 6 (one row per FTA, as printed) as the long CSV import_codings takes.
    Returns None when neither ../shared/reference nor the demo's copy has it."""
    table6 = reference_file("reference/paper_table6_china_codings.csv", "study_table6_china_codings.csv")
    if not table6.exists():
        return None
    # Table 5's DESTA numbers, by party pair, as study_ftas.csv carries them.
    desta_numbers = {
        frozenset((r["party_a"], r["party_b"])): r["desta_number"]
        for r in csv.DictReader((DEMO_DIR / "study_ftas.csv").open(encoding="utf-8"))
    }
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agreement", "coder", "indicator", "value", "note"])
        for row in csv.DictReader(table6.open(encoding="utf-8")):
            desta = desta_numbers[frozenset((row["party_a"], row["party_b"]))]
            for code in STUDY_CODES:
                writer.writerow([f"desta:{desta}", "the study", code, row[code], f"printed total {row['paper_depth']}"])
    return target


def demo_references_load(*, log=print):
    """The study's China codings and DESTA 2.1's codes as reference coders (from ../shared, else
    the extracts in coding/demo/references)."""
    version = codebook_version_get(code="desta-tbt")
    with tempfile.TemporaryDirectory(prefix="study-") as folder:
        target = Path(folder) / "study_table6.csv"
        if study_codings_csv(target):
            stats = codings_import_csv(path=target, version=version, reference=True)
            log(f"Reference coder 'the study': {stats.codings} FTAs (Table 6).")
    desta = reference_file("data/desta/desta_tbt_02_01.csv", "desta_tbt_demo.csv")
    if desta.exists():
        result = desta_codings_import(path=desta, version=version)
        log(f"Reference coder 'DESTA 2.1': {result['linked']} of the demo FTAs.")


def demo_published_tables(*, log=print):
    """The study's published Tables 9 and 10, which run pages show beside a study preset's
    columns: shipped in analysis/reference (so offline too); a ../shared copy that differs from
    the shipped one is named, never silently preferred."""
    from analysis.pure.published import PUBLISHED_CSV, published_columns

    shared = settings.SHARED_DIR / "reference" / "paper_tables9_10_regressions.csv"
    if shared.exists() and shared.read_bytes() != PUBLISHED_CSV.read_bytes():
        log(f"Warning: {shared} differs from the shipped {PUBLISHED_CSV.name}; run pages show the shipped one.")
    log(f"Published: the study's Tables 9 and 10 ({len(published_columns())} columns) beside the study presets.")


def demo_assignments_create(*, log=print):
    """A first queue for the demo coders: China's FTAs that have a text, double-coded."""
    User = get_user_model()
    version = codebook_version_get(code="desta-tbt")
    agreements = list(
        Agreement.objects.filter(parties__iso3="CHN", current_text__articles__isnull=False)
        .distinct()
        .order_by("name")[:5]
    )
    if not agreements:
        return
    coders = list(User.objects.filter(username__in=["coder_a", "coder_b"]))
    created = assignment_create(
        agreements=agreements,
        version=version,
        coders=coders,
        assigned_by=User.objects.filter(username="supervisor").first(),
    )
    if created:
        log(f"Assignments: {len(agreements)} of China's FTAs to coder_a and coder_b.")


def demo_release_create(*, log=print):
    """A dataset to download in the first minute: the study's codings, scored and released."""
    version = codebook_version_get(code="desta-tbt")
    if not Coding.objects.filter(version=version, coder__username="the study").exists():
        return
    release, created = release_create(
        version=version, name="The study's China FTAs (Table 6), recomputed", source="the study"
    )
    log(f"Dataset release {release.number}: {release.name} ({'new' if created else 'unchanged'}).")


def demo_precoder_create(*, log=print):
    """A trained pre-coder, so a fresh clone's agreement page pre-codes: trained on DESTA 2.1's
    codes of the demo treaties (once; `manage.py train_precoder --codebook desta-tbt` trains
    another), then the assigned treaties pre-coded, their suggestions citing the sentence that
    supports each 1, in the TBT chapter when the treaty has one."""
    from coding.models import PrecoderModel
    from coding.services.precoder import PrecoderError, precode_batch, precoder_train

    version = codebook_version_get(code="desta-tbt")
    if PrecoderModel.objects.filter(version=version).exists():
        return
    try:
        model = precoder_train(version=version, reference="DESTA 2.1")
    except PrecoderError as exc:
        log(f"Pre-coder: not trained ({exc}); `manage.py train_precoder --codebook desta-tbt` trains one.")
        return
    agreements = Agreement.objects.filter(codings__version=version, codings__coder__username="coder_a").distinct()
    result = precode_batch(version=version, agreements=agreements.order_by("pk"), model=model)
    log(
        f"Pre-coder: model {model.number} trained on {len(model.training_agreements)} demo treaties "
        f"(DESTA 2.1's codes; a small set, see its page for its cross-validated kappa); "
        f"{len({r['agreement'] for r in result['rows']})} assigned treaties pre-coded."
    )


def broker_listening():
    """Whether the task queue answers now (`make up` starts Redis before it loads the demo)."""
    from config.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - kombu and redis raise many types when nothing listens
        return False


def demo_panel_create(*, log=print):
    """A synthetic gravity panel whose true RTA effect the structural preset recovers, with a
    column for every name a preset uses (so each preset runs on it), and a first run of that
    preset on it, sent to the worker when the queue answers (`make up` starts one); otherwise it
    waits QUEUED and a worker's sweeper sends it once one is running."""
    panel, _created = panel_store(
        demo_panel(),
        name=f"SYNTHETIC demo panel (true RTA effect {TRUE_BETA}; every preset's columns)",
        source={
            "simulator": "analysis.pure.simulate.demo_panel",
            "seed": 2024,
            "true_beta": TRUE_BETA,
            "years": [min(DEMO_YEARS), max(DEMO_YEARS)],
            "note": "synthetic: only trade's RTA effect is built in; the other columns are noise",
        },
        synthetic=True,
    )
    log(f"Gravity: synthetic demo panel {panel.pk} ({panel.n_rows} rows).")
    if panel.runs.exists():
        return
    run = model_run_create(
        panel=panel, specs=specs_from(preset_name="structural-ppml"), name="structural-ppml", dispatch=False
    )
    if broker_listening() and job_send(run):
        log(f"Gravity: run {run.pk} (structural-ppml) sent to the worker; Gravity models shows its progress.")
    else:
        log(
            f"Gravity: run {run.pk} (structural-ppml) is queued; it runs when a Celery worker starts (`make up` starts one)."
        )


def demo_load(*, log=print, with_texts=True):
    for path in sorted((DEMO_DIR / "codebooks").glob("*.yaml")):
        result = codebook_import(path=path)
        log(
            f"Codebook {result.version.codebook.code} v{result.version.number}: {result.version.indicators.count()} indicators"
        )
    rows = demo_agreements_create()
    log(f"Agreements: the study's {len(rows)} FTAs (Table 5).")
    demo_users_create()
    if with_texts:
        demo_texts_import(sorted({int(r["tota_id"]) for r in rows if r["tota_id"]}), log=log)
    demo_references_load(log=log)
    demo_published_tables(log=log)
    demo_assignments_create(log=log)
    demo_precoder_create(log=log)
    demo_release_create(log=log)
    demo_panel_create(log=log)
    demo_sensitivity_create(log=log)
