"""Releases: the study's Table 6 as approved codings, recomputed depth, exports in four formats
and two shapes, content hashes, immutability; comparisons and the check of the study's tables."""

import io
import json
from io import StringIO

import krippendorff
import numpy as np
import openpyxl
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from analysis.models import DatasetRelease
from analysis.selectors.releases import release_get
from coding.models import FinalValue
from coding.services import codebook_import
from config.demo import demo_agreements_create, study_codings_csv
from tests.conftest import SHARED, require_shared


@pytest.fixture
def study_approved(db, tmp_path):
    require_shared(SHARED / "reference" / "paper_table6_china_codings.csv")
    version = codebook_import(path=SHARED / "codebook" / "desta_tbt.yaml").version
    demo_agreements_create()
    path = study_codings_csv(tmp_path / "study.csv")
    call_command("import_codings", str(path), "--codebook", "desta-tbt", "--approved", stdout=StringIO())
    return version


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_release_recomputes_china_singapore_and_exports(study_approved, tmp_path):
    run("release_dataset", "--codebook", "desta-tbt", "--name", "study-approved")
    release = release_get("study-approved")
    assert release.number == 1 and release.summary["n_agreements"] == 11
    singapore = next(r for r in release.rows if r["desta_number"] == "228")
    assert singapore["depth"] == 4 and singapore["tier"] == "second"  # printed 5 in Table 6

    csv_path = tmp_path / "r.csv"
    run("export_dataset", "1", "--format", "csv", "--out", str(csv_path))
    frame = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert {"tbt_wto", "tbt_harmon", "depth", "tier", "desta_number", "tota_id", "wto_rta_id"} <= set(frame.columns)
    assert frame.loc[frame.desta_number == 228, "depth"].item() == 4

    dta = tmp_path / "r.dta"
    run("export_dataset", "study-approved", "--format", "dta", "--out", str(dta))
    stata = pd.read_stata(dta)
    with pd.io.stata.StataReader(dta) as reader:
        labels = reader.variable_labels()
        value_labels = reader.value_labels()
    assert labels["tbt_intstand"] == "Does the agreement encourage the use of international standards?"
    assert value_labels["tbt_harmon"][2] == "selective harmonisation in specific sectors"
    assert len(stata) == 11 and stata["depth"].max() == 5

    xlsx = tmp_path / "r.xlsx"
    run("export_dataset", "1", "--format", "xlsx", "--out", str(xlsx))
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames == ["data", "evidence", "codebook", "README"]
    readme = " ".join(str(c.value) for c in workbook["README"]["A"])
    assert release.content_hash in readme and "desta-tbt version 1" in readme

    dyads = tmp_path / "d.json"
    run("export_dataset", "1", "--format", "json", "--shape", "dyad", "--out", str(dyads))
    rows = json.loads(dyads.read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 22  # two ordered pairs per bilateral agreement
    korea = [r for r in rows if r["desta_number"] == "909"]
    assert sorted((r["iso3_i"], r["iso3_j"]) for r in korea) == [("CHN", "KOR"), ("KOR", "CHN")]
    assert {r["year"] for r in korea} == {2015}


def test_hashes_numbers_and_immutability(study_approved):
    first = run("release_dataset", "--codebook", "desta-tbt", "--name", "a")
    again = run("release_dataset", "--codebook", "desta-tbt", "--name", "b")
    assert "unchanged since release 1" in again
    release_1 = DatasetRelease.objects.get(number=1)
    assert release_1.content_hash in first and release_1.content_hash in again

    final = FinalValue.objects.get(adjudication__agreement__desta_number="228", indicator__code="tbt_distort")
    final.value = 1
    final.save()
    run("release_dataset", "--codebook", "desta-tbt", "--name", "c")
    release_2 = DatasetRelease.objects.get(number=2)
    assert release_2.content_hash != release_1.content_hash
    assert next(r for r in release_2.rows if r["desta_number"] == "228")["depth"] == 5
    release_1.refresh_from_db()
    assert next(r for r in release_1.rows if r["desta_number"] == "228")["depth"] == 4  # the old release is unchanged
    with pytest.raises(ValidationError):
        release_1.save()
    with pytest.raises(ValidationError):
        release_1.delete()


def test_pca_release_reports_loadings(study_approved):
    run("release_dataset", "--codebook", "desta-tbt", "--name", "pca", "--method", "pca")
    release = release_get("pca")
    assert release.method["name"] == "pca" and release.summary["loadings"]
    assert 0 < release.summary["explained_variance"] <= 1


def test_study_check_and_comparison_with_desta(study_approved, client_for, users):
    desta = require_shared(SHARED / "data" / "desta" / "desta_tbt_02_01.csv")
    call_command("import_desta_codings", str(desta), stdout=StringIO())
    report = json.loads(run("check_study_tables", "--format", "json"))
    assert report["printed_total_differs"] == [{"row": "Singapore", "printed": 5.0, "recomputed": 4.0}]
    assert report["claimed"] == 62 and report["listed"] == 61 and report["count_mismatch"]
    assert report["same_as_desta"] + len(report["differs_from_desta"]) == 60
    assert 20 <= len(report["differs_from_desta"]) <= 40  # "about half"
    # Agreement on the depth score, recomputed here from the report's own list of differences and
    # with the krippendorff package: exact and within-one shares, interval alpha.
    depth = report["agreement"]["depth"]
    differs = report["differs_from_desta"]
    assert depth["n_units"] == 60
    assert depth["estimates"]["percent_agreement"] == pytest.approx(report["same_as_desta"] / 60)
    near = report["same_as_desta"] + sum(abs(r["study"] - r["desta"]) <= 1 for r in differs)
    assert depth["within_one"] == pytest.approx(near / 60)
    table5 = pd.read_csv(SHARED / "reference" / "paper_table5_depth_scores.csv", dtype={"desta_number": str})
    desta = {r["desta_number"]: r["desta"] for r in differs}
    pairs = [
        (row.paper_score, desta.get(row.desta_number, row.paper_score))
        for row in table5.itertuples()
        if row.fta_en not in report["not_in_desta"]
    ]
    expected = krippendorff.alpha(np.array(pairs, dtype=float).T, level_of_measurement="interval")
    assert depth["estimates"]["krippendorff_alpha"] == pytest.approx(expected, abs=1e-9)
    lo, hi = depth["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    assert lo < expected < hi and 0 < depth["p_alpha_below"]["0.800"] <= 1
    assert report["agreement"]["tier"]["n_units"] >= 55
    text = run("check_study_tables", "--replicates", "200")
    assert "Agreement on the depth score, 60 FTAs in both" in text and "interval alpha" in text

    run("release_dataset", "--codebook", "desta-tbt", "--name", "desta", "--source", "DESTA 2.1")
    response = client_for(users["coder"]).get("/analysis/compare/", {"a": "approved", "b": "DESTA 2.1"})
    result = response.context["result"]
    assert result["n_common"] == 11
    assert any(row["name"] == "Korea-China" and (row["a"], row["b"]) == (5, 4) for row in result["differing_depth"])
    assert result["indicators"]["tbt_wto"]["percent_agreement"] == 1.0


def test_release_pages_and_downloads(study_approved, client_for, users):
    run("release_dataset", "--codebook", "desta-tbt", "--name", "study")
    client = client_for(users["coder"])
    page = client.get("/analysis/releases/1/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="histogram"' in html and 'id="tiers"' in html
    assert [(t["tier"], t["count"]) for t in page.context["tiers"]] == [("first", 4), ("second", 7), ("third", 0)]
    svg = client.get("/analysis/releases/1/histogram.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    for fmt in ("csv", "xlsx", "dta", "json"):
        response = client.get(f"/analysis/releases/1/dyad.{fmt}")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert pd.read_stata(io.BytesIO(client.get("/analysis/releases/1/agreement.dta").content)).shape[0] == 11
    assert client.post("/analysis/releases/new/", {"name": "x"}).status_code == 403  # coders do not release


@pytest.mark.django_db
def test_datasets_keep_coding_blind(client_for, users, mini_version, treaty):
    """A release or comparison built from one coder's codings is hidden from the other coders."""
    from coding.models import Coding
    from coding.services.assignments import assignment_create
    from coding.services.codings import coding_save, coding_submit

    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    b = Coding.objects.get(coder=users["coder_b"])
    coding_save(coding=b, user=users["coder_b"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 3}})
    coding_submit(coding=b, user=users["coder_b"], revision=1)
    run("release_dataset", "--codebook", "mini", "--name", "coder b only", "--source", "coder_b")
    coder_a = client_for(users["coder"])
    assert coder_a.get("/analysis/releases/1/").status_code == 404
    assert coder_a.get("/analysis/releases/1/agreement.csv").status_code == 404
    assert "coder b only" not in coder_a.get("/analysis/releases/").content.decode()
    assert coder_a.get("/analysis/compare/", {"a": "coder_b", "b": "approved"}).status_code == 403
    assert coder_a.get("/analysis/compare/", {"a": "release:1", "b": "approved"}).status_code == 403
    coder_a.force_login(users["supervisor"])
    assert coder_a.get("/analysis/releases/1/").status_code == 200
