"""Blind coding as a matrix of role x page/endpoint: a coder never sees another coder's values,
evidence or notes for the same agreement until it is adjudicated; supervisors see everything."""
import pytest
from django.urls import reverse

from coding.models import Adjudication, Coding
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.codings import assignment_create, coding_save, coding_submit

SECRET_NOTE = "B-SECRET-NOTE"


@pytest.fixture
def coded(users, mini_version, treaty):
    a_user, b_user = users["coder"], users["coder_b"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[a_user, b_user])
    a = Coding.objects.get(coder=a_user)
    b = Coding.objects.get(coder=b_user)
    coding_save(coding=a, user=a_user, revision=0, answers={"wto": {"value": 1, "evidence": [{"article": "60"}]}, "harmon": {"value": 2}})
    coding_save(coding=b, user=b_user, revision=0, answers={
        "wto": {"value": 1, "evidence": [{"article": "60"}]},
        "harmon": {"value": 3, "note": SECRET_NOTE, "evidence": [{"article": "61", "start": 30, "end": 43, "quote": "harmonisation"}]},
    })
    return {"a": a, "b": b, "agreement": treaty}


def endpoints(coded):
    b, agreement = coded["b"], coded["agreement"]
    return {
        "workspace of B": reverse("coding:workspace", args=[b.pk]),
        "api coding B": f"/api/codings/{b.pk}/",
        "api codings of agreement": f"/api/codings/?agreement={agreement.pk}",
        "history": reverse("coding:agreement_history", args=[agreement.pk]),
        "adjudication queue": reverse("coding:adjudication_queue"),
        "supervision": reverse("coding:supervisor_dashboard"),
    }


def sees_b(response):
    body = response.content.decode()
    return response.status_code == 200 and (SECRET_NOTE in body or '"value": 3' in body or '"value":3' in body or ">3<" in body or "value: 3" in body)


# expected before adjudication: (status code, sees B's answers)
BLIND = {
    "coder A": {"workspace of B": (404, False), "api coding B": (404, False), "api codings of agreement": (200, False),
                "history": (403, False), "adjudication queue": (403, False), "supervision": (403, False)},
    "coder B": {"workspace of B": (200, True), "api coding B": (200, True), "api codings of agreement": (200, True),
                "history": (403, False), "adjudication queue": (403, False), "supervision": (403, False)},
    "supervisor": {"workspace of B": (200, True), "api coding B": (200, True), "api codings of agreement": (200, True),
                   "history": (200, True), "adjudication queue": (200, False), "supervision": (200, False)},
    "anonymous": {name: (302, False) for name in ("workspace of B", "history", "adjudication queue", "supervision")}
    | {"api coding B": (403, False), "api codings of agreement": (403, False)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(BLIND))
def test_blindness_matrix_before_adjudication(client, users, coded, role):
    user = {"coder A": users["coder"], "coder B": users["coder_b"], "supervisor": users["supervisor"]}.get(role)
    if user:
        client.force_login(user)
    for name, url in endpoints(coded).items():
        expected_status, expected_visible = BLIND[role][name]
        response = client.get(url)
        assert response.status_code == expected_status, (role, name, response.status_code)
        assert sees_b(response) == expected_visible, (role, name)


@pytest.mark.django_db
def test_api_list_for_coder_a_contains_only_own_coding(client, users, coded):
    client.force_login(users["coder"])
    results = client.get("/api/codings/").json()["results"]
    assert [r["coder"] for r in results] == ["coder_a"]


@pytest.mark.django_db
def test_after_approval_coders_see_each_other(client, users, coded, mini_version):
    boss = users["supervisor"]
    a, b = coded["a"], coded["b"]
    coding_submit(coding=a, user=users["coder"], revision=a.revision)
    b.refresh_from_db()
    coding_submit(coding=b, user=users["coder_b"], revision=b.revision)
    adjudication = Adjudication.objects.get()
    client.force_login(users["coder"])
    assert client.get(f"/api/codings/{b.pk}/").status_code == 404  # submitted, not yet adjudicated
    adjudication_resolve(adjudication=adjudication, indicator=mini_version.indicators.get(code="harmon"), value=2,
                         rationale="one sector", disagreement_type="ambiguity", user=boss)
    adjudication_approve(adjudication=adjudication, user=boss)
    response = client.get(f"/api/codings/{b.pk}/")
    assert response.status_code == 200 and response.json()["answers"]["harmon"]["note"] == SECRET_NOTE
