"""The machine pre-coder through the workbench: training stores a model (file, hash, codebook
version, package versions, cross-validation), `precode` prints and stores the machine coder's
codings, bad input is refused with nothing stored, coders see a suggestion only after answering,
supervisors see it in adjudication, the per-treaty toggle is in the history, and the honest
measurement shows on its page and in agreement_report."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import (
    Answer,
    Coding,
    Evidence,
    PrecodeJob,
    PrecoderModel,
    Suggestion,
)
from coding.roles import REFERENCE
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.precode_jobs import precode_job_request, precode_job_run
from coding.services.precoder import PrecoderError, precode, precoder_train
from coding.services.users import reference_coder_get_or_create
from tests.coding.test_precoder_pure import ENGLISH, SPANISH
from tests.factories import AgreementFactory, add_text

HARMON_TEXT = [
    "",
    "The Parties shall work towards the harmonisation of standards.",
    "The Parties shall harmonise standards for electrical goods and machinery sectors.",
    "The Parties shall harmonise all technical regulations and standards comprehensively.",
]


def make_treaty(n, wto, harmon, **fields):
    agreement = AgreementFactory(name=f"Treaty {n}", desta_number=str(900 + n), language="en", **fields)
    tbt = [
        ("60", "The Parties affirm the Agreement on Technical Barriers to Trade." if wto else "The Parties cooperate.")
    ]
    if harmon:
        tbt.append(("61", HARMON_TEXT[harmon]))
    return add_text(
        agreement,
        [
            ("1", "Trade in Goods", [(str(i), f"{ENGLISH} Duty {n}-{i}.") for i in range(1, 4)]),
            ("6", "Technical Barriers to Trade", tbt),
        ],
    )


@pytest.fixture
def corpus(db, mini_version, settings, tmp_path, monkeypatch):
    """24 treaties coded by the reference coder DESTA 2.1 under the mini codebook (wto, harmon)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("jobs.dispatch.job_send", lambda job: None)  # no broker here
    desta = reference_coder_get_or_create("DESTA 2.1")
    indicators = {i.code: i for i in mini_version.indicators.all()}
    treaties = []
    for n in range(24):
        wto, harmon = n % 2, [0, 0, 1, 1, 2, 3][n % 6]
        agreement = make_treaty(n, wto, harmon)
        coding = Coding.objects.create(
            agreement=agreement, version=mini_version, coder=desta, state=Coding.State.SUBMITTED
        )
        Answer.objects.create(coding=coding, indicator=indicators["wto"], value=wto)
        Answer.objects.create(coding=coding, indicator=indicators["harmon"], value=harmon)
        treaties.append(agreement)
    return {"version": mini_version, "treaties": treaties}


@pytest.fixture
def model(corpus):
    return precoder_train(version=corpus["version"], reference="DESTA 2.1", exclude=[corpus["treaties"][0].pk], folds=3)


def refs_file(tmp_path, *agreements):
    path = tmp_path / "refs.txt"
    path.write_text(
        "# agreements\n" + "\n".join(f"desta:{a.desta_number}" for a in agreements) + "\n", encoding="utf-8"
    )
    return str(path)


def test_training_stores_the_model_with_its_provenance_and_cross_validation(model, corpus, settings):
    assert (
        model.number == 1
        and model.version == corpus["version"]
        and model.codebook_hash == corpus["version"].content_hash
    )
    assert len(model.training_agreements) == 23 and corpus["treaties"][0].pk not in model.training_agreements
    assert len(model.training_hash) == 64 and model.packages["scikit-learn"] and model.packages["numpy"]
    assert (settings.MEDIA_ROOT / model.file).exists() and model.file.startswith("precoder/")
    assert model.cross_validation["wto"]["kappa"] == pytest.approx(1.0)
    assert model.cross_validation["harmon"]["alpha"] is not None
    assert model.coder.username == "machine (model 1)" and model.coder.groups.filter(name=REFERENCE).exists()
    assert not model.coder.is_active


