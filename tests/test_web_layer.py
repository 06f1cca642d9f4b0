"""The web layer only translates (issue 20): one exception handler turns domain errors into HTTP
answers, one panel lookup serves the page, the API and the command line, the API takes the
service's bounds, and one rule says who edits a coding."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from analysis.pure.simulate import simulate
from analysis.selectors.runs import panel_get
from analysis.services.panels import panel_store
from coding.editing import coding_edit_refusal, coding_editable_by
from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save
from coding.services.evidence import MAX_EVIDENCE_PER_ANSWER
from web.api_errors import answer_with, api_exception_handler, domain_error_body


def test_a_validation_error_names_each_field_and_an_unknown_error_stays_a_500():
    assert domain_error_body(ValidationError({"wto": ["7 is not allowed"], "harmon": ["missing"]})) == {
        "detail": "wto: 7 is not allowed; harmon: missing",
        "errors": {"wto": ["7 is not allowed"], "harmon": ["missing"]},
    }
    assert domain_error_body(ValidationError("Choose a version.")) == {"detail": "Choose a version."}
    answer = api_exception_handler(ValidationError("Choose a version."), {})
    assert answer.status_code == 400 and answer.data == {"detail": "Choose a version."}
    assert api_exception_handler(ValueError("a bug, not bad input"), {}) is None  # a 500, never a quiet 400
    with pytest.raises(ValueError, match="not 500"):
        answer_with(500, KeyError)


@pytest.mark.django_db
def test_the_api_maps_stale_submits_unknown_texts_and_too_much_evidence(client_for, users, mini_version, treaty):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    coding_save(coding=coding, user=coder, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
    client = client_for(coder)
    stale = client.post(f"/api/codings/{coding.pk}/submit/", {"revision": 0}, content_type="application/json")
    assert stale.status_code == 409 and "changed or submitted elsewhere" in stale.json()["detail"]
    missing = client.get(f"/api/agreements/{treaty.pk}/articles/", {"version": "9"})
    assert missing.status_code == 404 and missing.json() == {"detail": f"{treaty} has no text version 9"}
    evidence = [{"article": "60"}] * (MAX_EVIDENCE_PER_ANSWER + 1)  # the service's bound, checked by the API first
    refused = client.put(
        f"/api/codings/{coding.pk}/",
        {"revision": 1, "answers": {"wto": {"value": 1, "evidence": evidence}}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "evidence" in refused.json()["answers"]["wto"]
    other = client_for(users["coder_b"]).put(
        f"/api/codings/{coding.pk}/", {"revision": 1, "answers": {}}, content_type="application/json"
    )
    assert other.status_code == 404  # blind coding: another coder's draft does not exist for her


@pytest.mark.django_db
def test_only_the_assigned_coder_edits_a_draft(users, mini_version, treaty):
    coder, other = users["coder"], users["coder_b"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, other])
    coding = Coding.objects.get(coder=coder)
    assert coding_editable_by(coder, coding) and not coding_editable_by(other, coding)
    assert not coding_editable_by(users["supervisor"], coding)
    assert coding_edit_refusal(other, coding) == "Only the assigned coder can edit this coding."
    assert coding_edit_refusal(other, coding, submitting=True) == "Only the assigned coder can submit this coding."
    coding.state = Coding.State.SUBMITTED
    assert coding_edit_refusal(coder, coding) == "This coding has been submitted and can no longer be edited."
    assert coding_edit_refusal(coder, coding, submitting=True) is None  # a stale revision then: the service's 409
    with pytest.raises(ValidationError, match="Only the assigned coder"):
        coding_save(coding=Coding.objects.get(coder=coder), user=other, revision=0, answers={})


@pytest.mark.django_db
def test_one_panel_lookup_by_id_or_hash_with_the_readers_visibility(settings, tmp_path, users):
    settings.PANEL_DIR = tmp_path
    panel, _ = panel_store(simulate(countries=4, seed=1), name="p")
    assert panel_get(str(panel.pk), user=users["supervisor"]) == panel  # the page and the API: by id
    assert panel_get(f" {panel.content_hash[:6]} ", user=users["coder"]) == panel  # or by hash prefix
    assert panel_get(str(panel.pk), user=None) == panel  # the command line sees every panel
    assert panel_get(panel.content_hash[:5], user=None) is None  # too short to name one panel
    assert panel_get("99999999999", user=None) is None
    assert panel_get(str(panel.pk), user=AnonymousUser()) is None  # visibility is the reader's
