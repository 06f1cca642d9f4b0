"""Evidence in releases: captured into the immutable release when it is made, carried by every
export (an Excel sheet, a JSON list per agreement, a companion CSV or Stata file), shown in the
printable coding report, and only where the release itself may be opened."""

import json
from io import BytesIO, StringIO

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command

from analysis.models import DatasetRelease
from analysis.pure import exports
from analysis.selectors.releases import release_get
from analysis.services.releases import release_create, release_hash
from coding.models import Adjudication, Answer, Article, Coding, DisagreementType, Evidence
from coding.services.adjudication import adjudication_approve, adjudication_reopen, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.users import reference_coder_get_or_create

AFFIRM = "affirm the Agreement on Technical Barriers to Trade"
HARMONISE = "work towards harmonisation of standards"
RATIONALE = "Art. 6.2 commits the parties to harmonise standards in one sector."


def passage(treaty, identifier, quote):
    text = Article.objects.get(agreement=treaty, identifier=identifier).text
    start = text.index(quote)
    return {"article": identifier, "start": start, "end": start + len(quote), "quote": quote}


def code(user, answers):
    coding = Coding.objects.get(coder=user)
    coding_save(coding=coding, user=user, revision=coding.revision, answers=answers)
    coding.refresh_from_db()
    coding_submit(coding=coding, user=user, revision=coding.revision)


@pytest.fixture
def approved(users, mini_version, treaty):
    """Given a treaty whose articles carry the treaty's own numbers, coder_a citing passages for
    both indicators, coder_b citing the whole article for wto and finding nothing for harmon, and
    the supervisor deciding harmon = 2 with a rationale and approving."""
    Article.objects.filter(agreement=treaty, identifier="60").update(number="6.1", heading="Affirmation")
    Article.objects.filter(agreement=treaty, identifier="61").update(number="6.2", heading="Harmonisation")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    code(
        users["coder"],
        {
            "wto": {"value": 1, "evidence": [passage(treaty, "60", AFFIRM)]},
            "harmon": {"value": 2, "evidence": [passage(treaty, "61", HARMONISE)]},
        },
    )
    code(
        users["coder_b"],
        {
            "wto": {"value": 1, "evidence": [{"article": "60"}]},
            "harmon": {"value": 0, "not_found": True, "searched_chapters": ["6"]},
        },
    )
    adjudication = Adjudication.objects.get(agreement=treaty)
    harmon = mini_version.indicators.get(code="harmon")
    adjudication_resolve(
        adjudication=adjudication,
        indicator=harmon,
        value=2,
        rationale=RATIONALE,
        disagreement_type=DisagreementType.MISREAD,
        user=users["supervisor"],
    )
    adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    return {"version": mini_version, "treaty": treaty, "adjudication": adjudication}


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def release_1():
    run("release_dataset", "--codebook", "mini", "--name", "with evidence")
    return release_get("1")


def test_evidence_is_captured_at_release_time(approved):
    release = release_1()
    assert [(e["indicator"], e["coder"], e["kind"], e["article_number"], e["quote"]) for e in release.evidence] == [
        ("wto", "coder_a", "citation", "6.1", AFFIRM),
        ("wto", "coder_b", "citation", "6.1", ""),
        ("harmon", "coder_a", "citation", "6.2", HARMONISE),  # coder_b's "not found" does not back the 2
    ]
    harmon = release.evidence[2]
    assert (
        harmon["rationale"] == RATIONALE
        and harmon["article_heading"] == "Harmonisation"
        and harmon["article_id"] == "61"
    )
    assert harmon["text_version"] == 1 and release.evidence[0]["rationale"] == ""  # agreed: no rationale

    # A later correction of a quote leaves release 1 as it was; releasing again makes release 2
    # (the evidence is part of the content hash), with the same rows.
    Evidence.objects.filter(quote=AFFIRM).update(quote="the Parties affirm")
    again, created = release_create(version=approved["version"], name="corrected")
    release.refresh_from_db()
    assert created and again.number == 2 and again.rows == release.rows and again.content_hash != release.content_hash
    assert release.evidence[0]["quote"] == AFFIRM and again.evidence[0]["quote"] == "the Parties affirm"
    assert release_create(version=approved["version"], name="same")[0].number == 2  # unchanged: no new release


