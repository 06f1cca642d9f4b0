"""The demo on a fresh, offline clone: no ../shared beside the project, no TOTA_DIR, no network.
Everything the README's "What you will see" promises comes from files in the repository: the
ToTA texts shipped compressed (coding/demo/tota, with their licence), the study's Table 6 and
DESTA's codes of the study's FTAs (coding/demo/references)."""

import sys
import tarfile
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from analysis.models import DatasetRelease, ModelRun, Panel, SensitivityRun
from analysis.selectors.sensitivity import sensitivity_status
from coding.models import Agreement, Coding
from config import demo
from tests.test_demo_idempotent import changed_counts, row_counts


@pytest.fixture
def offline(settings, tmp_path, monkeypatch):
    """An empty SHARED_DIR, no TOTA_DIR, every download refused, and no broker to send tasks to."""
    settings.SHARED_DIR = tmp_path / "no-shared"
    settings.TOTA_DIR = ""
    downloads = []

    def refuse(url, *args, **kwargs):
        downloads.append(url)
        raise OSError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(demo, "broker_listening", lambda: False)
    return downloads


def test_shipped_texts_are_the_study_texts_with_their_licence():
    with tarfile.open(demo.DEMO_TEXTS, "r:xz") as archive:
        names = set(archive.getnames())
    ids = {
        row.split(",")[-1] for row in (demo.DEMO_DIR / "study_ftas.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    assert names == {f"pta_{n}.xml" for n in ids if n}  # all 57 texts of the study's FTAs, nothing else
    assert demo.DEMO_TEXTS.stat().st_size < 1_500_000
    licence = (demo.DEMO_TEXTS.parent / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY-NC 4.0" in licence and "Alschner" in licence and "creativecommons.org/licenses/by-nc/4.0" in licence


@pytest.mark.django_db
def test_demo_loads_offline_without_shared_data(offline):
    # Given a fresh clone: no ../shared, no TOTA_DIR, no network
    out = StringIO()

    # When the demo is loaded
    call_command("load_demo", stdout=out)

    # Then coder_a's queue holds China's FTAs, each with its text
    log = out.getvalue()
    assert offline == []  # nothing was downloaded: the texts came from the repository
    assert "shipped with the demo" in log
    queue = Coding.objects.filter(coder__username="coder_a").select_related("agreement")
    assert queue.count() == 5
    for coding in queue:
        assert coding.agreement.parties.filter(iso3="CHN").exists()
        assert coding.agreement.current_text.articles.exists()
    assert Agreement.objects.filter(current_text__isnull=False).count() == 57
    # the reference coders the supervision page compares
    assert Coding.objects.filter(coder__username="the study").count() == 11
    assert Coding.objects.filter(coder__username="DESTA 2.1").count() >= 50
    # release 1, built from the study's codings
    release = DatasetRelease.objects.get(number=1)
    assert release.source == "the study" and release.summary["n_agreements"] == 11
    # the synthetic panel and its first structural-ppml run, queued for the worker `make up` starts
    panel = Panel.objects.get(synthetic=True)
    run = ModelRun.objects.get(panel=panel)
    assert run.name == "structural-ppml" and run.status == ModelRun.Status.QUEUED

    # And loading it again (the next `make up`) adds no row to any model, history included
    before = row_counts()
    call_command("load_demo", stdout=StringIO())
    assert changed_counts(before, row_counts()) == {}
    assert Coding.objects.filter(coder__username="coder_a").count() == 5
    # release 1 and the queued run, plus the finished sensitivity run's own release and run per source
    sensitivity = SensitivityRun.objects.get()
    assert sensitivity_status(sensitivity)["status"] == ModelRun.Status.DONE
    columns = list(sensitivity.columns.all())
    assert sorted(c.source for c in columns) == ["DESTA 2.1", "the study"]
    assert set(DatasetRelease.objects.values_list("pk", flat=True)) == {release.pk} | {c.release_id for c in columns}
    assert set(ModelRun.objects.values_list("pk", flat=True)) == {run.pk} | {c.run_id for c in columns}


@pytest.mark.django_db
def test_offline_hint_names_the_virtualenv_python(offline, monkeypatch, settings):
    # Given texts the demo does not ship (the archive is missing)
    monkeypatch.setattr(demo, "DEMO_TEXTS", demo.DEMO_DIR / "missing.tar.xz")
    monkeypatch.setattr(sys, "executable", str(settings.BASE_DIR / ".venv" / "bin" / "python"))
    logged = []

    # When the demo's texts are loaded offline
    demo.demo_texts_import([398], log=logged.append)

    # Then the hint is a command that works as printed: the virtualenv's python, not `python`
    assert len(logged) == 1 and "TOTA_DIR=/path/to/tota/xml .venv/bin/python manage.py load_demo" in logged[0]
    assert ".venv/bin/python manage.py import_tota DIR" in logged[0]
