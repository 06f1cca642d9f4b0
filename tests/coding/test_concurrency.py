"""Two writers save the same coding at the same moment: one wins, the other is told, nothing is
lost. Runs on PostgreSQL in `make test` (row locks) and on SQLite (IMMEDIATE transactions)."""

import threading

import pytest
from django.db import connection, connections

from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save
from coding.services.revisions import CodingConflict


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_one_wins_one_conflicts(users, mini_version, treaty):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding_id = Coding.objects.get(coder=coder).pk
    barrier = threading.Barrier(2)
    outcomes = {}

    def writer(name, value):
        try:
            coding = Coding.objects.select_related("version", "agreement").get(pk=coding_id)  # both load revision 0
            barrier.wait(timeout=10)
            coding_save(
                coding=coding, user=coder, revision=0, answers={"wto": {"value": value, "note": f"from {name}"}}
            )
            outcomes[name] = "saved"
        except CodingConflict as exc:
            outcomes[name] = f"conflict: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=("tab-1", 1)), threading.Thread(target=writer, args=("tab-2", 0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["conflict", "saved"], outcomes
    loser = next(name for name, outcome in outcomes.items() if outcome.startswith("conflict"))
    assert "changed elsewhere" in outcomes[loser]
    winner = "tab-1" if loser == "tab-2" else "tab-2"
    coding = Coding.objects.get(pk=coding_id)
    answer = coding.answers.get(indicator__code="wto")
    assert coding.revision == 1
    assert answer.note == f"from {winner}" and answer.value == (1 if winner == "tab-1" else 0)
    assert connection.vendor in {"postgresql", "sqlite"}


@pytest.mark.django_db
def test_api_returns_409_with_the_current_revision(client, users, mini_version, treaty):
    coder = users["coder"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder, users["coder_b"]])
    coding = Coding.objects.get(coder=coder)
    client.force_login(coder)
    body = {"revision": 0, "answers": {"wto": {"value": 1, "evidence": [{"article": "60"}]}}}
    first = client.put(f"/api/codings/{coding.pk}/", body, content_type="application/json")
    assert first.status_code == 200 and first.json()["revision"] == 1
    stale = client.put(
        f"/api/codings/{coding.pk}/", {"revision": 0, "answers": {"wto": {"value": 0}}}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 1 and "changed elsewhere" in stale.json()["detail"]
    assert coding.answers.get().value == 1
    bad = client.put(
        f"/api/codings/{coding.pk}/", {"revision": 1, "answers": {"wto": {"value": 7}}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "not an allowed value" in bad.json()["detail"]