def test_releases_without_evidence_keep_their_hash(approved, users):
    """A release whose codes nobody backed with a citation hashes exactly as before releases kept
    evidence, so the hashes of releases made earlier stay right."""
    Evidence.objects.all().delete()
    Answer.objects.filter(not_found=True).update(not_found=False)
    from coding.models import FinalValue

    FinalValue.objects.update(rationale="")
    release, _created = release_create(version=approved["version"], name="bare")
    assert release.evidence == []
    assert release.content_hash == release_hash(
        version=release.version, source="approved", method=release.method, rows=release.rows
    )


def test_a_reference_coders_release_carries_that_coders_evidence(approved, users):
    study = reference_coder_get_or_create("the study")
    coding = Coding.objects.create(
        agreement=approved["treaty"], version=approved["version"], coder=study, state=Coding.State.SUBMITTED
    )
    for indicator, value in zip(approved["version"].indicators.all(), [1, 3]):
        answer = Answer.objects.create(coding=coding, indicator=indicator, value=value)
        Evidence.objects.create(
            answer=answer, article_identifier="61" if value == 3 else "60", quote=f"study quote {value}"
        )
    Evidence.objects.create(answer=Answer.objects.get(coding=coding, value=1), article_identifier="1")  # no number
    release, _created = release_create(version=approved["version"], name="study", source="the study")
    assert {e["coder"] for e in release.evidence} == {"the study"}
    assert [(e["indicator"], e["value"], e["article_number"], e["quote"]) for e in release.evidence] == [
        ("wto", 1, "6.1", "study quote 1"),
        ("wto", 1, "", ""),
        ("harmon", 3, "6.2", "study quote 3"),
    ]
    assert [item["article"] for item in exports.evidence_items(release.evidence)[approved["treaty"].pk]] == [
        "Art. 6.1",
        "#1",
        "Art. 6.2",
    ]  # an article without a number is cited by its identifier


def test_export_dataset_xlsx_and_json_carry_quotes_with_article_numbers(approved, tmp_path):
    release_1()
    xlsx = tmp_path / "r.xlsx"
    run("export_dataset", "1", "--format", "xlsx", "--out", str(xlsx))
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames == ["data", "evidence", "codebook", "README"]
    sheet = pd.read_excel(xlsx, sheet_name="evidence", dtype=str).fillna("")
    assert list(sheet.columns[:7]) == [
        "agreement_id",
        "desta_number",
        "agreement",
        "indicator",
        "value",
        "kind",
        "article",
    ]
    rows = sheet[
        ["agreement", "indicator", "value", "article", "article_heading", "quote", "coder", "rationale"]
    ].values.tolist()
    assert ["A - B", "wto", "1", "Art. 6.1", "Affirmation", AFFIRM, "coder_a", ""] in rows
    assert ["A - B", "harmon", "2", "Art. 6.2", "Harmonisation", HARMONISE, "coder_a", RATIONALE] in rows
    assert "Evidence: one row per article" in " ".join(str(c.value) for c in workbook["README"]["A"])

    data = tmp_path / "r.json"
    run("export_dataset", "1", "--format", "json", "--out", str(data))
    row = json.loads(data.read_text(encoding="utf-8"))["rows"][0]
    assert [(e["indicator"], e["article"], e["quote"], e["coder"]) for e in row["evidence"]] == [
        ("wto", "Art. 6.1", AFFIRM, "coder_a"),
        ("wto", "Art. 6.1", "", "coder_b"),
        ("harmon", "Art. 6.2", HARMONISE, "coder_a"),
    ]
    assert row["evidence"][2]["rationale"] == RATIONALE and row["evidence"][2]["article_id"] == "61"

    dyads = tmp_path / "d.json"
    run("export_dataset", "1", "--format", "json", "--shape", "dyad", "--out", str(dyads))
    document = json.loads(dyads.read_text(encoding="utf-8"))
    assert len(document["rows"]) == 2 and "evidence" not in document["rows"][0]  # once per agreement, not per pair
    assert [e["quote"] for e in document["evidence"][0]["evidence"]] == [AFFIRM, "", HARMONISE]


