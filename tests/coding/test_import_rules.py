"""Imports never overwrite people, and adjudication is optimistic too.

import_codings writes only reference sources: a row for a person who logs in is refused with its
line (nothing written) unless --as-drafts puts it into that person's assigned draft, never into
submitted work; the import never submits (the one submission rule, coding_missing_indicators,
is what coding_submit enforces); history names the importing --user, evidence included; approved
values change only with --user and say what changed. Two supervisors resolving on the same
revision: the second is refused with a message, the first value stands."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import Adjudication, Answer, Coding, Evidence, FinalValue
from coding.roles import REFERENCE
from coding.services.adjudication import AdjudicationConflict, adjudication_approve, adjudication_resolve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_missing_indicators, coding_save, coding_submit
from coding.services.revisions import CodingConflict
from tests.bad_inputs.coding_cases import HEADER
from tests.bad_inputs.harness import db_snapshot
from tests.factories import AgreementFactory, UserFactory


def run(path, rows, *args):
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    out = StringIO()
    call_command("import_codings", str(path), "--codebook", "mini", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def assigned(users, mini_version, treaty):
    """coder_a has submitted treaty (wto 1, harmon 2); coder_b's draft is empty."""
    treaty.desta_number = "7"
    treaty.save()
    coder_a, coder_b = users["coder"], users["coder_b"]
    assignment_create(agreements=[treaty], version=mini_version, coders=[coder_a, coder_b])
    a = Coding.objects.get(coder=coder_a)
    coding_save(coding=a, user=coder_a, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
    coding_submit(coding=a, user=coder_a, revision=1)
    return {"a": a, "b": Coding.objects.get(coder=coder_b), "treaty": treaty}


@pytest.mark.django_db
@pytest.mark.parametrize("args", [(), ("--reference",), ("--approved",), ("--as-drafts", "--user", "supervisor")])
def test_a_login_coders_submitted_work_is_never_rewritten(tmp_path, assigned, args):
    # Given coder_a's submitted coding, the reference source DESTA 2.1, and a file that would change both
    run(tmp_path / "rewrite.csv", ["desta:7,DESTA 2.1,wto,0,,"], "--reference")
    before = db_snapshot()

    # When it is imported, with any flags
    with pytest.raises(CommandError) as error:
        run(tmp_path / "rewrite.csv", ["desta:7,DESTA 2.1,wto,1,,", "desta:7,coder_a,harmon,0,,"], *args)

    # Then the line is named and nothing was written (not even DESTA 2.1's row on line 2)
    message = str(error.value)
    assert "rewrite.csv, line 3, field coder:" in message and "Nothing was imported" in message
    assert (
        "coder_a has submitted the coding" if "--as-drafts" in args else "'coder_a' is a coder who logs in"
    ) in message
    assert db_snapshot() == before
    assert not get_user_model().objects.get(username="coder_a").groups.filter(name=REFERENCE).exists()


@pytest.mark.django_db
def test_as_drafts_fills_an_assigned_draft_and_never_submits_it(tmp_path, assigned, users, mini_version):
    b = assigned["b"]
    # When coder_b's spreadsheet (one of two indicators) goes into her draft
    out = run(
        tmp_path / "b.csv", ["desta:7,coder_b,wto,1,60,from the spreadsheet"], "--as-drafts", "--user", "supervisor"
    )

    # Then the draft has the answer and its evidence, is still a draft, and its revision moved on
    b.refresh_from_db()
    assert (b.state, b.revision) == (Coding.State.DRAFT, 1)
    answer = Answer.objects.get(coding=b, indicator__code="wto")
    assert (answer.value, answer.note, [e.article_identifier for e in answer.evidence.all()]) == (
        1,
        "from the spreadsheet",
        ["60"],
    )
    assert "draft of coder_b · A - B: wto — → 1" in out and "missing harmon before it can be submitted" in out

    # and the workspace still open on revision 0 is told, not allowed to overwrite the import
    with pytest.raises(CodingConflict):
        coding_save(
            coding=Coding.objects.get(pk=b.pk), user=users["coder_b"], revision=0, answers={"wto": {"value": 0}}
        )

    # and an empty note or evidence column keeps what the coder wrote
    run(tmp_path / "b.csv", ["desta:7,coder_b,wto,0,,"], "--as-drafts", "--user", "supervisor")
    answer.refresh_from_db()
    assert (answer.value, answer.note, answer.evidence.count()) == (0, "from the spreadsheet", 1)

    # and all indicators imported: complete, but submitting stays coder_b's act
    out = run(tmp_path / "b.csv", ["desta:7,coder_b,harmon,3,,"], "--as-drafts", "--user", "supervisor")
    b.refresh_from_db()
    assert b.state == Coding.State.DRAFT and "complete, ready to submit" in out
    assert coding_missing_indicators(coding=b) == []


@pytest.mark.django_db
def test_as_drafts_needs_an_assignment_and_a_user(tmp_path, assigned):
    UserFactory(username="coder_c", role="coder")
    before = db_snapshot()
    with pytest.raises(CommandError, match=r"line 2, field coder: coder_c is not assigned A - B under mini:1"):
        run(tmp_path / "c.csv", ["desta:7,coder_c,wto,1,,"], "--as-drafts", "--user", "supervisor")
    with pytest.raises(
        CommandError, match=r"line 2, field coder: --as-drafts writes into coder_b's draft: name yourself"
    ):
        run(tmp_path / "c.csv", ["desta:7,coder_b,wto,1,,"], "--as-drafts")
    with pytest.raises(CommandError, match=r"--user 'coder_a': no active supervisor or admin"):
        run(tmp_path / "c.csv", ["desta:7,coder_b,wto,1,,"], "--as-drafts", "--user", "coder_a")
    assert db_snapshot() == before


@pytest.mark.django_db
def test_the_submission_rule_holds_on_every_path(tmp_path, assigned, users, mini_version):
    b = assigned["b"]
    coding_save(coding=b, user=users["coder_b"], revision=0, answers={"wto": {"value": 1}})

    # The page and the API: coding_submit refuses exactly what the shared rule lists
    assert coding_missing_indicators(coding=b) == ["harmon"]
    with pytest.raises(ValidationError, match="missing: harmon"):
        coding_submit(coding=b, user=users["coder_b"], revision=1)

    # An import never submits a person's draft (above) and submits a reference source's
    # assigned draft only when the rule holds
    source = UserFactory(username="DESTA 2.1", role=REFERENCE)
    assignment_create(agreements=[assigned["treaty"]], version=mini_version, coders=[source, users["coder"]])
    out = run(tmp_path / "ref.csv", ["desta:7,DESTA 2.1,wto,1,,"])
    draft = Coding.objects.get(coder=source)
    assert draft.state == Coding.State.DRAFT and "DESTA 2.1 · A - B: left a draft, missing harmon" in out
    run(tmp_path / "ref.csv", ["desta:7,DESTA 2.1,harmon,1,,"])
    draft.refresh_from_db()
    assert draft.state == Coding.State.SUBMITTED and draft.submitted_at is not None


@pytest.mark.django_db
def test_history_names_the_importing_user_evidence_included(tmp_path, mini_version, treaty, users):
    boss = users["supervisor"]
    # Given a reference coding with evidence, imported by the supervisor
    run(tmp_path / "ref.csv", [f"{treaty.pk},DESTA 2.1,wto,1,60,"], "--reference", "--user", "supervisor")
    evidence = Evidence.objects.get()
    assert [(h.history_type, h.history_user) for h in evidence.history.all()] == [("+", boss)]
    assert Answer.history.get().history_user == boss and Coding.history.get().history_user == boss

    # When the evidence changes
    run(tmp_path / "ref.csv", [f"{treaty.pk},DESTA 2.1,wto,1,61,"], "--user", "supervisor")

    # Then the removal and the new citation are in the history under the importing user
    rows = Evidence.history.order_by("history_date").values_list("article_identifier", "history_type", "history_user")
    assert list(rows) == [("60", "+", boss.pk), ("60", "-", boss.pk), ("61", "+", boss.pk)]
    coding = Coding.objects.get()
    assert coding.revision == 1 and coding.history.latest("history_date").history_user == boss


@pytest.mark.django_db
def test_approved_values_change_only_with_user_and_say_so(tmp_path, mini_version, treaty, users):
    rows = [f"{treaty.pk},archive,wto,1,,", f"{treaty.pk},archive,harmon,2,,"]
    out = run(tmp_path / "done.csv", rows, "--approved")
    assert f"approved {treaty}: 2 values (new)" in out
    adjudication = Adjudication.objects.get()
    revision = adjudication.revision

    # An approved agreement does not change silently
    before = db_snapshot()
    with pytest.raises(
        CommandError, match=r"line 2, field value: A - B is approved; changing its approved values needs --user"
    ):
        run(tmp_path / "done.csv", [rows[0], f"{treaty.pk},archive,harmon,3,,"], "--approved")
    assert db_snapshot() == before

    # With --user it changes, says what, moves the revision on and names the user in the history
    out = run(tmp_path / "done.csv", [rows[0], f"{treaty.pk},archive,harmon,3,,"], "--approved", "--user", "supervisor")
    assert f"approved {treaty}: harmon 2 → 3" in out
    adjudication.refresh_from_db()
    assert adjudication.revision == revision + 1 and adjudication.state == Adjudication.State.APPROVED
    final = FinalValue.objects.get(indicator__code="harmon")
    assert final.value == 3 and final.history.latest("history_date").history_user == users["supervisor"]
    assert adjudication.history.latest("history_date").history_user == users["supervisor"]


@pytest.mark.django_db
def test_approved_import_never_closes_an_adjudication_in_progress(tmp_path, assigned, users):
    coding_save(
        coding=assigned["b"], user=users["coder_b"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 1}}
    )
    coding_submit(coding=assigned["b"], user=users["coder_b"], revision=1)
    assert Adjudication.objects.get().state == Adjudication.State.OPEN
    before = db_snapshot()
    with pytest.raises(CommandError, match=r"line 2, field agreement: A - B is in adjudication"):
        run(tmp_path / "done.csv", ["desta:7,archive,harmon,3,,"], "--approved", "--user", "supervisor")
    assert db_snapshot() == before


