"""The first answer counts (issue 19, item 2): the first time a coder is shown a machine
suggestion for an indicator is recorded (who, when, her answer then) in the history; once shown
it stays shown; her answer from before the reveal is the answer's first answer, which agreement
statistics count by default (?answers=final counts the answers as saved); the dashboard and the
adjudication page say how many answers changed after a suggestion; no coder learns anything of
another coder's answers from any of it.

Suggestions are made cheaply: a PrecoderModel row and its machine coder's answers with
Suggestion rows, as services/precoder.py stores them, without training a model."""

import pytest
from django.urls import reverse

from coding.models import Answer, Coding, PrecoderModel, Suggestion, SuggestionDisplay
from coding.models.codings import SUGGESTION_SHOWN
from coding.selectors.dashboard import FINAL_ANSWERS, FIRST_ANSWERS, reliability_by_indicator
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.precoder import suggestions_show
from coding.services.users import reference_coder_get_or_create
from tests.factories import AgreementFactory


@pytest.fixture
def machine(mini_version):
    """Model 1 of the mini codebook and its machine coder (no file: nothing here loads it)."""
    return PrecoderModel.objects.create(
        number=1,
        version=mini_version,
        codebook_hash=mini_version.content_hash,
        reference="DESTA 2.1",
        coder=reference_coder_get_or_create("machine (model 1)"),
        training_hash="0" * 64,
        file="precoder/model_1.joblib",
        file_hash="0" * 64,
    )


def suggest(machine, agreement, values):
    """The machine coder's suggestions {code: value} for `agreement` (confidence 0.8, article 60)."""
    coding = Coding.objects.create(
        agreement=agreement, version=machine.version, coder=machine.coder, state=Coding.State.SUBMITTED
    )
    indicators = {i.code: i for i in machine.version.indicators.all()}
    for code, value in values.items():
        answer = Answer.objects.create(coding=coding, indicator=indicators[code], value=value)
        Suggestion.objects.create(
            model=machine,
            answer=answer,
            confidence=0.8,
            evidence=[{"article": "60", "number": "Art. 60", "score": 0.9}],
        )


def api_save(client, coding, answers):
    """PUT the answers through the API with the coding's current revision; the new revision."""
    coding.refresh_from_db()
    response = client.put(
        f"/api/codings/{coding.pk}/", {"revision": coding.revision, "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["revision"]


@pytest.fixture
def assigned(machine, treaty, users):
    """The treaty pre-coded (wto 1, harmon 3) and assigned to coder_a and coder_b."""
    suggest(machine, treaty, {"wto": 1, "harmon": 3})
    assignment_create(agreements=[treaty], version=machine.version, coders=[users["coder"], users["coder_b"]])
    return {code: Coding.objects.get(agreement=treaty, coder=users[code]) for code in ("coder", "coder_b")}


def test_the_zeros_then_nulls_attack_through_the_api_is_recorded_and_the_suggestions_stay(
    assigned, users, treaty, client_for
):
    coding = assigned["coder"]
    client = client_for(users["coder"])
    url = reverse("coding:coding_suggestions", args=[coding.pk])
    assert client.get(url).json() == {"suggestions": {}}  # nothing answered: nothing shown, nothing recorded
    assert not Answer.history.filter(history_change_reason=SUGGESTION_SHOWN).exists()

    # when: all answers set to 0, every suggestion read, the answers set back to null
    api_save(client, coding, {"wto": {"value": 0}, "harmon": {"value": 0}})
    seen = client.get(url).json()["suggestions"]
    assert {code: row["value"] for code, row in seen.items()} == {"wto": 1, "harmon": 3}
    api_save(client, coding, {"wto": {"value": None}, "harmon": {"value": None}})

    # then: still shown, and the reveal is on record with her name and her answer at that moment
    assert {code: row["value"] for code, row in client.get(url).json()["suggestions"].items()} == {
        "wto": 1,
        "harmon": 3,
    }
    answers = {a.indicator.code: a for a in coding.answers.select_related("indicator")}
    assert all(a.value is None and a.first_value == 0 and a.suggestion_shown_at for a in answers.values())
    assert all(a.first_answer == 0 and a.changed_after_suggestion for a in answers.values())
    records = Answer.history.filter(history_change_reason=SUGGESTION_SHOWN)
    assert sorted(r.indicator.code for r in records) == ["harmon", "wto"]  # once each, however often she looks
    assert {(r.history_user_id, r.first_value, r.value) for r in records} == {(users["coder"].pk, 0, 0)}
    history = (
        client_for(users["supervisor"]).get(reverse("coding:agreement_history", args=[treaty.pk])).content.decode()
    )
    assert history.count("machine suggestion shown: yes") == 2 and "answer before the suggestion: 0" in history


def test_the_first_answer_is_the_one_before_the_reveal_and_an_unrevealed_answer_is_its_own(assigned, users, treaty):
    coding, coder = assigned["coder"], users["coder"]
    coding_save(coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 0}})
    assert list(suggestions_show(coding=coding, user=coder)) == ["wto"]
    coding_save(
        coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 1}, "harmon": {"value": 2}}
    )
    coding_save(
        coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 1}, "harmon": {"value": 1}}
    )
    wto, harmon = coding.answers.get(indicator__code="wto"), coding.answers.get(indicator__code="harmon")
    assert (wto.value, wto.first_answer, wto.changed_after_suggestion) == (1, 0, True)
    assert (harmon.value, harmon.first_answer, harmon.suggestion_shown_at) == (
        1,
        1,
        None,
    )  # never shown: first == final
    # a supervisor looking at her coding's suggestions is no reveal to her
    suggestions_show(coding=coding, user=users["supervisor"])
    assert coding.answers.get(indicator__code="harmon").suggestion_shown_at is None


