"""What one autosave of the workspace costs: a fixed number of queries whatever the number of
answers and evidence rows, history only for what changed (the audit keeps every change; an
unchanged answer adds nothing), and the revision still moving on with every real change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import Answer, Coding, Evidence
from coding.services import codebook_import
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save

SEVEN = "\n".join(
    ["codebook: seven", 'version: "1"', "title: {en: Seven indicators, zh: 七个指标}", "indicators:"]
    + [
        f'  - code: i{n}\n    question: {{en: "Question {n}?", zh: "问题{n}"}}\n    values: {{0: "no", 1: "yes"}}'
        for n in range(1, 8)
    ]
)
CODES = [f"i{n}" for n in range(1, 8)]
TEXT = "The Parties shall work towards harmonisation of standards in electrical goods."  # article 61


def passage(start):
    return {"article": "61", "start": start, "end": start + 5, "quote": TEXT[start : start + 5]}


def answers(value=0, *, evidence=(), changed=CODES):
    """Every indicator, as the workspace sends them; those in `changed` get `value`, the others 0."""
    return {
        code: {
            "value": value if code in changed else 0,
            "note": "",
            "not_found": False,
            "searched_chapters": [],
            "evidence": list(evidence),
        }
        for code in CODES
    }


@pytest.fixture
def coding(db, tmp_path, users, treaty):
    path = tmp_path / "seven.yaml"
    path.write_text(SEVEN, encoding="utf-8")
    version = codebook_import(path=path).version
    assignment_create(agreements=[treaty], version=version, coders=[users["coder"], users["coder_b"]])
    return Coding.objects.get(coder=users["coder"])


def save(coding, user, body):
    """coding_save as the API calls it (the coding read with its text and codebook); its queries."""
    loaded = Coding.objects.select_related("agreement", "version__codebook", "coder", "text_version").get(pk=coding.pk)
    with CaptureQueriesContext(connection) as queries:
        coding_save(coding=loaded, user=user, revision=loaded.revision, answers=body)
    return len(queries)


def history_rows():
    return {model.__name__: model.history.count() for model in (Coding, Answer, Evidence)}


@pytest.mark.django_db
def test_a_save_costs_the_same_queries_for_one_answer_changed_as_for_seven(coding, users):
    coder = users["coder"]
    # Given a coding with all seven answers and one citation each
    save(coding, coder, answers(0, evidence=[passage(0)]))
    # When one, three or all seven answers change (values), or none
    one = save(coding, coder, answers(1, evidence=[passage(0)], changed=CODES[:1]))
    save(coding, coder, answers(0, evidence=[passage(0)]))
    three = save(coding, coder, answers(1, evidence=[passage(0)], changed=CODES[:3]))
    save(coding, coder, answers(0, evidence=[passage(0)]))
    seven = save(coding, coder, answers(1, evidence=[passage(0)]))
    unchanged = save(coding, coder, answers(1, evidence=[passage(0)]))
    # Then the count does not move with them. The known answer, unchanged: the savepoint and its
    # release (the test runs in a transaction), indicators, the cited articles, the locked row
    # (and whether it was carried over), answers, evidence; a change adds the revision and its
    # history record, one UPDATE of the answers and one INSERT of their history.
    assert unchanged == 7
    assert one == three == seven == unchanged + 4


@pytest.mark.django_db
def test_the_count_does_not_grow_with_evidence_rows(coding, users):
    coder = users["coder"]
    save(coding, coder, answers(0, evidence=[passage(0)]))
    # Unchanged with one citation per answer (7 rows) and with six (42 rows)
    small = save(coding, coder, answers(0, evidence=[passage(0)]))
    save(coding, coder, answers(0, evidence=[passage(n) for n in range(6)]))
    large = save(coding, coder, answers(0, evidence=[passage(n) for n in range(6)]))
    assert small == large == 7
    # Citing one more passage in one answer, and one more in every answer: the same queries
    body = answers(0, evidence=[passage(n) for n in range(6)])
    body["i1"]["evidence"].append(passage(10))
    add_one = save(coding, coder, body)
    add_seven = save(coding, coder, answers(0, evidence=[passage(n) for n in range(6)] + [passage(10), passage(11)]))
    # Removing one citation, and removing three from every answer
    body = answers(0, evidence=[passage(n) for n in range(6)] + [passage(10), passage(11)])
    del body["i1"]["evidence"][0]
    remove_one = save(coding, coder, body)
    remove_many = save(
        coding, coder, answers(0, evidence=[passage(n) for n in range(3, 6)] + [passage(10), passage(11)])
    )
    # revision + its history, evidence INSERT + its history; a removal: history + DELETE
    assert add_one == add_seven == small + 4
    assert remove_one == remove_many == small + 4


@pytest.mark.django_db
def test_an_unchanged_save_writes_nothing_and_keeps_the_revision(coding, users):
    coder = users["coder"]
    save(coding, coder, answers(1, evidence=[passage(0), passage(6)]))
    coding.refresh_from_db()
    before, revision = history_rows(), coding.revision
    # When the workspace sends the same answers again
    save(coding, coder, answers(1, evidence=[passage(0), passage(6)]))
    # Then no history row and no new revision: nothing changed
    coding.refresh_from_db()
    assert history_rows() == before and coding.revision == revision


@pytest.mark.django_db
def test_a_changed_answer_writes_exactly_one_answer_history_row(coding, users):
    coder = users["coder"]
    save(coding, coder, answers(0, evidence=[passage(0), passage(6), passage(12)]))
    before = history_rows()
    evidence_ids = list(Evidence.objects.filter(answer__indicator__code="i2").values_list("pk", flat=True))
    # When one value changes
    save(coding, coder, answers(1, evidence=[passage(0), passage(6), passage(12)], changed=["i3"]))
    # Then one answer record (i3's), one coding record (the revision; it starts the entry in the
    # readable history) and no evidence record; the evidence rows are the same rows
    after = history_rows()
    assert after == {**before, "Coding": before["Coding"] + 1, "Answer": before["Answer"] + 1}
    record = Answer.history.latest("history_date")
    assert (record.indicator.code, record.value, record.history_type, record.history_user) == ("i3", 1, "~", coder)
    assert list(Evidence.objects.filter(answer__indicator__code="i2").values_list("pk", flat=True)) == evidence_ids


@pytest.mark.django_db
def test_citing_and_removing_a_passage_writes_one_evidence_row_each(coding, users):
    coder = users["coder"]
    save(coding, coder, answers(0, evidence=[passage(0), passage(6), passage(12)]))
    kept = list(Evidence.objects.filter(answer__indicator__code="i1").order_by("pk").values_list("pk", flat=True))
    before = Evidence.history.count()
    # Citing a fourth passage in i1 adds one row; the three others stay as they are
    body = answers(0, evidence=[passage(0), passage(6), passage(12)])
    body["i1"]["evidence"].append(passage(20))
    save(coding, coder, body)
    assert Evidence.history.count() == before + 1
    rows = list(Evidence.objects.filter(answer__indicator__code="i1").order_by("pk"))
    assert [r.pk for r in rows[:3]] == kept and (rows[3].start, rows[3].quote) == (20, TEXT[20:25])
    # Removing the middle one deletes that row only, with its "-" record naming the coder
    body["i1"]["evidence"].pop(1)
    save(coding, coder, body)
    assert Evidence.history.count() == before + 2
    gone = Evidence.history.latest("history_date")
    assert (gone.id, gone.history_type, gone.start, gone.history_user) == (kept[1], "-", 6, coder)
    assert [e.start for e in Evidence.objects.filter(answer__indicator__code="i1").order_by("pk")] == [0, 12, 20]


@pytest.mark.django_db
def test_the_api_save_is_bounded_too(client, coding, users):
    """The whole request (session, user, role, the coding, the save, the answer it returns)."""
    client.force_login(users["coder"])
    url = f"/api/codings/{coding.pk}/"
    first = client.put(
        url, {"revision": 0, "answers": answers(0, evidence=[passage(0)])}, content_type="application/json"
    )
    assert first.status_code == 200
    counts = []
    for revision, changed in ((1, CODES[:1]), (2, CODES)):
        with CaptureQueriesContext(connection) as queries:
            response = client.put(
                url,
                {
                    "revision": revision,
                    "answers": answers(1 if revision == 1 else 0, changed=changed, evidence=[passage(0)]),
                },
                content_type="application/json",
            )
        assert response.status_code == 200 and response.json()["revision"] == revision + 1
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 16
    stale = client.put(url, {"revision": 1, "answers": answers(0)}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_revision"] == 3
