"""What supervisors read: the adjudication page names chapters and articles as the treaty does and
shows each coder's cited passages in the text side by side; the history is one entry per save,
with names instead of ids and the workbench's own changes attributed to it."""

import pytest
from django.urls import reverse

from coding.models import Adjudication, Article, Coding
from coding.pure.highlights import passage_segments, utf16_to_index
from coding.services.adjudication import adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit

HARMON_PASSAGE = {"article": "61", "start": 31, "end": 44, "quote": "harmonisation"}


def test_utf16_offsets_become_python_indexes():
    text = "a😀b"  # the emoji is two UTF-16 units, one Python character
    assert [utf16_to_index(text, n) for n in (0, 1, 3, 4, 99)] == [0, 1, 2, 3, 3]


def test_passages_cut_the_text_where_citations_start_and_end():
    text = "The Parties shall harmonise standards."
    segments = passage_segments(text, [(4, 11, "A"), (18, 37, "A"), (18, 27, "B"), (5, 5, "B"), (None, None, "B")])
    assert "".join(piece for piece, _keys in segments) == text
    assert [(piece, keys) for piece, keys in segments if keys] == [
        ("Parties", ["A"]),
        ("harmonise", ["A", "B"]),
        (" standards", ["A"]),
    ]


@pytest.fixture
def adjudicated(users, mini_version, treaty):
    """Two coders disagree on harmon: A cites a passage of art. 61, B says "searched, not found" in
    both chapters; they agree on wto (the workbench accepts it); the supervisor decides harmon."""
    Article.objects.filter(identifier="61").update(number="6.2", heading="Harmonisation")
    assignment_create(
        agreements=[treaty],
        version=mini_version,
        coders=[users["coder"], users["coder_b"]],
        assigned_by=users["supervisor"],
    )
    a, b = (Coding.objects.get(coder=users[name]) for name in ("coder", "coder_b"))
    coding_save(
        coding=a,
        user=users["coder"],
        revision=0,
        answers={
            "wto": {"value": 1, "evidence": [{"article": "60"}]},
            "harmon": {"value": 2, "evidence": [HARMON_PASSAGE]},
        },
    )
    coding_save(
        coding=b,
        user=users["coder_b"],
        revision=0,
        answers={
            "wto": {"value": 1, "evidence": [{"article": "60", "start": 12, "end": 18, "quote": "affirm"}]},
            "harmon": {"value": 0, "not_found": True, "searched_chapters": ["1", "6"]},
        },
    )
    coding_submit(coding=a, user=users["coder"], revision=1)
    coding_submit(coding=b, user=users["coder_b"], revision=1)
    return Adjudication.objects.get()


@pytest.mark.django_db
def test_adjudication_page_names_chapters_and_articles(client_for, users, adjudicated):
    html = (
        client_for(users["supervisor"])
        .get(reverse("coding:adjudication_detail", args=[adjudicated.pk]))
        .content.decode()
    )
    assert "Searched, not found: Preamble, Technical Barriers to Trade" in html
    assert "Searched, not found: 1, 6" not in html
    assert "Art. 6.2 Harmonisation" in html and "art-61</a>" not in html
    assert 'href="/coding/agreements/' in html and '#art-61"' in html  # the identifier stays the anchor


@pytest.mark.django_db
def test_adjudication_page_shows_each_coders_passages_in_the_text(client_for, users, adjudicated):
    client = client_for(users["supervisor"])
    url = reverse("coding:adjudication_detail", args=[adjudicated.pk])
    response = client.get(url)
    passages = {p["identifier"]: p for p in response.context["passages"]}
    assert set(passages) == {"60", "61"}
    marked = [(s["text"], s["codes"]) for s in passages["61"]["segments"] if s["style"]]
    assert marked == [("harmonisation", "harmon")]
    assert [w["coder"]["name"] for w in passages["60"]["whole"]] == ["Coder 1"]  # A cited the whole article
    [affirm] = [s for s in passages["60"]["segments"] if s["style"]]
    assert affirm["text"] == "affirm" and affirm["title"] == "Coder 2: wto"
    html = response.content.decode()
    assert 'id="passage-legend"' in html and "Coder 1" in html and "coder_a" not in html.split('id="passages"')[1]
    named = client.get(url, {"names": "1"}).content.decode().split('id="passages"')[1]
    assert "coder_a" in named and "coder_b" in named


