"""Supervisor pages: assignment form, dashboard (progress, agreement chart, study vs DESTA),
adjudication detail with hidden names, history; the coder queue with its progress bar."""

import pytest
from django.urls import reverse

from coding.models import Assignment, Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.factories import AgreementFactory


@pytest.fixture
def round_done(users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user, harmon in ((users["coder"], 2), (users["coder_b"], 1)):
        coding = Coding.objects.get(coder=user)
        coding_save(
            coding=coding,
            user=user,
            revision=0,
            answers={"wto": {"value": 1}, "harmon": {"value": harmon, "note": f"note {user}"}},
        )
        coding_submit(coding=coding, user=user, revision=1)
    return treaty


@pytest.mark.django_db
def test_assign_page_balanced_and_sample(client_for, users, mini_version):
    agreements = [AgreementFactory(entry_into_force_year=2000 + i % 2) for i in range(10)]
    client = client_for(users["supervisor"])
    assert client.get(reverse("coding:assign")).status_code == 200
    response = client.post(
        reverse("coding:assign"),
        {
            "version": mini_version.pk,
            "coders": [users["coder"].pk, users["coder_b"].pk],
            "mode": "balanced",
            "per_agreement": 2,
            "sample_size": 4,
            "stratum": "year",
            "seed": 1,
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.values("agreement").distinct().count() == 4
    assert Assignment.objects.count() == 8
    years = sorted(a.agreement.entry_into_force_year for a in Assignment.objects.filter(coder=users["coder"]))
    assert years == [2000, 2000, 2001, 2001]
    response = client.post(
        reverse("coding:assign"),
        {"version": mini_version.pk, "coders": [users["coder"].pk], "agreements": [agreements[0].pk]},
        follow=True,
    )
    assert "at least two coders" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_shows_progress_chart_and_queue(client_for, users, round_done, mini_version):
    response = client_for(users["supervisor"]).get(reverse("coding:supervisor_dashboard"), {"version": mini_version.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["queue_size"] == 1
    assert [r["submitted"] for r in response.context["per_coder"]] == [1, 1]
    assert 'id="agreement-chart"' in html and "<rect" in html
    # one treaty double-coded: every figure is "not estimable" (None), never 1.000 or 0.000 (issue 21)
    assert response.context["agreement"]["wto"]["n_units"] == 1
    assert response.context["agreement"]["wto"]["percent_agreement"] is None
    assert response.context["agreement"]["harmon"]["percent_agreement"] is None
    assert response.context["accuracy"] == []  # nothing approved yet


@pytest.mark.django_db
def test_dashboard_accuracy_against_approved(client_for, users, round_done, mini_version):
    from coding.services.adjudication import adjudication_approve, adjudication_resolve

    adjudication = round_done.adjudications.get()
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="one sector",
        disagreement_type="misread",
        user=users["supervisor"],
    )
    adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    response = client_for(users["supervisor"]).get(reverse("coding:supervisor_dashboard"), {"version": mini_version.pk})
    accuracy = {
        row["coder"]: {i["code"]: i["accuracy"] for i in row["indicators"]} for row in response.context["accuracy"]
    }
    assert accuracy == {"coder_a": {"wto": 1.0, "harmon": 1.0}, "coder_b": {"wto": 1.0, "harmon": 0.0}}


@pytest.mark.django_db
def test_adjudication_page_hides_names_until_asked(client_for, users, round_done):
    client = client_for(users["supervisor"])
    adjudication_url = reverse("coding:adjudication_detail", args=[round_done.adjudications.get().pk])
    hidden = client.get(adjudication_url).content.decode()
    assert "Coder 1" in hidden and "coder_a</th>" not in hidden
    assert "note coder_a" in hidden  # notes are shown, names are not
    shown = client.get(adjudication_url, {"names": "1"}).content.decode()
    assert "coder_a</th>" in shown


@pytest.mark.django_db
def test_history_lists_changes_with_users(client_for, users, round_done):
    response = client_for(users["supervisor"]).get(reverse("coding:agreement_history", args=[round_done.pk]))
    events = response.context["events"]
    assert any(e["what"] == "coding" and "state: draft → submitted" in e["changes"] for e in events)
    assert any(e["what"] == "assignment" for e in events)


@pytest.mark.django_db
def test_queue_progress_bar(client_for, users, round_done, mini_version):
    other = AgreementFactory(name="C - D")
    assignment_create(agreements=[other], version=mini_version, coders=[users["coder"], users["coder_b"]])
    response = client_for(users["coder"]).get(reverse("coding:my_queue"))
    assert (response.context["done"], response.context["total"], response.context["percent"]) == (1, 2, 50)
    assert 'aria-valuenow="1"' in response.content.decode()


@pytest.mark.django_db
def test_workspace_marks_keyword_candidates(client_for, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    response = client_for(users["coder"]).get(reverse("coding:workspace", args=[coding.pk]))
    assert response.context["candidates"] == {"wto": ["60"], "harmon": ["61"]}
    assert response.context["editable"] is True
    assert 'id="coding-payload"' in response.content.decode()


@pytest.mark.django_db
def test_agreement_page_shows_the_coding_state_without_answers(client_for, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder_b"])
    coding_save(
        coding=coding,
        user=users["coder_b"],
        revision=0,
        answers={"wto": {"value": 1, "note": "B-NOTE"}, "harmon": {"value": 2}},
    )
    coding_submit(coding=coding, user=users["coder_b"], revision=1)
    # coder_a codes it blind: her own coding only, no count (tests/coding/test_blind_metadata.py)
    [row] = client_for(users["coder"]).get(treaty.get_absolute_url()).context["coding_status"]
    assert row["blind"] and row["own"].coder == users["coder"] and row["submitted"] is None
    response = client_for(users["supervisor"]).get(treaty.get_absolute_url())
    [row] = response.context["coding_status"]
    assert (row["state"], row["submitted"], row["coders"]) == ("coding", 1, 2)
    assert row["own"] is None and row["adjudication"] is None
    html = response.content.decode()
    assert "in coding: 1 of 2 submitted" in html and "B-NOTE" not in html
