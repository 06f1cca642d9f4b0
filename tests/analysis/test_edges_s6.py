"""Edges of issue 19 on the analysis side, round six: `run_gravity` bounds its waits (finite, above
0, at most a day) before any row is written, and without --wait prints the run as the database
has it (FAILED with the reason when the task queue is down, exit status 1), never the QUEUED it
was created as; an approval imported without a note keeps its source in the release's evidence;
releases read agreement lists with the coding app's one parser."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analysis.models import ModelRun, Panel
from analysis.selectors.releases import release_evidence, release_evidence_export
from analysis.services.panels import panel_store
from analysis.services.releases import release_create
from coding.selectors import agreement_lists as coding_lists
from jobs.dispatch import QUEUE_UNREACHABLE_REASON
from tests.analysis.test_gravity import small_panel

SPEC = {"estimator": "ols", "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year", "vcov": "hetero"}


@pytest.fixture
def panel(settings, tmp_path):
    settings.PANEL_DIR = tmp_path / "panels"
    return panel_store(small_panel(), name="small")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "option, value, shown",
    [
        ("--timeout", "-5", "-5.0"),
        ("--timeout", "0", "0.0"),
        ("--timeout", "inf", "inf"),
        ("--timeout", "86401", "86401.0"),
        ("--wait-timeout", "nan", "nan"),
        ("--wait-timeout", "-1", "-1.0"),
        ("--wait-timeout", "1e999", "inf"),
    ],
)
def test_run_gravity_refuses_a_wait_that_is_not_a_finite_positive_number_of_seconds(panel, option, value, shown):
    with pytest.raises(CommandError) as refused:
        call_command(
            "run_gravity",
            "--panel",
            str(panel.pk),
            "--preset",
            "structural-ppml",
            "--wait",
            option,
            value,
            stdout=StringIO(),
        )
    assert str(refused.value) == f"{option}: {shown} is not a number of seconds above 0 and at most 86400"
    assert not ModelRun.objects.exists() and Panel.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_run_gravity_without_wait_prints_the_failed_run_when_the_queue_is_down(panel, redis_down, tmp_path):
    spec = tmp_path / "ols.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("run_gravity", "--panel", str(panel.pk), "--spec", str(spec), stdout=out)
    run = ModelRun.objects.get()
    assert run.status == "FAILED" and run.error_code == QUEUE_UNREACHABLE_REASON
    assert json.loads(out.getvalue()) == {"run": run.pk, "status": "FAILED", "error": run.error}
    assert str(refused.value) == f"run {run.pk} failed: {run.error}"
    assert "not started" in run.error and "Celery application" not in run.error


HEADER = "agreement,coder,indicator,value,evidence,note\n"


@pytest.mark.django_db
def test_an_imported_approval_without_note_or_article_names_its_source_in_the_evidence(
    users, mini_version, treaty, tmp_path
):
    path = tmp_path / "archive.csv"
    path.write_text(HEADER + f"{treaty.pk},archive,wto,1,,\n{treaty.pk},archive,harmon,2,,\n", encoding="utf-8")
    call_command("import_codings", str(path), "--codebook", "mini", "--approved", "--reference", stdout=StringIO())
    release, _created = release_create(version=mini_version, name="imported", source="approved")

    records = release_evidence(release)
    assert [(r["indicator"], r["kind"], r["coder"], r["rationale"]) for r in records] == [
        ("wto", "rationale", "archive", "imported from archive.csv"),
        ("harmon", "rationale", "archive", "imported from archive.csv"),
    ]
    data, _filename, _type = release_evidence_export(release, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["indicator"], r["coder"]) for r in rows] == [("wto", "archive"), ("harmon", "archive")]


def test_releases_and_the_pre_coder_read_lists_with_one_parser():
    from analysis.management.commands import release_dataset
    from analysis.views import releases
    from coding.management.commands import train_precoder

    assert release_dataset.agreement_ids_from_lines is coding_lists.agreement_ids_from_lines
    assert releases.agreement_ids_from_lines is coding_lists.agreement_ids_from_lines
    assert train_precoder.agreement_ids_from_file is coding_lists.agreement_ids_from_file