def test_suggestions_shown_before_answering_leave_an_empty_first_answer(assigned, users, treaty):
    SuggestionDisplay.objects.create(agreement=treaty, first=True)
    coding, coder = assigned["coder"], users["coder"]
    assert set(suggestions_show(coding=coding, user=coder)) == {"wto", "harmon"}
    shown = Answer.history.filter(history_change_reason=SUGGESTION_SHOWN, history_user=coder, history_type="+")
    assert sorted(shown.values_list("indicator__code", flat=True)) == ["harmon", "wto"]  # empty answers carry the mark
    coding_save(coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 1}})
    SuggestionDisplay.objects.filter(agreement=treaty).update(first=False)  # the treaty goes back to "after answering"
    assert set(suggestions_show(coding=coding, user=coder)) == {"wto", "harmon"}  # once shown, always shown
    wto = coding.answers.get(indicator__code="wto")
    assert wto.value == 1 and wto.first_answer is None and wto.changed_after_suggestion


@pytest.fixture
def four_treaties(machine, users):
    """coder_a and coder_b code wto on four treaties. coder_a (never shown a suggestion): 1 1 0 0.
    coder_b answers 1 1 1 0, is shown the suggestions of treaties 0 and 2, changes treaty 2 to 0.
    Both submit (harmon 0 everywhere, never shown)."""
    treaties = [AgreementFactory(name=f"Treaty {n}") for n in range(4)]
    for n in (0, 2):
        suggest(machine, treaties[n], {"wto": 0})
    assignment_create(agreements=treaties, version=machine.version, coders=[users["coder"], users["coder_b"]])
    for who, first in (("coder", [1, 1, 0, 0]), ("coder_b", [1, 1, 1, 0])):
        user = users[who]
        for n, treaty in enumerate(treaties):
            coding = Coding.objects.get(agreement=treaty, coder=user)
            if who == "coder_b" and n in (0, 2):
                coding_save(coding=coding, user=user, revision=coding.revision, answers={"wto": {"value": first[n]}})
                assert list(suggestions_show(coding=coding, user=user)) == ["wto"]
            final = 0 if (who, n) == ("coder_b", 2) else first[n]
            coding_save(
                coding=coding,
                user=user,
                revision=coding.revision,
                answers={"wto": {"value": final}, "harmon": {"value": 0}},
            )
            coding_submit(coding=coding, user=user, revision=coding.revision)
    return treaties


def test_agreement_counts_first_answers_by_default_and_final_answers_on_request(four_treaties, mini_version):
    coders = ["coder_a", "coder_b"]
    first = reliability_by_indicator(version=mini_version, coders=coders)["wto"]
    assert reliability_by_indicator(version=mini_version, coders=coders, answers=FIRST_ANSWERS)["wto"] == first
    # by hand: a = 1 1 0 0, b = 1 1 1 0. Observed agreement 3/4; chance: P(1) = 1/2 for a, 3/4 for
    # b, so pe = 1/2 * 3/4 + 1/2 * 1/4 = 1/2 and Cohen's kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2.
    assert first["n_units"] == 4
    assert first["percent_agreement"] == pytest.approx(0.75) and first["cohen_kappa"] == pytest.approx(0.5)
    # final answers: b = 1 1 0 0, identical to a: agreement 1, kappa 1
    final = reliability_by_indicator(version=mini_version, coders=coders, answers=FINAL_ANSWERS)["wto"]
    assert final["percent_agreement"] == pytest.approx(1.0) and final["cohen_kappa"] == pytest.approx(1.0)