def test_train_precoder_command_reports_kappa_and_alpha_and_reads_the_exclude_file(corpus, tmp_path):
    out = io.StringIO()
    call_command(
        "train_precoder",
        "--codebook",
        "mini",
        "--reference",
        "DESTA 2.1",
        "--folds",
        "3",
        "--exclude",
        refs_file(tmp_path, corpus["treaties"][1]),
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = json.loads(out.getvalue())
    assert report["training_agreements"] == 23 and report["left_out"] == {"excluded": 1}
    assert set(report["cross_validation"]["harmon"]) == {"n", "kappa", "alpha", "accuracy"}
    bad = tmp_path / "bad.txt"
    bad.write_text("desta:901\nnonsense\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("train_precoder", "--codebook", "mini", "--exclude", str(bad))


def test_precode_prints_suggestions_and_stores_them_as_the_machine_coders_codings(model, corpus, tmp_path):
    held_out = corpus["treaties"][0]  # wto 0, harmon 0
    out = io.StringIO()
    call_command(
        "precode", "--codebook", "mini", "--agreements", refs_file(tmp_path, held_out), "--format", "json", stdout=out
    )
    rows = json.loads(out.getvalue())
    assert [(r["agreement"], r["indicator"]) for r in rows] == [("desta:900", "wto"), ("desta:900", "harmon")]
    # a 0 cites no article and says where it looked (issue 24)
    assert all(
        set(r) == {"agreement", "indicator", "value", "confidence", "evidence", "chapters_searched"} for r in rows
    )
    assert rows[0]["value"] == 0 and 0.5 < rows[0]["confidence"] <= 1
    assert rows[0]["evidence"] == [] and rows[0]["chapters_searched"][0] == "Technical Barriers to Trade"
    coding = Coding.objects.get(agreement=held_out, coder=model.coder)
    assert coding.state == Coding.State.SUBMITTED and coding.text_version == held_out.current_text
    answer = coding.answers.get(indicator__code="wto")
    assert answer.value == 0 and not answer.evidence.exists()
    assert answer.suggestion.confidence == pytest.approx(rows[0]["confidence"], abs=1e-4)
    assert answer.suggestion.chapters_searched == rows[0]["chapters_searched"]  # kept for the views
    # the same again changes nothing
    history = Answer.history.count() + Evidence.history.count()
    call_command("precode", "--codebook", "mini", "--agreements", refs_file(tmp_path, held_out), stdout=io.StringIO())
    assert Answer.history.count() + Evidence.history.count() == history


def test_bad_input_gets_clear_messages_and_nothing_is_stored(model, corpus, tmp_path, shared_codebooks):
    from coding.services import codebook_import

    good = corpus["treaties"][0]
    without_text = AgreementFactory(name="No text", desta_number="801")
    german = add_text(
        AgreementFactory(name="Vertrag", desta_number="802", language="de"), [("1", "Allgemeines", [("1", SPANISH)])]
    )
    unlabelled = add_text(
        AgreementFactory(name="Unlabelled", desta_number="803"),
        [("1", "General", [("1", "Die Vertragsparteien arbeiten bei technischen Vorschriften zusammen.")])],
    )
    cases = [
        (without_text, "desta:801 (No text) has no text"),
        (german, "is a text in German; the pre-coder reads English, Spanish, French"),
        (unlabelled, "is a text in a language it could not recognise"),
    ]
    for agreement, message in cases:  # --strict: one treaty it cannot read refuses the batch
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
            call_command(
                "precode", "--codebook", "mini", "--strict", "--agreements", refs_file(tmp_path, good, agreement)
            )
    other = codebook_import(path=shared_codebooks["desta_tbt"]).version
    with pytest.raises(CommandError, match="no pre-coder model was trained for codebook desta-tbt"):
        call_command("precode", "--codebook", "desta-tbt", "--agreements", refs_file(tmp_path, good))
    with pytest.raises(CommandError, match="model 1 was trained for codebook mini:1, not desta-tbt"):
        call_command("precode", "--codebook", "desta-tbt", "--model", "1", "--agreements", refs_file(tmp_path, good))
    with pytest.raises(PrecoderError):
        precode(version=other, agreements=[good], model=model)
    assert not Coding.objects.filter(coder=model.coder).exists() and not Suggestion.objects.exists()


def test_a_job_precodes_many_treaties_with_progress_and_lists_the_refused(model, corpus, users):
    no_text = AgreementFactory(name="No text", desta_number="801")
    job = precode_job_request(
        version=corpus["version"], agreements=[*corpus["treaties"][:2], no_text], user=users["supervisor"]
    )
    assert job.status == PrecodeJob.Status.QUEUED
    job = precode_job_run(job_id=job.pk)
    assert job.status == PrecodeJob.Status.DONE and job.progress == 100
    assert job.result["stored"] == [a.pk for a in corpus["treaties"][:2]]
    assert job.result["refused"][0]["agreement"] == no_text.pk and "has no text" in job.result["refused"][0]["reason"]
    assert Coding.objects.filter(coder=model.coder).count() == 2


@pytest.fixture
def coded(model, corpus, users):
    """Treaty 0 pre-coded and assigned to coder_a and coder_b."""
    treaty = corpus["treaties"][0]
    precode(version=corpus["version"], agreements=[treaty], model=model)
    assignment_create(agreements=[treaty], version=corpus["version"], coders=[users["coder"], users["coder_b"]])
    return {"treaty": treaty, "coding": Coding.objects.get(agreement=treaty, coder=users["coder"])}


def test_a_coder_sees_a_suggestion_only_after_answering(coded, users, client_for):
    coding = coded["coding"]
    client = client_for(users["coder"])
    url = reverse("coding:coding_suggestions", args=[coding.pk])
    page = client.get(reverse("coding:workspace", args=[coding.pk])).content.decode()
    assert "machine suggested" not in page and url in page  # fetched, never rendered into the page
    assert client.get(url).json() == {"suggestions": {}}
    codings = client.get("/api/codings/").json()
    assert all(c["coder"] != "machine (model 1)" for c in codings.get("results", codings))  # still blind
    coding_save(coding=coding, user=users["coder"], revision=0, answers={"wto": {"value": 1}})
    shown = client.get(url).json()["suggestions"]
    assert list(shown) == ["wto"]
    assert shown["wto"]["value"] == 0 and shown["wto"]["text"].startswith("machine suggested 0 (confidence ")
    # a 0 cites nothing and says where the machine looked
    assert shown["wto"]["text"].endswith(", searched, not found: Technical Barriers to Trade)")
    assert shown["wto"]["sentence"] == ""
    # another coder of the treaty sees nothing of it; supervisors see everything
    assert client_for(users["coder_b"]).get(url).status_code in {403, 404}
    assert set(client_for(users["supervisor"]).get(url).json()["suggestions"]) == {"wto", "harmon"}


def test_the_per_treaty_toggle_shows_suggestions_first_and_is_in_the_history(coded, users, client_for):
    treaty, coding = coded["treaty"], coded["coding"]
    supervisor = client_for(users["supervisor"])
    assert "Show suggestions first for this treaty" in supervisor.get(treaty.get_absolute_url()).content.decode()
    response = supervisor.post(reverse("coding:suggestion_display", args=[treaty.pk]), {"first": "1"})
    assert response.status_code == 302
    history = supervisor.get(reverse("coding:agreement_history", args=[treaty.pk])).content.decode()
    assert "show suggestions before the coder answers" in history and "supervisor" in history
    coder = client_for(users["coder"])
    assert set(coder.get(reverse("coding:coding_suggestions", args=[coding.pk])).json()["suggestions"]) == {
        "wto",
        "harmon",
    }
    assert "Machine pre-coder" not in coder.get(treaty.get_absolute_url()).content.decode()


def test_supervisors_see_the_suggestion_with_confidence_and_article_in_adjudication(coded, users, client_for):
    for user in (users["coder"], users["coder_b"]):
        coding = Coding.objects.get(agreement=coded["treaty"], coder=user)
        coding_save(coding=coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 0}})
        coding.refresh_from_db()
        coding_submit(coding=coding, user=user, revision=coding.revision)
    adjudication = coded["treaty"].adjudications.get()
    page = (
        client_for(users["supervisor"])
        .get(reverse("coding:adjudication_detail", args=[adjudication.pk]))
        .content.decode()
    )
    assert 'id="machine-suggestions"' in page and "Machine suggestions (model 1)" in page
    suggestion = Suggestion.objects.get(answer__coding__agreement=coded["treaty"], answer__indicator__code="wto")
    assert f"{suggestion.confidence:.2f}" in page and suggestion.evidence == []
    # a 0 cites nothing and says where the machine looked, like a coder's "searched, not found"
    assert suggestion.chapters_searched and f"searched, not found: {suggestion.chapters_searched[0]}" in page


