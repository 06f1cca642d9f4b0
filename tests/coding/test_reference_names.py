"""Names that cannot pass for someone else (issue 19, item 4): a new reference source's name is
refused when it matches a user or another source ignoring case, width or look-alike letters, is
a word of the workbench, or carries markup; and sources carry a "reference" mark where listed."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.services.releases import release_create
from coding.pure.names import markup_problem, name_collision, reference_name_problem, skeleton

EXISTING = ["coder_a", "coder_b", "supervisor", "DESTA 2.1", "the study"]
MARK = 'class="badge reference-mark"'


@pytest.mark.parametrize(
    "name, reason",
    [
        ("CODER_B", "differs from 'coder_b' only in case or width"),
        ("c\u043eder_b", "looks like 'coder_b'"),  # Cyrillic о
        ("\u0441oder_a", "looks like 'coder_a'"),  # Cyrillic с
        ("c\u03bfder_a", "looks like 'coder_a'"),  # Greek ο
        ("\uff43\uff4f\uff44\uff45\uff52\uff3f\uff42", "differs from 'coder_b' only in case or width"),  # fullwidth
        ("desta  2.1", "differs from 'DESTA 2.1' only in case or width"),  # doubled space
        ("DESTA 2.l", "looks like 'DESTA 2.1'"),
        ("the Study", "differs from 'the study'"),
        ("admin", "'admin' is a word of the workbench"),
        ("\u0430dmin", "'admin' is a word of the workbench"),
        ("Approved", "'approved' is a word of the workbench"),
    ],
)
def test_names_that_pass_for_a_user_a_source_or_the_workbench_are_refused(name, reason):
    assert reason in reference_name_problem(name, EXISTING)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("<script>x</script>", "'<'"),
        ("a > b", "'>'"),
        ("R&D", "'&'"),
        ('say "hi"', "'\"'"),
        ("O'Neil", '"\'"'),
        ("a`b", "'`'"),
        ("tab\there", "U+0009"),
        ("right\u202eto left", "U+202E"),
        ("zero\u200bwidth", "U+200B"),
    ],
)
def test_names_with_markup_quotes_or_invisible_characters_are_refused(name, reason):
    assert reason in markup_problem(name)


@pytest.mark.parametrize("name", ["archive", "DESTA 2.1", "Hofmann et al. 2017", "WTO RTA database", "张三的编码"])
def test_plain_new_names_and_a_sources_own_name_pass(name):
    assert reference_name_problem(name, EXISTING) is None


def test_the_skeleton_folds_case_width_and_look_alikes_but_not_accents():
    assert skeleton("C\u041eDER_B") == skeleton("coder_b") == "coder_b"
    assert skeleton("Zo\u00eb") != skeleton("Zoe")  # a different name, not a disguise
    assert name_collision("coder_b", ["coder_b"]) is None  # the same name is that source, not a look-alike


def import_reference(tmp_path, coder, agreement="desta:7", **kwargs):
    path = tmp_path / "sources.csv"
    path.write_text(f"agreement,coder,indicator,value\n{agreement},{coder},wto,1\n", encoding="utf-8")
    out = StringIO()
    call_command("import_codings", str(path), "--codebook", "mini", "--reference", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, reason",
    [
        ("CODER_B", "differs from 'coder_b' only in case"),
        ("c\u043eder_b", "looks like 'coder_b'"),
        ("Admin", "'admin' is a word of the workbench"),
        ("<i>x</i>", "contains the character '<'"),
    ],
)
def test_import_codings_refuses_such_a_source_naming_line_and_field(
    users, mini_version, treaty, tmp_path, name, reason
):
    treaty.desta_number = "7"
    treaty.save()
    users_before = get_user_model().objects.count()

    with pytest.raises(CommandError) as error:
        import_reference(tmp_path, name)

    assert "sources.csv, line 2, field coder" in str(error.value) and reason in str(error.value)
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_a_plain_new_source_is_created_and_marked_where_sources_are_listed(
    users, mini_version, treaty, tmp_path, client_for
):
    # Given a new reference source imported as the approved coding of a treaty
    treaty.desta_number = "7"
    treaty.save()
    path = tmp_path / "archive.csv"
    path.write_text(
        "agreement,coder,indicator,value\ndesta:7,archive,wto,1\ndesta:7,archive,harmon,2\n", encoding="utf-8"
    )
    out = StringIO()
    call_command("import_codings", str(path), "--codebook", "mini", "--approved", "--reference", stdout=out)
    assert "New reference coders (cannot log in): archive" in out.getvalue()
    release_create(version=mini_version, name="from the archive", source="archive")
    client = client_for(users["supervisor"])

    # Then every list of sources marks it, and only it
    pages = {
        "release list": reverse("analysis:release_list"),
        "comparison": reverse("analysis:comparison") + f"?version={mini_version.pk}&a=archive&b=approved",
        "history": reverse("coding:agreement_history", args=[treaty.pk]),
    }
    for page, url in pages.items():
        html = client.get(url).content.decode()
        assert html.count(MARK) == 1, page
        assert "archive" in html.split(MARK)[0][-300:], page  # the mark follows the source's name


@pytest.mark.django_db
def test_the_mark_reads_in_chinese(users, mini_version, treaty, tmp_path, client_for):
    treaty.desta_number = "7"
    treaty.save()
    import_reference(tmp_path, "archive")
    client = client_for(users["supervisor"])
    html = client.get(
        reverse("coding:agreement_history", args=[treaty.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert f'{MARK} title="参照来源：已发表或导入的编码，不是登录的编码员">参照</span>' in html
