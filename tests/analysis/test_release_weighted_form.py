"""The release form's weighted method (issue 19, item 7, as the README promises): one weight
per depth indicator, bounded; and "Show coder names" on the adjudication page kept across the
Record action."""

import pytest
from django.urls import reverse

from analysis.models import DatasetRelease
from coding.models import Adjudication, Coding
from coding.services.adjudication import adjudication_approve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit


def code_alike(users, version, treaty, answers):
    assignment_create(agreements=[treaty], version=version, coders=[users["coder"], users["coder_b"]])
    for user in (users["coder"], users["coder_b"]):
        coding = Coding.objects.get(coder=user)
        coding_save(coding=coding, user=user, revision=0, answers=answers.get(user.username, answers["*"]))
        coding.refresh_from_db()
        coding_submit(coding=coding, user=user, revision=coding.revision)
    return Adjudication.objects.get()


@pytest.fixture
def approved(users, mini_version, treaty):
    adjudication = code_alike(users, mini_version, treaty, {"*": {"wto": {"value": 1}, "harmon": {"value": 2}}})
    adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    return mini_version


@pytest.mark.django_db
def test_release_form_offers_weighted_with_a_weight_per_depth_indicator(client_for, users, approved):
    page = client_for(users["supervisor"]).get(reverse("analysis:release_list")).content.decode()
    assert '<option value="weighted">' in page
    for code in ("wto", "harmon"):
        assert f'name="weight-{code}" min="0" max="1000" step="any"' in page


@pytest.mark.django_db
def test_weighted_release_from_the_form(client_for, users, approved):
    client = client_for(users["supervisor"])
    response = client.post(
        reverse("analysis:release_new"),
        {
            "name": "weighted",
            "version": approved.pk,
            "source": "approved",
            "method": "weighted",
            "weight-wto": "2",
            "weight-harmon": "0.5",
        },
    )
    release = DatasetRelease.objects.get()
    assert response.status_code == 302 and response["Location"] == release.get_absolute_url()
    assert release.method["name"] == "weighted" and release.method["weights"] == {"wto": 2.0, "harmon": 0.5}
    assert [row["depth"] for row in release.rows] == [3.0]  # 2 x 1 + 0.5 x 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "weights, says",
    [
        ({"weight-wto": "-1"}, "out of range"),
        ({"weight-wto": "1e308"}, "out of range"),
        ({"weight-wto": "nan"}, "not a finite number"),
        ({"weight-wto": "two"}, "Weight of wto: &#x27;two&#x27; is not a number."),
        ({"weight-wto": "0", "weight-harmon": "0"}, "At least one weight must be above 0."),
    ],
)
def test_weighted_release_refuses_weights_out_of_bounds(client_for, users, approved, weights, says):
    client = client_for(users["supervisor"])
    response = client.post(
        reverse("analysis:release_new"),
        {"name": "weighted", "version": approved.pk, "source": "approved", "method": "weighted", **weights},
        follow=True,
    )
    assert says in response.content.decode()
    assert not DatasetRelease.objects.exists()


@pytest.mark.django_db
def test_show_coder_names_is_kept_after_record(client_for, users, mini_version, treaty):
    adjudication = code_alike(
        users,
        mini_version,
        treaty,
        {"*": {"wto": {"value": 1}, "harmon": {"value": 2}}, "coder_b": {"wto": {"value": 1}, "harmon": {"value": 1}}},
    )
    client = client_for(users["supervisor"])
    url = reverse("coding:adjudication_detail", args=[adjudication.pk])
    page = client.get(url + "?names=1").content.decode()
    assert '<input type="hidden" name="names" value="1">' in page and "coder_b" in page
    response = client.post(
        url + "?names=1",
        {
            "action": "resolve",
            "revision": adjudication.revision,
            "indicator": "harmon",
            "value": "2",
            "rationale": "one sector",
            "disagreement_type": "ambiguity",
            "names": "1",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url + "?names=1"
    assert response.context["show_names"] is True
    assert "Final value of harmon recorded." in response.content.decode()
    # without the toggle the names stay hidden
    adjudication.refresh_from_db()
    response = client.post(
        url,
        {
            "action": "resolve",
            "revision": adjudication.revision,
            "indicator": "harmon",
            "value": "2",
            "rationale": "one sector",
            "disagreement_type": "ambiguity",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url and response.context["show_names"] is False
