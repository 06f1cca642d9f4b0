"""Treaty texts are versioned: a new text never pulls the articles from under codings. Evidence
resolves against the coding's own text version (reader, API, history, adjudication), a draft's
next save succeeds, a new text over a coded treaty needs a confirmation, and evidence is bounded."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import Adjudication, Coding, Evidence, TextImport, TextVersion
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.text_jobs import text_import_run
from coding.services.texts import NewVersionNotConfirmed, text_import_file
from tests.factories import AgreementFactory, add_text

# The "consolidated" text a supervisor imports later: fewer articles, 60 gone, 61 reworded.
NEW_TEXT = """AGREEMENT BETWEEN A AND B (CONSOLIDATED)

Article 1
The Parties establish a free trade area.

Article 61
The Parties shall work towards harmonisation of standards in all goods.
"""
PASSAGE = {"article": "60", "start": 12, "end": 18, "quote": "affirm"}


def save(coding, user, **answers):
    coding.refresh_from_db()
    return coding_save(coding=coding, user=user, revision=coding.revision, answers=answers)


def new_text_file(tmp_path, text=NEW_TEXT, name="consolidated.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def api_put(client, coding, answers):
    coding.refresh_from_db()
    return client.put(
        reverse("api-coding-detail", args=[coding.pk]),
        data=json.dumps({"revision": coding.revision, "answers": answers}),
        content_type="application/json",
    )


@pytest.fixture
def approved_treaty(users, mini_version):
    """A second treaty, double coded with passages cited, adjudicated and approved."""
    agreement = add_text(
        AgreementFactory(name="C - D", parties=["CCC", "DDD"]),
        [
            (
                "6",
                "Technical Barriers to Trade",
                [
                    ("60", "The Parties affirm the Agreement on Technical Barriers to Trade."),
                    ("61", "The Parties shall work towards harmonisation of standards in electrical goods."),
                ],
            ),
        ],
    )
    coder_a, coder_b, boss = users["coder"], users["coder_b"], users["supervisor"]
    assignment_create(agreements=[agreement], version=mini_version, coders=[coder_a, coder_b])
    for coder, harmon in ((coder_a, 2), (coder_b, 1)):
        coding = Coding.objects.get(agreement=agreement, coder=coder)
        save(
            coding,
            coder,
            wto={"value": 1, "evidence": [PASSAGE]},
            harmon={"value": harmon, "evidence": [{"article": "61"}]},
        )
        coding_submit(coding=coding, user=coder, revision=coding.revision)
    adjudication = Adjudication.objects.get(agreement=agreement)
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="Art. 61 names one sector.",
        disagreement_type="misread",
        user=boss,
    )
    adjudication_approve(adjudication=adjudication, user=boss)
    return agreement


@pytest.mark.django_db
def test_new_texts_leave_every_citation_resolvable_and_the_draft_saves(
    users, mini_version, treaty, approved_treaty, client_for, tmp_path
):
    # Given a treaty in coding (a draft citing article 60 with a passage) and an approved treaty
    coder, boss = users["coder"], users["supervisor"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    draft = Coding.objects.get(agreement=treaty, coder=coder)
    save(draft, coder, wto={"value": 1, "evidence": [PASSAGE]})
    approved_codings = list(Coding.objects.filter(agreement=approved_treaty).order_by("pk"))
    evidence_before = list(
        Evidence.objects.filter(answer__coding__in=approved_codings).values_list(
            "answer_id", "article_identifier", "start", "end", "quote"
        )
    )

    # When both get a new text with fewer and different articles
    call_command("import_text", str(new_text_file(tmp_path)), "--agreement", str(treaty.pk), "--new-version")
    text_import_file(agreement=approved_treaty, path=new_text_file(tmp_path), new_version=True, user=boss)

    # Then each has version 2 as its current text, and version 1 is still there
    for agreement in (treaty, approved_treaty):
        agreement.refresh_from_db()
        assert agreement.current_text.number == 2
        assert sorted(agreement.articles.values_list("identifier", flat=True)) == ["1", "61", "preamble"]
        assert agreement.text_versions.get(number=1).articles.filter(identifier="60").exists()
    # the codings stay bound to version 1; submitted ones are untouched
    assert {c.text_version.number for c in Coding.objects.all()} == {1}
    for before, after in zip(approved_codings, Coding.objects.filter(agreement=approved_treaty).order_by("pk")):
        assert (after.state, after.revision, after.text_version_id) == (
            before.state,
            before.revision,
            before.text_version_id,
        )
    assert (
        list(
            Evidence.objects.filter(answer__coding__in=approved_codings).values_list(
                "answer_id", "article_identifier", "start", "end", "quote"
            )
        )
        == evidence_before
    )

    # the reader of the cited version shows the article; the current one does not have it
    reader = client_for(coder)
    page = reader.get(reverse("coding:agreement_detail", args=[approved_treaty.pk]), {"version": 1}).content.decode()
    assert 'id="art-60"' in page and 'id="older-version"' in page and "affirm the Agreement" in page
    current = reader.get(reverse("coding:agreement_detail", args=[approved_treaty.pk])).content.decode()
    assert 'id="art-60"' not in current and 'data-version="1"' in current and 'data-version="2"' in current
    assert reader.get(reverse("coding:agreement_detail", args=[approved_treaty.pk]), {"version": 3}).status_code == 404

    # the API payload names the version and links into it; the article API serves that version
    payload = reader.get(reverse("api-coding-detail", args=[approved_codings[0].pk])).json()
    assert payload["text_version"] == 1
    [cited] = payload["answers"]["wto"]["evidence"]
    assert cited["url"] == f"/coding/agreements/{approved_treaty.pk}/?version=1#art-60"
    articles = reader.get(reverse("api-agreement-articles", args=[approved_treaty.pk]), {"version": 1}).json()
    rows = articles["results"] if isinstance(articles, dict) else articles
    [sixty] = [a for a in rows if a["identifier"] == "60"]
    assert sixty["text"][cited["start"] : cited["end"]] == cited["quote"] and sixty["text_version"] == 1

    # the history and the adjudication page link to the article in version 1
    supervisor = client_for(boss)
    history = supervisor.get(reverse("coding:agreement_history", args=[approved_treaty.pk])).content.decode()
    assert f'href="/coding/agreements/{approved_treaty.pk}/?version=1#art-60"' in history
    adjudication = Adjudication.objects.get(agreement=approved_treaty)
    detail = supervisor.get(reverse("coding:adjudication_detail", args=[adjudication.pk])).content.decode()
    assert f'href="/coding/agreements/{approved_treaty.pk}/?version=1#art-60"' in detail
    assert f'href="/coding/agreements/{approved_treaty.pk}/?version=1" target="_blank"' in detail  # "Open the text"

    # the coder's workspace shows version 1 with a note about version 2, and the next save succeeds
    workspace = client_for(coder).get(reverse("coding:workspace", args=[draft.pk])).content.decode()
    assert 'id="newer-text"' in workspace and 'id="art-60"' in workspace
    response = api_put(client_for(coder), draft, {"wto": {"value": 0, "evidence": [PASSAGE, {"article": "61"}]}})
    assert response.status_code == 200, response.content
    assert response.json()["text_version"] == 1
    draft.refresh_from_db()
    assert draft.answers.get(indicator__code="wto").value == 0 and draft.text_version.number == 1


@pytest.mark.django_db
def test_new_assignments_are_made_on_the_current_text(users, mini_version, treaty, tmp_path):
    text_import_file(agreement=treaty, path=new_text_file(tmp_path))  # nobody codes it yet: no confirmation
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    assert coding.text_version.number == 2
    with pytest.raises(ValidationError, match="article '60' is not in this treaty"):
        save(coding, users["coder"], wto={"value": 1, "evidence": [{"article": "60"}]})


@pytest.mark.django_db
def test_drafts_made_before_any_text_move_onto_the_first_text(users, mini_version, tmp_path):
    agreement = AgreementFactory()
    assignment_create(agreements=[agreement], version=mini_version, coders=[users["coder"], users["coder_b"]])
    assert not Coding.objects.filter(text_version__isnull=False).exists()
    text_import_file(agreement=agreement, path=new_text_file(tmp_path))
    assert {c.text_version.number for c in Coding.objects.all()} == {1}


@pytest.mark.django_db
def test_upload_over_a_coded_treaty_needs_the_confirmation(users, mini_version, treaty, client_for, settings, tmp_path):
    # Given a treaty two coders are coding
    settings.MEDIA_ROOT = tmp_path / "media"
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    client = client_for(users["supervisor"])
    url = reverse("coding:text_import_create", args=[treaty.pk])
    page = client.get(treaty.get_absolute_url()).content.decode()
    assert 'name="new_version"' in page and "This treaty has 2 codings; import as a new version" in page

    # When the file is uploaded without ticking the box: refused, nothing made
    response = client.post(url, {"file": SimpleUploadedFile("v2.txt", NEW_TEXT.encode())}, follow=True)
    assert "This treaty has 2 codings" in response.content.decode()
    assert TextImport.objects.count() == 0 and treaty.text_versions.count() == 1

    # With the box ticked: a job, which (run here in-process) makes version 2
    client.post(
        url, {"file": SimpleUploadedFile("v2.txt", NEW_TEXT.encode()), "new_version": "1", "note": "consolidated"}
    )
    job = TextImport.objects.get()
    assert job.new_version and job.note == "consolidated"
    job = text_import_run(job_id=job.pk)
    assert job.status == "DONE", job.error
    assert job.result["version"] == 2 and job.result["changed"]
    version = treaty.text_versions.get(number=2)
    assert (version.source_name, version.note, version.created_by) == ("v2.txt", "consolidated", users["supervisor"])
    assert treaty.articles.filter(identifier="61", text__contains="all goods").exists()


@pytest.mark.django_db
def test_import_text_command_needs_new_version_and_the_same_text_is_a_no_op(
    users, mini_version, treaty, tmp_path, capsys
):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    path = new_text_file(tmp_path)
    with pytest.raises(CommandError, match=r"(?s)has 2 codings.*--new-version.*Nothing was imported"):
        call_command("import_text", str(path), "--agreement", str(treaty.pk))
    with pytest.raises(NewVersionNotConfirmed):
        text_import_file(agreement=treaty, path=path)
    assert treaty.text_versions.count() == 1

    call_command("import_text", str(path), "--agreement", str(treaty.pk), "--new-version", "--note", "v2")
    assert "imported as version 2" in capsys.readouterr().out
    counts = (TextVersion.objects.count(), treaty.articles.count(), treaty.all_articles.count())
    # the same text again, with or without the flag: nothing changes
    call_command("import_text", str(path), "--agreement", str(treaty.pk))
    call_command("import_text", str(path), "--agreement", str(treaty.pk), "--new-version")
    assert "text unchanged (version 2)" in capsys.readouterr().out
    assert (TextVersion.objects.count(), treaty.articles.count(), treaty.all_articles.count()) == counts


@pytest.mark.django_db
def test_import_tota_holds_back_a_changed_text_of_a_coded_treaty(users, mini_version, tota_dir, tmp_path, capsys):
    source = (tota_dir / "pta_1.xml").read_text(encoding="utf-8")
    path = tmp_path / "pta_1.xml"
    path.write_text(source, encoding="utf-8")
    call_command("import_tota", str(path), "--no-progress")
    agreement = TextVersion.objects.get().agreement
    assignment_create(agreements=[agreement], version=mini_version, coders=[users["coder"], users["coder_b"]])
    first = agreement.articles.order_by("position").first()
    path.write_text(source.replace(first.text[:40], "A CHANGED OPENING " + first.text[:40], 1), encoding="utf-8")
    capsys.readouterr()

    # Without the flag: the text is held back and named, nothing else is written
    call_command("import_tota", str(path), "--no-progress")
    output = capsys.readouterr()
    assert "NOT imported" in output.err and "2 codings" in output.err and "--new-version" in output.err
    assert agreement.text_versions.count() == 1

    # With it: version 2; the codings stay on version 1
    call_command("import_tota", str(path), "--no-progress", "--new-version")
    assert "1 new text versions" in capsys.readouterr().out
    assert agreement.text_versions.count() == 2 and agreement.articles.first().text.startswith("A CHANGED OPENING")
    assert {c.text_version.number for c in Coding.objects.filter(agreement=agreement)} == {1}


BAD_EVIDENCE = [
    ({"article": "60", "start": 0, "end": 2**40}, "end must be between 0 and 64"),
    ({"article": "60", "start": -1, "end": 5}, "start must be between 0 and 64"),
    ({"article": "60", "start": 9, "end": 3}, "start before its end"),
    ({"article": "60", "start": 0, "end": 5, "quote": "x" * 10_001}, "quote is longer than 10000 characters"),
    ({"article": "60", "start": "abc", "end": 5}, "start must be a whole number"),
    ({"article": "60", "start": 3}, "both start and end"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("item, message", BAD_EVIDENCE)
def test_evidence_out_of_bounds_is_refused_by_the_service(users, mini_version, treaty, item, message):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    with pytest.raises(ValidationError, match=message) as caught:
        save(coding, coder, wto={"value": 1, "evidence": [{"article": "61"}, item]})
    assert "wto" in caught.value.message_dict and "evidence 2" in caught.value.message_dict["wto"][0]
    coding.refresh_from_db()
    assert coding.revision == 0 and not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "item, status_fields",
    [
        ({"article": "60", "start": 0, "end": 2**40}, "wto"),
        ({"article": "60", "start": -1, "end": 5}, "start"),  # the API's own input check
        ({"article": "60", "start": 9, "end": 3}, "wto"),
        ({"article": "60", "quote": "x" * 10_001}, "wto"),
    ],
)
def test_evidence_out_of_bounds_is_a_400_from_the_api(users, mini_version, treaty, client_for, item, status_fields):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    response = api_put(client_for(coder), coding, {"wto": {"value": 1, "evidence": [item]}})
    assert response.status_code == 400 and status_fields in response.content.decode()
    coding.refresh_from_db()
    assert coding.revision == 0 and not Evidence.objects.exists()


@pytest.mark.django_db
def test_at_most_50_evidence_items_and_bounds_that_fit_are_stored(users, mini_version, treaty, client_for):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    response = api_put(client_for(coder), coding, {"wto": {"value": 1, "evidence": [{"article": "61"}] * 51}})
    assert response.status_code == 400 and "at most 50 evidence items" in response.content.decode()
    whole = {"article": "60", "start": 0, "end": 64, "quote": treaty.articles.get(identifier="60").text}
    response = api_put(client_for(coder), coding, {"wto": {"value": 1, "evidence": [whole, {"article": "61"}] * 25}})
    assert response.status_code == 200, response.content
    assert Evidence.objects.count() == 50


@pytest.mark.django_db
def test_supervisors_see_text_versions_in_the_admin_read_only(users, treaty, client_for):
    version = treaty.current_text
    client = client_for(users["supervisor"])
    assert client.get("/admin/coding/textversion/").status_code == 200
    page = client.get(f"/admin/coding/textversion/{version.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get("/admin/coding/textversion/add/").status_code == 403
    agreement_page = client.get(f"/admin/coding/agreement/{treaty.pk}/change/")
    assert (
        agreement_page.status_code == 200
        and f"/admin/coding/textversion/{version.pk}/change/" in agreement_page.content.decode()
    )
    chapter = version.chapters.first()
    assert client.get(f"/admin/coding/chapter/{chapter.pk}/change/").status_code == 200
    assert client.get(f"/admin/coding/article/{chapter.articles.first().pk}/change/").status_code == 200
    assert users["supervisor"].has_perm("coding.view_textversion")
    assert not users["supervisor"].has_perm("coding.change_textversion")

    # correcting a split by hand: an added article joins its chapter's version; a duplicate is a form error
    add = {"chapter": chapter.pk, "identifier": "62", "heading": "", "text": "added by hand", "position": 9}
    assert client.post("/admin/coding/article/add/", add).status_code == 302
    assert treaty.articles.get(identifier="62").version_id == version.pk
    duplicate = client.post("/admin/coding/article/add/", dict(add, text="again"))
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()


@pytest.mark.django_db
def test_a_passage_needs_a_text_to_lie_in(users, mini_version):
    agreement = AgreementFactory()  # no text imported yet
    assignment_create(agreements=[agreement], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    with pytest.raises(ValidationError, match="article '7' is not in this treaty"):
        save(coding, users["coder"], wto={"value": 1, "evidence": [{"article": "7", "start": 0, "end": 2**40}]})
    assert not Evidence.objects.exists()
