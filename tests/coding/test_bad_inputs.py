"""The bad-input corpus (tests/bad_inputs/): every malformed input of the coding side is refused
with an error naming the file and the line or field, and the database is exactly as before:
row counts and contents of every coding model, its history and the users and their groups."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from tests.bad_inputs.coding_cases import HEADER
from tests.bad_inputs.harness import LOADERS, all_cases, db_snapshot
from tests.factories import AgreementFactory, UserFactory

CASES = all_cases(side="coding")


@pytest.fixture
def world(users, mini_version, treaty, tmp_path):
    """What the cases meet (see tests/bad_inputs/coding_cases.py)."""
    treaty.desta_number = "7"
    treaty.save()
    in_adjudication, half_done = AgreementFactory(desta_number="8"), AgreementFactory(desta_number="9")
    AgreementFactory(desta_number="10")
    UserFactory(username="coder_c", role="coder")
    coder_a, coder_b = users["coder"], users["coder_b"]
    for agreement, done in ((in_adjudication, (coder_a, coder_b)), (half_done, (coder_a,))):
        assignment_create(agreements=[agreement], version=mini_version, coders=[coder_a, coder_b])
        for coder, harmon in zip(done, (2, 1)):
            coding = Coding.objects.get(agreement=agreement, coder=coder)
            coding_save(
                coding=coding, user=coder, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": harmon}}
            )
            coding_submit(coding=coding, user=coder, revision=1)
    path = tmp_path / "world.csv"
    path.write_text(HEADER + "desta:7,DESTA 2.1,wto,1,60,\ndesta:7,DESTA 2.1,harmon,1,,\n", encoding="utf-8")
    call_command("import_codings", str(path), "--codebook", "mini", "--reference", stdout=StringIO())
    path.write_text(HEADER + "desta:7,archive,wto,1,,\ndesta:7,archive,harmon,2,,\n", encoding="utf-8")
    call_command("import_codings", str(path), "--codebook", "mini", "--approved", stdout=StringIO())
    assert in_adjudication.adjudications.get().state == "open" and treaty.adjudications.get().state == "approved"


def test_the_corpus_covers_every_kind_of_coding_input():
    kinds = {case.kind for case in CASES}
    assert len(CASES) >= 70
    assert kinds == {"codebook", "codings_csv", "desta_list", "desta_codings", "text", "tota"} <= set(LOADERS)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_naming_the_file_and_nothing_is_written(case, world, tmp_path, settings):
    # Given the world and one malformed input
    for name, value in case.settings.items():
        setattr(settings, name, value)
    path = case.write(tmp_path)
    before = db_snapshot()

    # When the workbench reads it
    with pytest.raises(CommandError) as error:
        LOADERS[case.kind](path, case)

    # Then the error names the file and the line or field, and what is wrong
    message = str(error.value)
    assert path.name in message
    if not case.whole_file:
        assert re.search(r"line \d+|field \S+", message), message
    for fragment in case.expect:
        assert fragment in message, message
    # and the database is exactly as it was
    assert db_snapshot() == before