def test_the_measurement_page_diagram_and_report_rows(model, corpus, users, client_for, tmp_path):
    precode(version=corpus["version"], agreements=[corpus["treaties"][0]], model=model)  # the held-out treaty
    client = client_for(users["supervisor"])
    page = client.get(reverse("coding:precoder")).content.decode()
    assert 'id="precoder-measurement"' in page and "held out, against DESTA 2.1" in page
    assert client.get(reverse("coding:precoder_diagram", args=[1, "svg"]))["Content-Type"] == "image/svg+xml"
    assert client.get(reverse("coding:precoder_diagram", args=[1, "png"])).content[:4] == b"\x89PNG"
    assert client.get(reverse("coding:precoder_diagram", args=[1, "gif"])).status_code == 404
    assert client_for(users["coder"]).get(reverse("coding:precoder")).status_code == 403
    out = io.StringIO()
    call_command("agreement_report", "--codebook", "mini", "--precoder", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())["precoder"]
    assert report["held_out_agreements"] == 1 and report["reference"]["wto"]["n"] == 1
    assert report["cross_validation"]["wto"]["kappa"] == pytest.approx(1.0)
    out = io.StringIO()
    call_command("agreement_report", "--codebook", "mini", "--precoder", "1", stdout=out)
    assert "machine (model 1) vs DESTA 2.1, held out" in out.getvalue() and "vs approved values" in out.getvalue()
    with pytest.raises(CommandError, match="no pre-coder model 7"):
        call_command("agreement_report", "--codebook", "mini", "--precoder", "7")


def test_the_agreement_page_starts_a_precoding_job(model, corpus, users, client_for):
    treaty = corpus["treaties"][3]
    client = client_for(users["supervisor"])
    assert "Pre-code with model 1" in client.get(treaty.get_absolute_url()).content.decode()
    client.post(reverse("coding:precode_create", args=[treaty.pk]), {"model": "1"})
    job = PrecodeJob.objects.get()
    assert job.agreement_ids == [treaty.pk] and job.created_by == users["supervisor"]
    status = client.get(reverse("coding:precode_status", args=[job.pk])).json()
    assert status["status"] == "QUEUED" and status["progress"] == 0
    precode_job_run(job_id=job.pk)
    assert client.get(reverse("coding:precode_status", args=[job.pk])).json()["progress"] == 100
    assert PrecoderModel.objects.count() == 1