@pytest.mark.django_db
def test_history_is_one_entry_per_save_with_names_and_the_workbench(client_for, users, adjudicated, mini_version):
    boss = users["supervisor"]
    adjudication_resolve(
        adjudication=adjudicated,
        indicator=mini_version.indicators.get(code="harmon"),
        value=2,
        rationale="Art. 6.2 names one sector.",
        disagreement_type="misread",
        user=boss,
    )
    adjudication_approve(adjudication=adjudicated, user=boss)
    response = client_for(boss).get(reverse("coding:agreement_history", args=[adjudicated.agreement_id]))
    events = response.context["events"]

    # the values the coders agreed on are the workbench's, not the last coder's
    [opened] = [e for e in events if e["automatic"]]
    assert opened["who"] == "the workbench" and "disagreement type: coders agreed" in opened["changes"]
    # names, not ids
    [approval] = [e for e in events if "state: in adjudication → approved" in e["changes"]]
    assert approval["who"] == "supervisor" and "approved by: supervisor" in approval["changes"]
    assert not any("None" in change for e in events for change in e["changes"])
    # one entry per save: B's save is one entry with both indicators, its citation named as the treaty does
    coder_b_saves = [e for e in events if "coder_b" in e["subject"] and any(line["label"] for line in e["lines"])]
    assert len(coder_b_saves) == 1
    lines = {line["label"]: [part["text"] for part in line["parts"]] for line in coder_b_saves[0]["lines"]}
    assert lines["harmon"] == [
        "value: 0",
        "searched, not found: yes",
        "chapters searched: Preamble, Technical Barriers to Trade",
    ]
    assert lines["wto"] == ["value: 1", "cited Technical Barriers to Trade “affirm”"]
    decided = [
        e for e in events if any(line["label"] == "harmon" for line in e["lines"]) and e["what"] == "adjudication"
    ]
    assert decided[0]["who"] == "supervisor" and "rationale: Art. 6.2 names one sector." in decided[0]["changes"]
    html = response.content.decode()
    assert "the workbench" in html and "approved by: supervisor" in html
    # compact: a handful of entries, not one row per field
    assert len(events) <= 10


@pytest.mark.django_db
def test_history_shows_what_a_save_changed_and_nothing_else(users, treaty, mini_version):
    from coding.selectors.history import history_visible_to

    Article.objects.filter(identifier="61").update(number="6.2", heading="Harmonisation")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding, coder = Coding.objects.get(coder=users["coder"]), users["coder"]
    coding_save(coding=coding, user=coder, revision=0, answers={"harmon": {"value": 1, "evidence": [HARMON_PASSAGE]}})
    # the same evidence sent again with a new value: only the value changed
    coding_save(coding=coding, user=coder, revision=1, answers={"harmon": {"value": 2, "evidence": [HARMON_PASSAGE]}})
    coding_save(coding=coding, user=coder, revision=2, answers={"harmon": {"value": 2, "evidence": []}})
    saves = [
        e
        for e in history_visible_to(users["supervisor"], agreement=treaty)
        if e["what"] == "coding" and e["lines"] and e["lines"][0]["label"] == "harmon"
    ]
    assert [e["changes"] for e in saves] == [
        ["removed Art. 6.2 Harmonisation “harmonisation”"],
        ["value: 1 → 2"],
        ["value: 1", "cited Art. 6.2 Harmonisation “harmonisation”"],
    ]
    assert saves[-1]["lines"][0]["parts"][1]["link"].endswith("?version=1#art-61")
