"""Blindness without metadata (issue 19, item 6): a coder blind on a treaty sees no count or
state that depends on another coder (coding.visibility.coding_states_visible_to), the comparison
page refuses a release she may not open, as the release page does, and after approval the coding
page and the API answer alike (the matrix is in tests/test_permission_matrix.py)."""

import re

import pytest
from django.urls import reverse

from analysis.services.releases import release_create
from coding.models import Adjudication, Answer, Coding
from coding.services.adjudication import adjudication_approve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.users import reference_coder_get_or_create
from tests.factories import AgreementFactory, UserFactory, add_text

pytestmark = pytest.mark.django_db

OTHERS_STATES = ("of 2 submitted", "in adjudication", "approved")


@pytest.fixture
def blind(users, mini_version, treaty):
    """coder_a and coder_b code `treaty`; coder_b has submitted, coder_a's coding is a draft."""
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    b = Coding.objects.get(coder=users["coder_b"])
    coding_save(coding=b, user=users["coder_b"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
    coding_submit(coding=b, user=users["coder_b"], revision=1)
    return {"a": Coding.objects.get(coder=users["coder"]), "b": b, "treaty": treaty}


def status_table(client, treaty):
    html = client.get(treaty.get_absolute_url()).content.decode()
    found = re.search(r'<table class="grid" id="coding-status".*?</table>', html, re.S)
    assert found, "the agreement page shows a coding-status table"
    return found.group(0)


def submit_a(blind, users):
    a = blind["a"]
    coding_save(coding=a, user=users["coder"], revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
    coding_submit(coding=a, user=users["coder"], revision=1)


def test_a_blind_coder_sees_only_her_own_state_while_coding(client_for, users, blind):
    table = status_table(client_for(users["coder"]), blind["treaty"])
    assert not any(text in table for text in OTHERS_STATES)
    assert "submitted" not in table  # coder_b's state: coder_a's own coding is a draft
    assert "draft" in table and "while you code this treaty blind" in table
    # the supervisor, and a coder of other treaties, see the count
    assert "in coding: 1 of 2 submitted" in status_table(client_for(users["supervisor"]), blind["treaty"])
    outsider = UserFactory(username="coder_c", role="coder")
    assert "in coding: 1 of 2 submitted" in status_table(client_for(outsider), blind["treaty"])


def test_a_blind_coder_does_not_see_the_adjudication_open(client_for, users, blind):
    submit_a(blind, users)
    assert Adjudication.objects.get().state == Adjudication.State.OPEN  # both submitted: opened
    table = status_table(client_for(users["coder"]), blind["treaty"])
    assert not any(text in table for text in OTHERS_STATES)
    assert "submitted" in table  # her own coding's state, and only that
    assert "adjudication" not in table  # nor the supervisors' link to it
    assert "in adjudication" in status_table(client_for(users["supervisor"]), blind["treaty"])
    # her queue counts her own codings only
    queue = client_for(users["coder"]).get(reverse("coding:my_queue")).content.decode()
    assert "1 of 1 submitted" in queue and "of 2 submitted" not in queue and "in adjudication" not in queue


def test_after_approval_the_states_are_open(client_for, users, blind):
    submit_a(blind, users)  # both answered alike: every final value is accepted already
    adjudication_approve(adjudication=Adjudication.objects.get(), user=users["supervisor"])
    table = status_table(client_for(users["coder"]), blind["treaty"])
    assert "approved" in table and "while you code this treaty blind" not in table


def test_the_apis_say_nothing_of_the_other_coder(client_for, users, blind):
    submit_a(blind, users)
    treaty = blind["treaty"]
    coder = client_for(users["coder"])
    for path in (f"/api/agreements/{treaty.pk}/", f"/api/codings/?agreement={treaty.pk}", "/api/codings/"):
        response = coder.get(path)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert not any(text in body for text in OTHERS_STATES) and "coder_b" not in body, path
    codings = coder.get(f"/api/codings/?agreement={treaty.pk}").json()["results"]
    assert [(c["coder"], c["state"]) for c in codings] == [("coder_a", "submitted")]
    assert coder.get(f"/api/codings/{blind['b'].pk}/").status_code == 404
    # the supervisor's answer names both coders and their states
    listed = client_for(users["supervisor"]).get(f"/api/codings/?agreement={treaty.pk}").json()["results"]
    assert sorted((c["coder"], c["state"]) for c in listed) == [("coder_a", "submitted"), ("coder_b", "submitted")]


@pytest.fixture
def releases(blind, mini_version):
    """DESTA 2.1 codes the blind treaty and an open one: release 1 holds both, release 2 (made
    after the blind treaty's reference coding is gone) only the open one."""
    desta = reference_coder_get_or_create("DESTA 2.1")
    open_treaty = add_text(
        AgreementFactory(name="Open - Treaty", parties=["CCC", "DDD"]), [("1", "General", [("1", "Text.")])]
    )
    references = []
    for agreement in (blind["treaty"], open_treaty):
        coding = Coding.objects.create(
            agreement=agreement, version=mini_version, coder=desta, state=Coding.State.SUBMITTED
        )
        for indicator, value in zip(mini_version.indicators.all(), [1, 3]):
            Answer.objects.create(coding=coding, indicator=indicator, value=value)
        references.append(coding)
    with_blind, _ = release_create(version=mini_version, name="with the blind treaty", source="DESTA 2.1")
    references[0].delete()
    open_only, _ = release_create(version=mini_version, name="open only", source="DESTA 2.1")
    assert (with_blind.number, len(with_blind.rows), open_only.number, len(open_only.rows)) == (1, 2, 2, 1)
    return {"closed": with_blind, "open": open_only}


def test_the_comparison_page_refuses_a_release_she_may_not_open(client_for, users, mini_version, releases):
    coder = client_for(users["coder"])
    closed, open_ = releases["closed"].number, releases["open"].number

    def compare(a, b):
        return coder.get(reverse("analysis:comparison"), {"version": mini_version.pk, "a": a, "b": b})

    assert coder.get(reverse("analysis:release_detail", args=[closed])).status_code == 403  # the release page
    for a, b in (
        (f"release:{closed}", "approved"),
        ("DESTA 2.1", f"release:{closed}"),
        (f"release:{closed}", f"release:{open_}"),
    ):
        response = compare(a, b)
        assert response.status_code == 403, (a, b)
        assert "compare-summary" not in response.content.decode()
    assert "contains 1 agreement you are coding blind" in compare(f"release:{closed}", "approved").content.decode()
    # the release she may open compares, and only it is offered
    response = compare(f"release:{open_}", "DESTA 2.1")
    assert response.status_code == 200
    assert 'id="compare-summary">1 agreement coded by both' in response.content.decode()
    assert response.context["options"] == ["approved", "DESTA 2.1", f"release:{open_}"]
    # the supervisor opens both
    supervisor = client_for(users["supervisor"])
    response = supervisor.get(
        reverse("analysis:comparison"), {"version": mini_version.pk, "a": f"release:{closed}", "b": f"release:{open_}"}
    )
    assert response.status_code == 200 and f"release:{closed}" in response.context["options"]


def test_a_newer_codebook_version_closes_the_older_codings_again(client_for, users, blind, mini_version, tmp_path):
    """Approved under v1, then assigned again under v2 (with coder_c): while coder_a codes v2
    blind the v1 codings of her colleague are closed to her again, on the page and through the API alike
    (they would anchor her answers), and the treaty's states with them."""
    from coding.services import codebook_import
    from tests.conftest import MINI_CODEBOOK

    submit_a(blind, users)  # both answered alike: every final value is accepted already
    adjudication_approve(adjudication=Adjudication.objects.get(), user=users["supervisor"])
    b_page, b_api = reverse("coding:workspace", args=[blind["b"].pk]), f"/api/codings/{blind['b'].pk}/"
    coder = client_for(users["coder"])
    assert (coder.get(b_page).status_code, coder.get(b_api).status_code) == (200, 200)  # approved: open
    path = tmp_path / "mini2.yaml"
    path.write_text(
        MINI_CODEBOOK.replace('version: "1"', 'version: "2"').replace(
            "    hints: [harmoni]\n", '    hints: [harmoni]\n    guidance: {en: "Count only commitments."}\n'
        ),
        encoding="utf-8",
    )
    version_2 = codebook_import(path=path).version
    assert version_2.number == 2
    newcomer = UserFactory(username="coder_c", role="coder")
    assignment_create(agreements=[blind["treaty"]], version=version_2, coders=[users["coder"], newcomer])
    assert (coder.get(b_page).status_code, coder.get(b_api).status_code) == (404, 404)
    assert "while you code this treaty blind" in status_table(coder, blind["treaty"])
    # coder_b codes no version of it blind: coder_a's v1 coding stays open to her
    other = client_for(users["coder_b"])
    a_page, a_api = reverse("coding:workspace", args=[blind["a"].pk]), f"/api/codings/{blind['a'].pk}/"
    assert (other.get(a_page).status_code, other.get(a_api).status_code) == (200, 200)
