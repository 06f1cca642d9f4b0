"""What to code next (issue 24, item 5): a treaty's uncertainty (mean over the indicators of
1 - the probability of the most probable value), the learning curve's held-out fifth, and the
retraining job end to end: approvals in, a new model out, the unassigned treaties ordered on the
assignment page, and the sweep asking by itself after enough approvals, never twice at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Adjudication, DisagreementType, FinalValue, PrecoderModel, PrecoderTrainingJob
from coding.precoder.abstention import grouped_folds, treaty_group
from coding.precoder.active import learning_curve, most_uncertain, uncertainty
from coding.precoder.model import Precoder, Suggestion
from coding.services.assignments import assignment_create
from coding.services.precoder import precoder_train
from coding.services.precoder_training import precoder_retrain_request, precoder_retrain_run, precoder_retrain_when_due
from tests.coding.test_precoder import corpus, make_treaty  # noqa: F401 - a fixture
from tests.coding.test_precoder_quality import SPECS, synthetic


def test_uncertainty_is_the_mean_least_confidence():
    suggestions = [Suggestion("a", 0, 0.9, {0: 0.9, 1: 0.1}), Suggestion("b", 1, 0.5, {0: 0.5, 1: 0.5})]
    assert uncertainty(suggestions) == pytest.approx((0.1 + 0.5) / 2)
    assert uncertainty([Suggestion("h", 0, 0.4, {0: 0.4, 1: 0.3, 2: 0.2, 3: 0.1})]) == pytest.approx(0.6)
    assert uncertainty([]) == 0.0


def test_the_least_sure_treaty_comes_first():
    treaties, labels = synthetic(36)
    fitted = Precoder(SPECS, abstain_folds=0).fit(treaties, labels)
    ranked = most_uncertain(fitted, treaties[:8])
    scores = [score for _i, score in ranked]
    assert scores == sorted(scores, reverse=True) and sorted(i for i, _s in ranked) == list(range(8))
    # Independently: 1 - the larger of the two probabilities, per treaty.
    probabilities = fitted.heads["tbt_wto"].predict_proba(fitted.features.transform(treaties[:8]))
    assert ranked[0][1] == pytest.approx(max(1 - probabilities.max(axis=1)))


def test_the_learning_curve_never_trains_on_its_held_out_fifth():
    treaties, labels = synthetic(40)
    groups = [treaty_group(t) for t in treaties]
    _pool, test = next(iter(grouped_folds([lab["tbt_wto"] for lab in labels], groups, 5, 0)))
    for strategy in ("uncertainty", "random"):
        curve = learning_curve(SPECS, treaties, labels, sizes=(10, 20, 100), strategy=strategy, seed=0)
        assert [p["n"] for p in curve] == [10, 20, 40 - len(test)]  # the last size: the whole pool
        assert all(p["n_test"] == len(test) for p in curve)
        assert all(p["kappa"] is None or -1 <= p["kappa"] <= 1 for p in curve)
    with pytest.raises(ValueError, match="strategy must be one of"):
        learning_curve(SPECS, treaties, labels, sizes=(10,), strategy="newest")


def approve(agreement, version, values):
    adjudication = Adjudication.objects.create(
        agreement=agreement, version=version, state=Adjudication.State.APPROVED, approved_at=timezone.now()
    )
    for indicator in version.indicators.all():
        FinalValue.objects.create(
            adjudication=adjudication,
            indicator=indicator,
            value=values[indicator.code],
            disagreement_type=DisagreementType.AGREED,
        )


def test_retraining_from_approvals_is_a_job_that_orders_the_assignment_page(
    corpus,  # noqa: F811 - the fixture imported above
    users,
    client_for,
    settings,
):
    version = corpus["version"]
    settings.PRECODER_RETRAIN_FOLDS = 2  # small data: two folds keep the test fast
    precoder_train(version=version, reference="DESTA 2.1", exclude=[corpus["treaties"][0].pk], folds=2, abstain_folds=0)
    new = [make_treaty(30 + n, wto=n % 2, harmon=n % 2) for n in range(2)]  # coded by nobody yet
    approve(new[0], version, {"wto": 0, "harmon": 0})
    assignment_create(
        agreements=[corpus["treaties"][3]], version=version, coders=[users["coder"], users["coder_b"]], assigned_by=None
    )

    job = precoder_retrain_request(version=version, user=users["supervisor"])
    assert job.status == PrecoderTrainingJob.Status.QUEUED and job.reference == "DESTA 2.1" and job.approvals == 1
    assert precoder_retrain_request(version=version) == job  # never two at once
    job = precoder_retrain_run(job_id=job.pk)
    assert job.status == PrecoderTrainingJob.Status.DONE, job.error
    retrained = PrecoderModel.objects.get(number=2)
    assert job.model == retrained and job.result["model"] == 2
    # The approved treaty joined the training set (the first model left treaty 0 out on request).
    assert new[0].pk in retrained.training_agreements and len(retrained.training_agreements) == 25
    scored = {int(k) for k in job.result["uncertainty"]}
    assert new[1].pk in scored and corpus["treaties"][3].pk not in scored  # assigned: not to code next
    assert all(0 <= v <= 0.5 for v in job.result["uncertainty"].values())  # two values: at most 1 - 1/2

    page = client_for(users["supervisor"]).get(
        reverse("coding:assign"), {"plan_version": version.pk, "order": "uncertainty"}
    )
    shown = page.context["agreements"]
    scores = [score for _a, score in shown[: len(scored)]]
    assert {a.pk for a, _s in shown[: len(scored)]} == scored and scores == sorted(scores, reverse=True)
    assert all(score is None for _a, score in shown[len(scored) :])  # not scored (assigned): last
    assert "What to code next" in page.content.decode()

    # The button asks for a job; the sweep asks after PRECODER_RETRAIN_EVERY new approvals.
    response = client_for(users["supervisor"]).post(
        reverse("coding:assign"), {"action": "retrain", "version": version.pk}
    )
    assert response.status_code == 302 and PrecoderTrainingJob.objects.filter(status="QUEUED").count() == 1
    PrecoderTrainingJob.objects.filter(status="QUEUED").update(status="CANCELLED")
    settings.PRECODER_RETRAIN_EVERY = 1
    assert precoder_retrain_when_due() == 0  # no approval since the last request
    approve(new[1], version, {"wto": 1, "harmon": 1})
    assert precoder_retrain_when_due() == 1 and precoder_retrain_when_due() == 0
    assert PrecoderTrainingJob.objects.get(status="QUEUED").trigger == PrecoderTrainingJob.Trigger.APPROVALS
