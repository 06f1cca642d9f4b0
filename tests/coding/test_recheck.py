"""Re-check on codebook change: a new codebook version lists per indicator what changed (question,
values, guidance); codings under the old version go to a re-check queue; carried over, unchanged
indicators keep their answers and evidence, changed and new ones are empty and flagged."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.models import Adjudication, Coding, FinalValue
from coding.pure.codebook_changes import indicator_changes
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.conftest import MINI_CODEBOOK

# harmon gets guidance (changed: re-check), coop is new (re-check), wto is as it was (carries over)
CHANGED = MINI_CODEBOOK.replace('version: "1"', 'version: "2"').replace(
    "    hints: [harmoni]\n",
    '    hints: [harmoni]\n    guidance: {en: "Count only harmonisation the Parties commit to."}\n'
    '  - code: coop\n    question: {en: "Cooperation on TBT?", zh: "是否开展技术性贸易壁垒合作"}\n    values: {0: "no", 1: "yes"}\n',
)
# only the title and a translation added where there was none: every indicator carries over
TRANSLATED = MINI_CODEBOOK.replace('version: "1"', 'version: "1.1"').replace(
    '{0: "no", 1: "objective", 2: "selective", 3: "comprehensive"}',
    '{0: {en: "no", zh: "否"}, 1: {en: "objective", zh: "客观"}, 2: {en: "selective", zh: "选择性"}, '
    '3: {en: "comprehensive", zh: "全面"}}',
)


def indicator(code, **fields):
    base = {
        "code": code,
        "question_en": "Q?",
        "question_zh": "",
        "guidance_en": "",
        "guidance_zh": "",
        "level": "nominal",
        "allowed_values": [
            {"value": 0, "label_en": "no", "label_zh": ""},
            {"value": 1, "label_en": "yes", "label_zh": ""},
        ],
    }
    return base | fields


def test_indicator_changes_per_part():
    old = [indicator("a"), indicator("b"), indicator("c"), indicator("d"), indicator("gone")]
    new = [
        indicator("a"),
        indicator("b", question_en="Q changed?"),
        indicator("c", guidance_zh="新的指导"),
        indicator("d", allowed_values=[{"value": 0, "label_en": "no", "label_zh": ""}]),
        indicator("new"),
    ]
    changes = {c.code: c for c in indicator_changes(old, new)}
    assert {code: c.status for code, c in changes.items()} == {
        "a": "unchanged",
        "b": "changed",
        "c": "unchanged",
        "d": "changed",
        "new": "added",
        "gone": "removed",
    }
    assert changes["b"].parts == ["question"] and changes["d"].parts == ["values"]
    # a Chinese text added where there was none: listed, but nobody coded under another wording
    [added] = changes["c"].changes
    assert (added.part, added.name, added.substantive) == ("guidance", "guidance_zh", False)
    assert {c.code for c in changes.values() if c.recheck} == {"b", "d", "new"}


@pytest.fixture
def approved_round(users, mini_version, treaty):
    """v1 coded by two coders (wto cited), harmon decided by the supervisor, approved."""
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for name, harmon in (("coder", 2), ("coder_b", 1)):
        coding = Coding.objects.get(coder=users[name])
        coding_save(
            coding=coding,
            user=users[name],
            revision=0,
            answers={
                "wto": {
                    "value": 1,
                    "note": f"wto {name}",
                    "evidence": [{"article": "60", "start": 12, "end": 18, "quote": "affirm"}],
                },
                "harmon": {"value": harmon},
            },
        )
        coding_submit(coding=coding, user=users[name], revision=1)
    adjudication = Adjudication.objects.get()
    adjudication_resolve(
        adjudication=adjudication,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="One sector only.",
        disagreement_type="misread",
        user=users["supervisor"],
    )
    adjudication_approve(adjudication=adjudication, user=users["supervisor"])
    return adjudication


def import_version(tmp_path, text, capsys):
    path = tmp_path / "mini_next.yaml"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    call_command("import_codebook", str(path))
    return capsys.readouterr().out


@pytest.mark.django_db
def test_changed_indicators_are_rechecked_unchanged_ones_carry_over(
    tmp_path, capsys, client_for, users, approved_round, treaty
):
    out = import_version(tmp_path, CHANGED, capsys)
    assert "imported as mini version 2" in out and "changes from version 1:" in out
    assert "harmon: changed (guidance_en) -> re-check" in out and "coop: added -> re-check" in out
    assert "unchanged, carried over without re-coding: wto" in out
    assert "2 codings under older versions can be carried over; 2 of them answer changed indicators" in out

    boss = client_for(users["supervisor"])
    page = boss.get(reverse("coding:codebook_version", args=["mini", 2])).content.decode()
    assert (
        'id="codebook-changes"' in page
        and "Count only harmonisation" in page
        and "carried over without re-coding" in page
    )
    queue = boss.get(reverse("coding:recheck"))
    [item] = queue.context["queue"]
    assert (
        item["n_candidates"] == 2
        and [codes for _c, codes in item["candidates"][0]["codings"]] == [["harmon", "coop"]] * 2
    )

    response = boss.post(
        reverse("coding:recheck"), {"version": item["version"].pk, "agreement": treaty.pk}, follow=True
    )
    assert "2 codings carried over to mini:2." in response.content.decode()
    new = Coding.objects.get(coder=users["coder"], version__number=2)
    answers = {a.indicator.code: a for a in new.answers.all()}
    assert (answers["wto"].value, answers["wto"].note, answers["wto"].recheck) == (1, "wto coder", False)
    assert list(answers["wto"].evidence.values_list("article_identifier", "start", "end", "quote")) == [
        ("60", 12, 18, "affirm")
    ]
    assert (answers["harmon"].value, answers["harmon"].recheck, answers["coop"].recheck) == (None, True, True)
    assert new.state == "draft" and new.carried_from.version.number == 1 and new.text_version_id
    # the old coding and its approved adjudication stay as they were
    assert Coding.objects.get(coder=users["coder"], version__number=1).state == "submitted"
    assert Adjudication.objects.get(version__number=1).state == "approved"
    assert boss.get(reverse("coding:recheck")).context["queue"][0]["n_candidates"] == 0

    # the coder sees what to re-check in her queue and her earlier answer in the workspace
    coder = client_for(users["coder"])
    mine = coder.get(reverse("coding:my_queue"))
    assert [(c.pk, codes) for c, codes in mine.context["recheck"]] == [(new.pk, ["harmon", "coop"])]
    assert 'id="recheck-list"' in mine.content.decode()
    workspace = coder.get(reverse("coding:workspace", args=[new.pk])).content.decode()
    assert 'data-role="recheck"' in workspace and "Your answer under the earlier version: 2" in workspace

    # answering clears the flag; once both submit, the adjudication under v2 opens by itself
    for name, wto in (("coder", 1), ("coder_b", 0)):  # B also changes her mind on wto
        coding = Coding.objects.get(coder=users[name], version__number=2)
        coding_save(
            coding=coding,
            user=users[name],
            revision=0,
            answers={"wto": {"value": wto}, "harmon": {"value": 2}, "coop": {"value": 1}},
        )
        coding.refresh_from_db()
        assert not coding.answers.filter(recheck=True).exists()
        coding_submit(coding=coding, user=users[name], revision=coding.revision)
    finals = {f.indicator.code: f.value for f in FinalValue.objects.filter(adjudication__version__number=2)}
    assert finals == {"harmon": 2, "coop": 1}  # wto's old decision rested on answers that changed: decided afresh


@pytest.mark.django_db
def test_nothing_changed_carries_over_submitted_with_the_final_values(tmp_path, capsys, users, approved_round):
    from coding.services.recheck import codings_carry_over

    out = import_version(tmp_path, TRANSLATED, capsys)
    assert "harmon: unchanged (label_zh of 1 (translation added)" in out and "0 of them answer changed" in out
    version = approved_round.version.codebook.latest_version
    created = codings_carry_over(version=version, user=users["supervisor"])
    assert len(created) == 2 and {c.state for c in created} == {"submitted"}
    new = Adjudication.objects.get(version=version)
    finals = {f.indicator.code: (f.value, f.rationale) for f in new.final_values.all()}
    assert finals == {"wto": (1, ""), "harmon": (2, "One sector only.")}  # the supervisor's decision carries over
    assert new.state == "open"  # approving stays the supervisor's
    # carrying over again finds nothing left
    assert codings_carry_over(version=version, user=users["supervisor"]) == []


@pytest.mark.django_db
def test_a_draft_carried_over_is_continued_in_its_successor(tmp_path, capsys, users, mini_version, treaty):
    from django.core.exceptions import ValidationError

    from coding.selectors.codings import coder_queue
    from coding.services.recheck import codings_carry_over

    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    draft = Coding.objects.get(coder=users["coder"])
    coding_save(coding=draft, user=users["coder"], revision=0, answers={"wto": {"value": 1}})
    import_version(tmp_path, CHANGED, capsys)
    [new, _other] = sorted(
        codings_carry_over(version=mini_version.codebook.latest_version, user=users["supervisor"]),
        key=lambda c: c.coder.username,
    )
    assert new.coder == users["coder"] and new.answers.get(indicator__code="wto").value == 1
    with pytest.raises(ValidationError, match="carried over to a newer codebook version"):
        coding_save(coding=draft, user=users["coder"], revision=1, answers={"wto": {"value": 0}})
    assert [c.pk for c in coder_queue(users["coder"])] == [new.pk]
