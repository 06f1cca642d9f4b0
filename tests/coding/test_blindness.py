"""Blind coding as a matrix of role x page/endpoint: a coder never sees another coder's values,
evidence or notes for the same agreement until it is adjudicated; supervisors see everything."""

import pytest
from django.urls import reverse

from coding.models import Adjudication, Coding
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit

SECRET_NOTE = "B-SECRET-NOTE"


@pytest.fixture
def coded(users, mini_version, treaty):
    a_user, b_user = users["coder"], users["coder_b"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[a_user, b_user])
    a = Coding.objects.get(coder=a_user)
    b = Coding.objects.get(coder=b_user)
    coding_save(
        coding=a,
        user=a_user,
        revision=0,
        answers={"wto": {"value": 1, "evidence": [{"article": "60"}]}, "harmon": {"value": 2}},
    )
    coding_save(
        coding=b,
        user=b_user,
        revision=0,
        answers={
            "wto": {"value": 1, "evidence": [{"article": "60"}]},
            "harmon": {
                "value": 3,
                "note": SECRET_NOTE,
                "evidence": [{"article": "61", "start": 30, "end": 43, "quote": "harmonisation"}],
            },
        },
    )
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
    return response.status_code == 200 and (
        SECRET_NOTE in body or '"value": 3' in body or '"value":3' in body or ">3<" in body or "value: 3" in body
    )


# expected before adjudication: (status code, sees B's answers)
BLIND = {
    "coder A": {
        "workspace of B": (404, False),
        "api coding B": (404, False),
        "api codings of agreement": (200, False),
        "history": (403, False),
        "adjudication queue": (403, False),
        "supervision": (403, False),
    },
    "coder B": {
        "workspace of B": (200, True),
        "api coding B": (200, True),
        "api codings of agreement": (200, True),
        "history": (403, False),
        "adjudication queue": (403, False),
        "supervision": (403, False),
    },
    "supervisor": {
        "workspace of B": (200, True),
        "api coding B": (200, True),
        "api codings of agreement": (200, True),
        "history": (200, True),
        "adjudication queue": (200, False),
        "supervision": (200, False),
    },
    "anonymous": dict.fromkeys(("workspace of B", "history", "adjudication queue", "supervision"), (302, False))
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
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="one sector",
        disagreement_type="ambiguity",
        user=boss,
    )
    adjudication_approve(adjudication=adjudication, user=boss)
    response = client.get(f"/api/codings/{b.pk}/")
    assert response.status_code == 200 and response.json()["answers"]["harmon"]["note"] == SECRET_NOTE


@pytest.fixture
def reference_release(coded, mini_version, tmp_path):
    """DESTA 2.1 codes the same treaty (harmon = 3) and a release is built from it."""
    from django.core.management import call_command

    from analysis.services.releases import release_create

    path = tmp_path / "desta.csv"
    path.write_text(
        f"agreement,coder,indicator,value,note\n{coded['agreement'].pk},DESTA 2.1,wto,1,\n"
        f"{coded['agreement'].pk},DESTA 2.1,harmon,3,{SECRET_NOTE}\n",
        encoding="utf-8",
    )
    call_command("import_codings", str(path), "--codebook", "mini", "--reference")
    release, _ = release_create(version=mini_version, name="desta", source="DESTA 2.1")
    return release


def reference_endpoints(release, version):
    return {
        "release page": f"/analysis/releases/{release.number}/",
        "release csv": f"/analysis/releases/{release.number}/agreement.csv",
        "api release": f"/api/releases/{release.number}/",
        "comparison": f"/analysis/compare/?version={version.pk}&a=DESTA 2.1&b=release:{release.number}",
    }


@pytest.mark.django_db
def test_reference_codings_and_releases_are_blind_too(client, users, coded, mini_version, reference_release):
    """A coder still coding a treaty does not see DESTA 2.1's answers for it either (they would
    anchor the answer as much as a colleague's); a coder without that treaty, and supervisors, do."""
    from tests.factories import UserFactory

    outsider = UserFactory(username="coder_c", role="coder")
    urls = reference_endpoints(reference_release, mini_version)
    expected = {  # status codes; True: DESTA's harmon value 3 (or its note) is in the response
        users["coder"]: {
            "release page": (403, False),
            "release csv": (403, False),
            "api release": (404, False),
            "comparison": (403, False),
        },  # a release she may not open: refused, like its page
        outsider: {
            "release page": (200, True),
            "release csv": (200, True),
            "api release": (200, True),
            "comparison": (200, True),
        },
        users["supervisor"]: {
            "release page": (200, True),
            "release csv": (200, True),
            "api release": (200, True),
            "comparison": (200, True),
        },
    }
    for user, rows in expected.items():
        client.force_login(user)
        for name, url in urls.items():
            response = client.get(url)
            body = response.content.decode()
            if name == "api release":
                shows_value = response.status_code == 200 and response.json()["rows"][0]["harmon"] == 3
            elif name == "comparison":
                shows_value = 'id="compare-summary">1 agreement coded by both' in body
            else:
                shows_value = "A - B" in body and "3" in body.split("A - B", 1)[1][:400]
            assert (response.status_code, bool(shows_value)) == rows[name], (user.username, name, response.status_code)
    client.force_login(users["coder"])
    listing = client.get("/analysis/releases/").content.decode()
    assert "Opens once the agreement you are coding blind is adjudicated." in listing
    assert client.get("/api/releases/").json()["results"] == []
    live = f"/analysis/compare/?version={mini_version.pk}&a=DESTA 2.1&b=approved"  # live sources leave it out
    assert "1 agreement you are coding blind is left out" in client.get(live).content.decode()
