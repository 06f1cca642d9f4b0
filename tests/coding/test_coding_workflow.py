"""Assign -> code blind with evidence -> submit -> adjudicate -> approve -> reopen, with history."""

import pytest
from django.core.exceptions import ValidationError

from coding.models import Adjudication, Assignment, Coding, DisagreementType
from coding.selectors.codings import adjudication_queue, coder_queue, keyword_candidates
from coding.services.adjudication import adjudication_approve, adjudication_reopen, adjudication_resolve
from coding.services.assignments import assignment_balance, assignment_create, reliability_sample
from coding.services.codings import coding_save, coding_submit
from coding.services.revisions import CodingConflict
from tests.factories import AgreementFactory, UserFactory


def answer(value, *articles, note=""):
    return {"value": value, "note": note, "evidence": [{"article": a} for a in articles]}


@pytest.mark.django_db
def test_full_double_coding_round(users, mini_version, treaty):
    coder_a, coder_b, boss = users["coder"], users["coder_b"], users["supervisor"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder_a, coder_b], assigned_by=boss)
    a = Coding.objects.get(coder=coder_a)
    b = Coding.objects.get(coder=coder_b)

    coding_save(coding=a, user=coder_a, revision=0, answers={"wto": answer(1, "60"), "harmon": answer(2, "61")})
    assert a.revision == 1
    with pytest.raises(ValidationError, match="missing: harmon"):
        coding_save(coding=b, user=coder_b, revision=0, answers={"wto": answer(1, "60")})
        coding_submit(coding=b, user=coder_b, revision=1)
    b.refresh_from_db()
    coding_save(
        coding=b,
        user=coder_b,
        revision=b.revision,
        answers={
            "harmon": {"value": 1, "evidence": [{"article": "61", "start": 30, "end": 43, "quote": "harmonisation"}]}
        },
    )
    coding_submit(coding=a, user=coder_a, revision=a.revision)
    assert not adjudication_queue().exists()  # coder B has not submitted yet
    coding_submit(coding=b, user=coder_b, revision=b.revision)

    adjudication = adjudication_queue().get()
    finals = {f.indicator.code: f for f in adjudication.final_values.all()}
    assert finals["wto"].value == 1 and finals["wto"].disagreement_type == DisagreementType.AGREED
    assert "harmon" not in finals  # coders disagree: 2 vs 1

    with pytest.raises(ValidationError, match="open: harmon"):
        adjudication_approve(adjudication=adjudication, user=boss)
    with pytest.raises(ValidationError, match="rationale"):
        adjudication_resolve(
            adjudication=adjudication,
            indicator=mini_version.indicators.get(code="harmon"),
            value=2,
            rationale=" ",
            disagreement_type="misread",
            user=boss,
        )
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="Art. 61 names one sector: selective.",
        disagreement_type="misread",
        user=boss,
    )
    adjudication_approve(adjudication=adjudication, user=boss)
    adjudication.refresh_from_db()
    assert adjudication.state == Adjudication.State.APPROVED
    assert not adjudication_queue().exists()

    with pytest.raises(ValidationError, match="reopen"):
        adjudication_resolve(
            adjudication=adjudication,
            indicator=mini_version.indicators.get(code="harmon"),
            value=1,
            rationale="x",
            disagreement_type="other",
            user=boss,
        )
    adjudication_reopen(adjudication=adjudication, user=boss, reason="New reading of Art. 61")
    adjudication.refresh_from_db()
    assert adjudication.state == Adjudication.State.OPEN
    states = list(adjudication.history.order_by("history_date").values_list("state", flat=True))
    assert states[-2:] == ["approved", "open"]


@pytest.mark.django_db
def test_stale_revision_is_refused_and_nothing_is_overwritten(users, mini_version, treaty):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    tab_one = Coding.objects.get(pk=coding.pk)
    tab_two = Coding.objects.get(pk=coding.pk)
    coding_save(coding=tab_one, user=coder, revision=0, answers={"wto": answer(1, "60")})
    with pytest.raises(CodingConflict, match="changed elsewhere"):
        coding_save(coding=tab_two, user=coder, revision=0, answers={"wto": answer(0)})
    assert coding.answers.get(indicator__code="wto").value == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, message",
    [
        ({"wto": {"value": 5}}, "not an allowed value"),
        ({"wto": {"value": 1, "evidence": [{"article": "999"}]}}, "not in this treaty"),
        ({"nope": {"value": 1}}, "Unknown indicators"),
        ({"wto": {"value": 1, "evidence": [{"article": "60", "start": 9, "end": 3}]}}, "start before its end"),
    ],
)
def test_invalid_answers_are_refused(users, mini_version, treaty, payload, message):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    with pytest.raises(ValidationError, match=message):
        coding_save(coding=coding, user=users["coder"], revision=0, answers=payload)
    coding.refresh_from_db()
    assert coding.revision == 0 and not coding.answers.exists()


@pytest.mark.django_db
def test_only_the_assigned_coder_edits(users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    with pytest.raises(ValidationError, match="Only the assigned coder"):
        coding_save(coding=coding, user=users["coder_b"], revision=0, answers={"wto": answer(1)})


@pytest.mark.django_db
def test_balanced_assignment_follows_workload(mini_version):
    coders = [UserFactory(username=f"c{i}", role="coder") for i in range(3)]
    agreements = [AgreementFactory() for _ in range(6)]
    assignment_balance(agreements=agreements, version=mini_version, coders=coders, per_agreement=2)
    load = {c.username: Assignment.objects.filter(coder=c).count() for c in coders}
    assert load == {"c0": 4, "c1": 4, "c2": 4}
    assert all(Assignment.objects.filter(agreement=a).count() == 2 for a in agreements)
    # A busy coder gets fewer new agreements.
    extra = [AgreementFactory() for _ in range(3)]
    newcomer = UserFactory(username="c3", role="coder")
    assignment_balance(agreements=extra, version=mini_version, coders=coders + [newcomer], per_agreement=2)
    assert Assignment.objects.filter(coder=newcomer).count() == 3
    with pytest.raises(ValidationError):
        assignment_balance(agreements=extra, version=mini_version, coders=coders, per_agreement=1)


@pytest.mark.django_db
def test_stratified_sample_is_proportional_and_reproducible():
    agreements = [
        AgreementFactory(entry_into_force_year=2000 + (i % 4 == 0)) for i in range(40)
    ]  # 30 in 2000, 10 in 2001
    sample = reliability_sample(agreements, size=8, seed=7)
    years = [a.entry_into_force_year for a in sample]
    assert len(sample) == 8 and years.count(2000) == 6 and years.count(2001) == 2
    assert sample == reliability_sample(agreements, size=8, seed=7)
    assert sample != reliability_sample(agreements, size=8, seed=8)


@pytest.mark.django_db
def test_queue_progress_and_keyword_candidates(users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    coding_save(coding=coding, user=users["coder"], revision=0, answers={"wto": answer(1, "60")})
    [row] = coder_queue(users["coder"])
    assert (row.answered, row.n_indicators, row.state) == (1, 2, "draft")
    candidates = keyword_candidates(agreement=treaty, indicators=mini_version.indicators.all())
    assert candidates == {"wto": ["60"], "harmon": ["61"]}