def test_the_dashboard_and_adjudication_page_count_the_changes_and_switch_answers(four_treaties, users, client_for):
    client = client_for(users["supervisor"])
    page = client.get(reverse("coding:supervisor_dashboard"))
    text = page.content.decode()
    assert "1 answer changed after the coder was shown the machine's suggestion (2 shown in all)." in text
    assert page.context["agreement"]["wto"]["cohen_kappa"] == pytest.approx(0.5)
    assert "Counted: first answers" in text and "answers=final" in text and "Count final answers" in text
    version = page.context["version"]
    page = client.get(reverse("coding:supervisor_dashboard"), {"version": version.pk, "answers": "final"})
    assert page.context["agreement"]["wto"]["cohen_kappa"] == pytest.approx(1.0)
    assert (
        "Counted: final answers, as saved." in page.content.decode() and "Count first answers" in page.content.decode()
    )

    url = reverse("coding:adjudication_detail", args=[four_treaties[2].adjudications.get().pk])
    text = client.get(url).content.decode()
    assert "1 answer changed after the coder was shown" in text
    assert "Coders gave the same first answer (before any suggestion) on 1 of 2 indicators." in text
    assert "first answer 1, before the machine suggestion" in text
    text = client.get(url, {"answers": "final", "names": "1"}).content.decode()
    assert "Coders gave the same final answer on 2 of 2 indicators." in text and 'href="?names=1"' in text
    other = client.get(
        reverse("coding:adjudication_detail", args=[four_treaties[1].adjudications.get().pk])
    ).content.decode()
    assert "0 answers changed after the coder was shown" in other
    assert "first answer" not in other.split('id="adjudication"')[1]


def test_a_coder_learns_nothing_of_another_coders_reveals_or_answers(assigned, users, treaty, client_for):
    mine, theirs = assigned["coder"], assigned["coder_b"]
    coding_save(coding=theirs, user=users["coder_b"], revision=theirs.revision, answers={"wto": {"value": 0}})
    suggestions_show(coding=theirs, user=users["coder_b"])
    client = client_for(users["coder"])
    # her colleague's suggestions endpoint is closed, and asking records nothing on it
    assert client.get(reverse("coding:coding_suggestions", args=[theirs.pk])).status_code in {403, 404}
    assert Answer.history.filter(history_change_reason=SUGGESTION_SHOWN).count() == 1
    # her own coding: nothing answered, so nothing shown, whatever her colleague saw
    assert client.get(reverse("coding:coding_suggestions", args=[mine.pk])).json() == {"suggestions": {}}
    # the pages that count reveals and changes are the supervisors'
    assert client.get(reverse("coding:agreement_history", args=[treaty.pk])).status_code == 403
    assert client.get(reverse("coding:supervisor_dashboard")).status_code == 403
    payload = client.get(f"/api/codings/{mine.pk}/").json()
    assert "first_value" not in str(payload) and client.get(f"/api/codings/{theirs.pk}/").status_code == 404


def test_a_carried_over_answer_keeps_its_first_answer(assigned, users, treaty, tmp_path):
    from coding.services.codebooks import codebook_import
    from coding.services.recheck import codings_carry_over
    from tests.coding.test_recheck import TRANSLATED

    coding, coder = assigned["coder"], users["coder"]
    coding_save(coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 0}})
    suggestions_show(coding=coding, user=coder)
    coding_save(coding=coding, user=coder, revision=coding.revision, answers={"wto": {"value": 1}})
    path = tmp_path / "mini_1_1.yaml"
    path.write_text(TRANSLATED, encoding="utf-8")
    version = codebook_import(path=path).version
    carried = next(c for c in codings_carry_over(version=version, user=users["supervisor"]) if c.coder == coder)
    wto = carried.answers.get(indicator__code="wto")
    assert (wto.value, wto.first_answer, wto.changed_after_suggestion) == (1, 0, True)
