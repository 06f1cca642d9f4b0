"""Feedback for coders: once an adjudication is approved a coder sees her own answers beside the
final values with the adjudicator's rationale, and her agreement with the final values month by
month. Only her own codings, only after approval (coding/visibility.py)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from coding.models import Adjudication, Coding
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.factories import AgreementFactory, add_text


def code_round(users, version, agreement, harmon_b, *, approve=True, month=None):
    """coder_a answers wto 1, harmon 2; coder_b wto 1 and `harmon_b`; the supervisor decides 2."""
    assignment_create(agreements=[agreement], version=version, coders=[users["coder"], users["coder_b"]])
    for name, harmon in (("coder", 2), ("coder_b", harmon_b)):
        coding = Coding.objects.get(coder=users[name], agreement=agreement)
        coding_save(
            coding=coding,
            user=users[name],
            revision=0,
            answers={
                "wto": {"value": 1, "evidence": [{"article": "60"}]}
                if agreement.articles.filter(identifier="60").exists()
                else {"value": 1},
                "harmon": {"value": harmon},
            },
        )
        coding_submit(coding=coding, user=users[name], revision=1)
        if month:
            Coding.objects.filter(pk=coding.pk).update(submitted_at=datetime(2025, month, 15, tzinfo=UTC))
    adjudication = Adjudication.objects.get(agreement=agreement)
    if harmon_b != 2:
        adjudication_resolve(
            adjudication=adjudication,
            indicator=version.indicators.get(code="harmon"),
            value=2,
            rationale="Art. 61 names one sector: selective.",
            disagreement_type="misread",
            user=users["supervisor"],
        )
    if approve:
        adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    return {name: Coding.objects.get(coder=users[name], agreement=agreement) for name in ("coder", "coder_b")}


@pytest.mark.django_db
def test_a_coder_sees_her_answers_beside_the_final_values(client_for, users, mini_version, treaty):
    codings = code_round(users, mini_version, treaty, harmon_b=1)
    client = client_for(users["coder_b"])
    response = client.get(reverse("coding:coding_feedback", args=[codings["coder_b"].pk]))
    assert response.status_code == 200
    rows = {r["indicator"].code: r for r in response.context["rows"]}
    assert (rows["harmon"]["value"], rows["harmon"]["final"].value, rows["harmon"]["match"]) == (1, 2, False)
    assert (rows["wto"]["value"], rows["wto"]["final"].value, rows["wto"]["match"]) == (1, 1, True)
    assert (response.context["matches"], response.context["compared"]) == (1, 2)
    html = response.content.decode()
    assert "Art. 61 names one sector: selective." in html and "decided by supervisor" in html
    assert "objective" in html and "selective" in html  # value labels beside the numbers
    # her queue links the page for the approved treaty
    queue = client.get(reverse("coding:my_queue")).content.decode()
    assert reverse("coding:coding_feedback", args=[codings["coder_b"].pk]) in queue


@pytest.mark.django_db
def test_feedback_is_hers_alone_and_only_after_approval(client_for, users, mini_version, treaty):
    codings = code_round(users, mini_version, treaty, harmon_b=1, approve=False)
    coder_a = client_for(users["coder"])
    own = reverse("coding:coding_feedback", args=[codings["coder"].pk])
    assert coder_a.get(own).status_code == 404  # in adjudication: the final values would tell her B's answers
    assert (
        reverse("coding:coding_feedback", args=[codings["coder"].pk])
        not in coder_a.get(reverse("coding:my_queue")).content.decode()
    )
    adjudication_approve(adjudication=Adjudication.objects.get(), user=users["supervisor"])
    assert coder_a.get(own).status_code == 200
    other = reverse("coding:coding_feedback", args=[codings["coder_b"].pk])
    assert coder_a.get(other).status_code == 404  # another coder's feedback, even after approval
    assert client_for(users["supervisor"]).get(other).status_code == 200


@pytest.mark.django_db
def test_agreement_with_the_final_values_month_by_month(client_for, users, mini_version, treaty):
    code_round(users, mini_version, treaty, harmon_b=1, month=3)  # B: 1 of 2 equal in March
    later = add_text(AgreementFactory(name="C - D"), [("1", "General", [("1", "Text.")])])
    code_round(users, mini_version, later, harmon_b=2, month=5)  # B: 2 of 2 equal in May
    unapproved = add_text(AgreementFactory(name="E - F"), [("1", "General", [("1", "Text.")])])
    code_round(users, mini_version, unapproved, harmon_b=0, approve=False, month=5)  # not counted
    response = client_for(users["coder_b"]).get(reverse("coding:my_feedback"))
    months = [(m["month"].strftime("%Y-%m"), m["answers"], m["equal"]) for m in response.context["months"]]
    assert months == [("2025-03", 2, 1), ("2025-05", 2, 2)]
    html = response.content.decode()
    assert 'id="agreement-by-month"' in html and 'id="agreement-chart"' in html and "50%" in html and "100%" in html
    assert [c.agreement.name for c in response.context["codings"]] == ["C - D", "A - B"]