@pytest.mark.django_db
def test_desta_import_never_adopts_a_login_coder(tmp_path, mini_version, treaty, users):
    treaty.desta_number = "7"
    treaty.save()
    path = tmp_path / "desta.csv"
    path.write_text("number,wto,harmon\n7,1,2\n", encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(CommandError, match=r"line 2, field coder: 'coder_a' is a coder who logs in"):
        call_command("import_desta_codings", str(path), "--codebook", "mini", "--name", "coder_a")
    assert db_snapshot() == before


# --- adjudication: optimistic concurrency ---------------------------------------------------------


@pytest.fixture
def disagreement(assigned, users):
    coding_save(
        coding=assigned["b"], user=users["coder_b"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 1}}
    )
    coding_submit(coding=assigned["b"], user=users["coder_b"], revision=1)
    return Adjudication.objects.get()


@pytest.mark.django_db
def test_a_stale_resolve_is_refused_and_the_first_value_stands(disagreement, users, mini_version):
    harmon = mini_version.indicators.get(code="harmon")
    other = UserFactory(username="supervisor2", role="supervisor")
    loaded = disagreement.revision
    # Two supervisors opened the page at the same revision; the first records 2
    first = Adjudication.objects.get(pk=disagreement.pk)
    adjudication_resolve(
        adjudication=first,
        indicator=harmon,
        value=2,
        rationale="Art. 61: selective",
        disagreement_type="misread",
        user=users["supervisor"],
        revision=loaded,
    )
    # The second, still on the old revision, is refused
    second = Adjudication.objects.get(pk=disagreement.pk)
    with pytest.raises(AdjudicationConflict, match="Another supervisor changed this adjudication"):
        adjudication_resolve(
            adjudication=second,
            indicator=harmon,
            value=1,
            rationale="objective",
            disagreement_type="ambiguity",
            user=other,
            revision=loaded,
        )
    final = FinalValue.objects.get(indicator=harmon)
    assert (final.value, final.decided_by) == (2, users["supervisor"])
    # and approving what one did not see is refused too
    with pytest.raises(AdjudicationConflict):
        adjudication_approve(adjudication=second, user=other, revision=loaded)
    adjudication_approve(adjudication=second, user=other, revision=loaded + 1)
    assert Adjudication.objects.get().state == Adjudication.State.APPROVED