def test_csv_and_stata_get_a_companion_evidence_file(approved, tmp_path, client_for, users):
    release_1()
    printed = run("export_dataset", "1", "--format", "csv", "--out", str(tmp_path / "r.csv"))
    assert "r-evidence.csv" in printed
    evidence = pd.read_csv(tmp_path / "r-evidence.csv", encoding="utf-8-sig", dtype=str).fillna("")
    assert evidence[["article", "quote"]].values.tolist()[0] == ["Art. 6.1", AFFIRM]
    assert pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig").shape[0] == 1  # the data file is as before

    run("export_dataset", "1", "--format", "dta", "--out", str(tmp_path / "r.dta"))
    stata = pd.read_stata(tmp_path / "r-evidence.dta")
    with pd.io.stata.StataReader(tmp_path / "r-evidence.dta") as reader:
        labels = reader.variable_labels()
    assert stata["quote"].tolist() == [AFFIRM, "", HARMONISE] and stata["article"].tolist()[2] == "Art. 6.2"
    assert (
        labels["article"] == "article as the treaty numbers it (#id: no number)" and labels["coder"] == "who coded it"
    )

    client = client_for(users["coder"])
    page = client.get("/analysis/releases/1/").content.decode()
    assert "/analysis/releases/1/evidence.csv" in page and "/analysis/releases/1/report/" in page
    download = client.get("/analysis/releases/1/evidence.csv")
    assert download.status_code == 200 and 'filename="release-1-evidence.csv"' in download["Content-Disposition"]
    assert HARMONISE in download.content.decode("utf-8-sig")
    stata_download = client.get("/analysis/releases/1/evidence.dta")
    assert pd.read_stata(BytesIO(stata_download.content)).shape[0] == 3
    assert client.get("/analysis/releases/1/evidence.xlsx").status_code == 404  # Excel carries it inside


def test_the_printable_coding_report(approved, client_for, users):
    release_1()
    response = client_for(users["coder_b"]).get("/analysis/releases/1/report/")
    html = response.content.decode()
    assert response.status_code == 200 and "@media print" in html
    section = html[html.index('id="agreement-') :]
    assert "A - B" in section and "Art. 6.1" in section and "Art. 6.2" in section and "Harmonisation" in section
    assert AFFIRM in section and HARMONISE in section and RATIONALE in section
    treaty = approved["treaty"]
    assert f'href="/coding/agreements/{treaty.pk}/?version=1#art-61"' in section  # the cited article in the reader
    harmon = section[section.index('data-indicator="harmon"') :]
    assert 'class="value">2</strong>' in harmon and "selective" in harmon  # the value and its label


def test_a_release_made_before_evidence_was_kept_says_so(approved, client_for, users, tmp_path):
    release = release_1()
    DatasetRelease.objects.filter(pk=release.pk).update(evidence=None)  # as the migration leaves older releases
    client = client_for(users["supervisor"])
    assert 'id="no-evidence"' in client.get("/analysis/releases/1/report/").content.decode()
    run("export_dataset", "1", "--format", "json", "--out", str(tmp_path / "old.json"))
    document = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    assert document["rows"][0]["evidence"] == [] and document["release"]["evidence_kept"] is False


def test_evidence_is_shown_only_where_the_release_opens(approved, client_for, users):
    """Reopened for adjudication, the treaty is coded blind again: its release, report and
    evidence are closed to its coders (403 naming why); a release of one coder's codings does not
    exist for another coder (404)."""
    release_1()
    coder_a = client_for(users["coder"])
    assert coder_a.get("/analysis/releases/1/report/").status_code == 200  # approved: blindness lifted
    adjudication_reopen(adjudication=approved["adjudication"], user=users["supervisor"], reason="check harmon again")
    for path in (
        "/analysis/releases/1/report/",
        "/analysis/releases/1/evidence.csv",
        "/analysis/releases/1/evidence.dta",
        "/analysis/releases/1/agreement.xlsx",
        "/analysis/releases/1/agreement.json",
    ):
        response = coder_a.get(path)
        assert response.status_code == 403 and AFFIRM.encode() not in response.content, path
        assert "coding blind" in response.content.decode()

    run("release_dataset", "--codebook", "mini", "--name", "coder b only", "--source", "coder_b")
    assert release_get("coder b only").evidence[0]["coder"] == "coder_b"
    number = release_get("coder b only").number
    for path in (f"/analysis/releases/{number}/report/", f"/analysis/releases/{number}/evidence.csv"):
        assert coder_a.get(path).status_code == 404
    assert client_for(users["supervisor"]).get(f"/analysis/releases/{number}/report/").status_code == 200
