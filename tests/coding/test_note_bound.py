"""One bound for a coder's note (coding/services/codings.py NOTE_MAX), asked by the save itself,
the API in front of it and the coding import: the same limit and nothing written past it."""

import pytest
from django.core.exceptions import ValidationError

from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import NOTE_MAX, coding_save


@pytest.fixture
def coding(users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    return Coding.objects.select_related("version", "agreement").get(coder=users["coder"])


@pytest.mark.django_db
def test_the_save_refuses_a_note_over_the_bound_and_keeps_one_at_it(users, coding):
    with pytest.raises(ValidationError) as refused:
        coding_save(coding=coding, user=users["coder"], revision=0, answers={"wto": {"note": "x" * (NOTE_MAX + 1)}})
    assert "wto" in refused.value.message_dict and "10,000" in refused.value.message_dict["wto"][0]
    assert not coding.answers.exists() and Coding.objects.get(pk=coding.pk).revision == 0
    coding_save(coding=coding, user=users["coder"], revision=0, answers={"wto": {"note": "x" * NOTE_MAX}})
    assert len(coding.answers.get().note) == NOTE_MAX


@pytest.mark.django_db
def test_the_api_refuses_the_same_note_before_the_service(client, users, coding):
    client.force_login(users["coder"])
    body = {"revision": 0, "answers": {"wto": {"value": 1, "note": "x" * (NOTE_MAX + 1)}}}
    response = client.put(f"/api/codings/{coding.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and "10000" in response.content.decode()
    assert not coding.answers.exists()