@pytest.mark.django_db
def test_the_adjudication_page_sends_its_revision_and_shows_the_conflict(disagreement, client_for, users):
    client = client_for(users["supervisor"])
    url = reverse("coding:adjudication_detail", args=[disagreement.pk])
    page = client.get(url)
    assert f'name="revision" value="{disagreement.revision}"' in page.content.decode()
    form = {
        "action": "resolve",
        "indicator": "harmon",
        "value": "2",
        "rationale": "selective",
        "disagreement_type": "misread",
        "revision": str(disagreement.revision),
    }

    # The first supervisor's value is recorded
    response = client.post(url, form, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Final value of harmon recorded."]

    # A second tab (or supervisor) on the same revision is told, and the first value stands
    response = client_for(UserFactory(username="supervisor2", role="supervisor")).post(
        url, {**form, "value": "1", "rationale": "objective"}, follow=True
    )
    [message] = list(response.context["messages"])
    assert "Another supervisor changed this adjudication" in str(message) and "conflict" in message.tags
    assert FinalValue.objects.get(indicator__code="harmon").value == 2
    assert f'name="revision" value="{disagreement.revision + 1}"' in response.content.decode()

    # A form without a revision is stale by definition
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "Another supervisor changed" in str(next(iter(response.context["messages"])))
    assert Adjudication.objects.get().state == Adjudication.State.OPEN


@pytest.mark.django_db
def test_imported_agreement_list_numbers_are_bounded(tmp_path):
    """A DESTA number is an integer or DESTA's own protocol forms, never free text."""
    AgreementFactory(desta_number="224")
    path = tmp_path / "list.csv"
    path.write_text(
        "number,name,entry_type,year,entryforceyear,typememb\n324_1,P,protocol or amendment,2004,2005,1\n"
        "3+1,A,accession,2004,2005,1\n694a,B,base_treaty,2004,2005,1\n",
        encoding="utf-8",
    )
    call_command("import_desta_treaties", str(path), stdout=StringIO())
    from coding.models import Agreement

    assert set(Agreement.objects.values_list("desta_number", flat=True)) == {"224", "324_1", "694a"}
