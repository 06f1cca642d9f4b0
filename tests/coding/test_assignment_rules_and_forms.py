"""Double coding is a service rule (at least two coders, manual and balanced); pages answer bad
numbers and ids with a form error or the default, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import Assignment, Coding, FinalValue
from coding.services.adjudication import adjudication_resolve
from coding.services.assignments import assignment_balance, assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.factories import AgreementFactory


@pytest.mark.django_db
@pytest.mark.parametrize("coders", [["coder"], ["coder", "coder"], []])
def test_manual_assignment_needs_two_different_coders(users, mini_version, treaty, coders):
    with pytest.raises(ValidationError, match="at least two coders"):
        assignment_create(agreements=[treaty], version=mini_version, coders=[users[c] for c in coders])
    assert not Assignment.objects.exists() and not Coding.objects.exists()


@pytest.mark.django_db
def test_manual_assignment_needs_an_agreement(users, mini_version):
    with pytest.raises(ValidationError, match="at least one agreement"):
        assignment_create(agreements=[], version=mini_version, coders=[users["coder"], users["coder_b"]])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "coders, per_agreement, message",
    [
        (["coder"], 2, "at least two coders"),
        (["coder", "coder_b"], 1, "at least two coders"),
        (["coder", "coder_b"], 3, "Choose at least 3 coders"),
    ],
)
def test_balanced_assignment_needs_two_coders_per_agreement(
    users, mini_version, treaty, coders, per_agreement, message
):
    with pytest.raises(ValidationError, match=message):
        assignment_balance(
            agreements=[treaty], version=mini_version, coders=[users[c] for c in coders], per_agreement=per_agreement
        )
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_balanced_assignment_tops_up_an_agreement_with_one_coder(users, mini_version, treaty):
    from tests.factories import UserFactory

    third = UserFactory(username="coder_c", role="coder")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    created = assignment_balance(
        agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"], third], per_agreement=3
    )
    assert [a.coder for a in created] == [third]


@pytest.mark.django_db
def test_dashboard_with_a_malformed_version_falls_back_to_the_default(client_for, users, mini_version):
    client = client_for(users["supervisor"])
    default = client.get(reverse("coding:supervisor_dashboard"))
    for bad in ("abc", "99999999999999999999", "١٢", "-1", "404"):
        response = client.get(reverse("coding:supervisor_dashboard"), {"version": bad})
        assert response.status_code == 200
        assert response.context["version"] == default.context["version"] == mini_version


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("sample_size", "abc", "“sample size” must be a whole number, not “abc”."),
        ("sample_size", "-3", "“sample size” must be from 1 to 100,000."),
        ("sample_size", "0", "“sample size” must be from 1 to 100,000."),
        ("sample_size", "99999999999999999999", "“sample size” must be from 1 to 100,000."),  # not "at least 1"
        ("seed", "x", "“random seed” must be a whole number, not “x”."),
        ("per_agreement", "two", "“Coders per agreement” must be a whole number, not “two”."),
        ("per_agreement", "1", "“Coders per agreement” must be from 2 to 100,000."),
        ("version", "abc", "Choose a codebook version."),
        ("version", "99999999999999999999", "Choose a codebook version."),
    ],
)
def test_assign_form_answers_bad_numbers_with_a_message(client_for, users, mini_version, field, value, message):
    agreements = [AgreementFactory() for _ in range(3)]
    data = {
        "version": mini_version.pk,
        "coders": [users["coder"].pk, users["coder_b"].pk],
        "mode": "balanced",
        "per_agreement": 2,
        "agreements": [a.pk for a in agreements],
        "sample_size": 2,
        "seed": 1,
    }
    data[field] = value
    response = client_for(users["supervisor"]).post(reverse("coding:assign"), data)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_assign_form_ignores_malformed_ids(client_for, users, mini_version):
    agreement = AgreementFactory()
    response = client_for(users["supervisor"]).post(
        reverse("coding:assign"),
        {
            "version": mini_version.pk,
            "coders": [users["coder"].pk, "abc", users["coder_b"].pk],
            "agreements": [agreement.pk, "x"],
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.count() == 2


@pytest.mark.django_db
def test_adjudication_form_answers_bad_input_with_a_message(client_for, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user, harmon in ((users["coder"], 2), (users["coder_b"], 1)):
        coding = Coding.objects.get(coder=user)
        coding_save(coding=coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": harmon}})
        coding_submit(coding=coding, user=user, revision=1)
    adjudication = treaty.adjudications.get()
    client = client_for(users["supervisor"])
    url = reverse("coding:adjudication_detail", args=[adjudication.pk])
    for data, message in (
        (
            {"action": "resolve", "value": "1", "rationale": "r", "disagreement_type": "misread"},
            "Choose an indicator of this codebook version.",
        ),
        (
            {"action": "resolve", "indicator": "nope", "value": "1", "rationale": "r", "disagreement_type": "misread"},
            "Choose an indicator of this codebook version.",
        ),
        (
            {
                "action": "resolve",
                "indicator": "harmon",
                "value": "two",
                "rationale": "r",
                "disagreement_type": "misread",
            },
            "'two' is not a number",
        ),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [message]
    assert not FinalValue.objects.filter(indicator__code="harmon").exists()
    with pytest.raises(ValidationError, match="not a number"):
        adjudication_resolve(
            adjudication=adjudication,
            indicator=mini_version.indicators.get(code="harmon"),
            value=None,
            rationale="r",
            disagreement_type="misread",
            user=users["supervisor"],
        )
