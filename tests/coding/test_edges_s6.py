"""Edges of issue 19 on the coding side, round six: one agreement-list parser for the pre-coder's
commands and releases (a file that is not UTF-8 is a CommandError naming it and the line, never a
traceback); Latin letters that pass for ASCII ones in a reference source's name; a task queue
that cannot be reached stored as a fixed, translatable sentence and logged in one line; and a
treaty added by hand refused when the demo's copy without a signing year is there already."""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from coding.models import Agreement, AgreementParty, JobStatus, TextImport
from coding.pure import confusables_latin
from coding.pure.agreement_list import list_entries
from coding.pure.names import CONFUSABLES, name_collision, skeleton, title_key
from coding.selectors.agreement_lists import agreement_ids_from_file
from jobs import selectors as job_selectors
from jobs.dispatch import QUEUE_UNREACHABLE_REASON, job_queue_unreachable
from tests.factories import AgreementFactory


def agreement_counts():
    return Agreement.objects.count(), AgreementParty.objects.count(), Agreement.history.count()


# --- 1. one list parser ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", [["precode", "--agreements"], ["train_precoder", "--exclude"]], ids=["precode", "train_precoder"]
)
def test_a_list_file_that_is_not_utf8_is_a_command_error_naming_file_and_line(mini_version, tmp_path, command):
    bad = tmp_path / "f"
    bad.write_bytes(b"x\n\xff\n")
    with pytest.raises(CommandError) as refused:
        call_command(command[0], "--codebook", "mini", command[1], str(bad), stdout=io.StringIO())
    assert str(refused.value) == (
        f"{command[1]} {bad}, line 2: not UTF-8 text (byte 0xff: invalid start byte); save it as UTF-8 text"
    )
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError, match=rf"{command[1]} {missing}: cannot read the file \(No such file"):
        call_command(command[0], "--codebook", "mini", command[1], str(missing), stdout=io.StringIO())
    with pytest.raises(CommandError, match=rf"{command[1]} {tmp_path}: cannot read the file \(Is a directory"):
        call_command(command[0], "--codebook", "mini", command[1], str(tmp_path), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_pre_coders_list_reads_what_a_release_list_reads(mini_version, tmp_path):
    """Ids, desta:N, names (English or Chinese) and trailing comments, each once, in the order given;
    every line that names nothing is named with its number (the release's wording)."""
    first = AgreementFactory(name="EU - Korea", name_zh="欧盟—韩国", desta_number="12", parties=["KOR", "FRA"])
    second = AgreementFactory(name="Agreement #2", parties=["AAA", "BBB"])
    listed = tmp_path / "listed.txt"
    listed.write_text(
        f"\ufeff# held out\n\ndesta:12  # the EU one\n{second.pk}\neu - korea\n欧盟—韩国\nAgreement #2\n",
        encoding="utf-8",
    )
    assert agreement_ids_from_file(listed) == [first.pk, second.pk]
    assert list_entries(["  # c", "desta:12#x", "Agreement #2", "EU - Korea # FTA"]) == [
        (2, "desta:12"),
        (3, "Agreement #2"),
        (4, "EU - Korea"),
    ]

    listed.write_text("desta:12\nnobody\n\ndesta:404\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("train_precoder", "--codebook", "mini", "--exclude", str(listed))
    assert str(refused.value) == (
        f"--exclude {listed}: 2 lines name no single agreement "
        "(line 2: no agreement matches 'nobody'; line 4: no agreement matches 'desta:404')."
    )


# --- 3. Latin look-alikes in a reference source's name ---------------------------------------------


@pytest.mark.parametrize(
    "name, passes_for",
    [
        ("coder_\u0251", "coder_a"),  # Latin small letter alpha
        ("\u1d04oder_a", "coder_a"),  # small capital C
        ("coder_\u1d00", "coder_a"),  # small capital A (not in confusables.txt: our addition)
        ("\u0261\u1d0f\u1d05", "god"),  # script g, small capitals O and D
        ("coder_\u026a", "coder_i"),  # small capital I
        ("\u0131mport", "import"),  # dotless i
        ("\ua731\u1d1c\u1d18\u1d07\u0280\u1d20\u026a\ua731\u1d0f\u0280_b", "supervisor_b"),  # all small capitals
        ("c\u1d0f\u1d05\u1d07r_\u0299", "coder_b"),
    ],
)
def test_latin_letters_that_look_like_ascii_ones_collide(name, passes_for):
    assert skeleton(name) == skeleton(passes_for)
    assert name_collision(name, ["coder_a", "coder_b", "coder_i", "god", "import", "supervisor_b"]) == (
        f"it looks like '{passes_for}' (letters that look alike, e.g. from another script)"
    )


def test_the_long_s_is_folded_by_nfkc_already():
    assert (
        name_collision("\u017fupervisor_b", ["supervisor_b"]) == "it differs from 'supervisor_b' only in case or width"
    )


def test_distinct_latin_names_still_pass():
    for name in ("coder_c", "Müller", "Åsa", "Zoë", "DESTA 2.1"):
        assert name_collision(name, ["coder_a", "coder_b", "mueller", "asa", "zoe"]) is None, name


def test_the_latin_table_maps_latin_letters_to_ascii_letters_or_digits():
    import unicodedata

    table = confusables_latin.LATIN_CONFUSABLES
    assert len(table) == len(confusables_latin.CONFUSABLES_TXT) + len(confusables_latin.SMALL_CAPITALS) > 60
    for source, target in table.items():
        assert unicodedata.name(source).startswith("LATIN"), hex(ord(source))
        assert unicodedata.normalize("NFKC", source) == source, hex(ord(source))
        assert target.isascii() and target.isalnum() and len(target) == 1, hex(ord(source))
        assert CONFUSABLES[source] == target
    assert {"\u0251": "a", "\u1d04": "c", "\u1d00": "a", "\u0131": "i"}.items() <= table.items()


# --- 4. the task queue down: a fixed sentence, one log line ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_queue_down_stores_a_fixed_sentence_shown_in_the_readers_language(
    client_for, users, settings, tmp_path, redis_down, caplog
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory(name="X - Y")
    client = client_for(users["supervisor"])
    upload = SimpleUploadedFile("treaty.txt", b"Article 1\nThe Parties agree.\n", content_type="text/plain")
    with caplog.at_level(logging.WARNING, logger="jobs.dispatch"):
        response = client.post(reverse("coding:text_import_create", args=[agreement.pk]), {"file": upload})

    job = TextImport.objects.get()
    assert job.status == JobStatus.FAILED and job_queue_unreachable(job)
    assert (job.error_code, job.error_params) == (QUEUE_UNREACHABLE_REASON, {})
    assert job.error == (
        "could not reach the task queue (is Redis running at REDIS_URL?): the job was not started; "
        "try again once it is back"
    )
    assert "Error" not in job.error and "restarted" not in job.error
    # The operator's log has one line with the broker's own words, no traceback
    [record] = [r for r in caplog.records if r.name == "jobs.dispatch"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith(f"could not queue TextImport {job.pk}: the task queue is unreachable (")
    assert "\n" not in record.getMessage()
    # The page says so in the reader's language
    with translation.override("zh-hans"):
        page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "无法连接任务队列（Redis 是否在 REDIS_URL 运行？）：作业未启动" in page


def test_live_queues_with_the_redis_down_logs_one_short_line_a_minute(redis_down, caplog, monkeypatch):
    monkeypatch.setattr(job_selectors, "_unreachable_logged_at", None)
    with caplog.at_level(logging.INFO, logger="jobs.selectors"):
        answers = [job_selectors.live_queues() for _ in range(3)]
    assert answers == [None, None, None]
    records = [r for r in caplog.records if r.name == "jobs.selectors"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].exc_info is None
    message = records[0].getMessage()
    assert message.startswith("cannot read the workers' heartbeats: the broker is unreachable (")
    assert "\n" not in message and len(message) < 400
    # A minute later it is said again
    monkeypatch.setattr(
        job_selectors,
        "_unreachable_logged_at",
        job_selectors._unreachable_logged_at - job_selectors.UNREACHABLE_LOG_SECONDS,
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="jobs.selectors"):
        job_selectors.live_queues()
    assert len([r for r in caplog.records if r.name == "jobs.selectors"]) == 1


# --- 5. a treaty on record without its signing year ------------------------------------------------


@pytest.fixture
def demo_tpa(db):
    """As the demo loads it: parties TUR and PSE, no signing year, in force 2005."""
    return AgreementFactory(
        name="Turkey-Palestinian Authority", parties=["TUR", "PSE"], year_signed=None, entry_into_force_year=2005
    )


def add_agreement(*args):
    out = io.StringIO()
    call_command("add_agreement", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--name", "X FTA", "--parties", "TUR,PSE", "--signed", "2004"],
        ["--name", "X FTA", "--parties", "PSE TUR", "--signed", "2000"],  # in force 5 years after
        ["--name", "X FTA", "--parties", "TUR,PSE", "--signed", "1990", "--in-force", "2005"],  # the same year in force
        ["--name", "Ｔｕｒｋｅｙ-Palestinian  Authority", "--parties", "TUR,ISR", "--signed", "2010"],
        ["--name", "turkey – palestinian authority", "--parties", "TUR,ISR", "--signed", "2010"],
    ],
    ids=["signed-a-year-before", "signed-5-years-before", "same-year-in-force", "fullwidth-name", "en-dash-name"],
)
def test_the_command_refuses_a_copy_of_a_treaty_without_a_signing_year(demo_tpa, args):
    before = agreement_counts()
    with pytest.raises(CommandError) as refused:
        add_agreement(*args)
    message = str(refused.value)
    assert message.startswith(
        f"This agreement exists already: Turkey-Palestinian Authority (PSE TUR, signing year unknown, in force 2005, "
        f"id {demo_tpa.pk}). Use agreement {demo_tpa.pk} instead of adding it again: import its text on its page "
        f"or with manage.py import_text FILE --agreement {demo_tpa.pk}."
    )
    assert message.endswith("Nothing was added.")
    assert agreement_counts() == before


@pytest.mark.django_db
def test_the_same_parties_years_apart_are_another_treaty(demo_tpa):
    # in force 2005 is more than 5 years after 1995, and 2018 is after it
    add_agreement("--name", "Turkey-Palestine FTA, second", "--parties", "TUR,PSE", "--signed", "1995")
    add_agreement("--name", "Turkey-Palestine FTA, third", "--parties", "TUR,PSE", "--signed", "2018")
    assert Agreement.objects.filter(parties__iso3="PSE").count() == 3


@pytest.mark.django_db
def test_the_form_refuses_it_too_and_says_so_in_chinese(demo_tpa, client_for, users):
    client = client_for(users["supervisor"])
    before = agreement_counts()
    form = {"name": "X FTA", "parties": "TUR, PSE", "year_signed": "2004", "entry_into_force_year": ""}
    response = client.post(reverse("coding:agreement_add"), form)
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f"This agreement exists already: Turkey-Palestinian Authority (PSE TUR, signing year unknown, in force 2005, "
        f"id {demo_tpa.pk})." in page
    )
    response = client.post(
        reverse("coding:agreement_add"),
        dict(form, name="Ｔｕｒｋｅｙ—Palestinian Authority", parties="TUR, ISR"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert f"该协定已存在：Turkey-Palestinian Authority（PSE TUR，签署年份未知，2005 年生效，编号 {demo_tpa.pk}）" in (
        response.content.decode()
    )
    assert agreement_counts() == before


def test_title_key_folds_width_case_dashes_and_spaces():
    assert title_key("Ｔｕｒｋｅｙ-Palestinian  Authority") == title_key("turkey – palestinian authority")
    assert title_key("Turkey-Palestinian Authority") == "turkey-palestinian authority"
    assert title_key("Turkey Palestinian Authority") != title_key("Turkey-Palestinian Authority")


@pytest.mark.django_db
def test_a_follow_on_treaty_signed_the_year_the_first_entered_into_force_is_another_treaty():
    """ASEAN-Korea: goods signed 2006, in force 2007; services signed 2007. Signing years are
    compared with signing years, so the second is added; the same signing year is refused."""
    add_agreement("--name", "Chile-Mexico FTA", "--parties", "CHL,MEX", "--signed", "1998", "--in-force", "1999")
    add_agreement("--name", "Chile-Mexico services protocol", "--parties", "CHL,MEX", "--signed", "1999")
    add_agreement("--name", "Chile-Mexico investment", "--parties", "CHL,MEX", "--signed", "1997", "--in-force", "1999")
    with pytest.raises(CommandError, match="exists already: Chile-Mexico FTA"):
        add_agreement("--name", "Another name", "--parties", "MEX,CHL", "--signed", "1998")
    assert Agreement.objects.filter(parties__iso3="CHL").filter(parties__iso3="MEX").count() == 3


@pytest.mark.django_db
def test_an_exclude_list_may_leave_out_nothing_but_a_list_to_precode_may_not(tmp_path):
    from coding.management.commands.train_precoder import read_agreement_list

    empty = tmp_path / "none.txt"
    empty.write_text("# nothing held out this time\n", encoding="utf-8")
    assert read_agreement_list(empty, option="--exclude", allow_empty=True) == []
    with pytest.raises(CommandError, match="no agreement listed"):
        read_agreement_list(empty, option="--agreements")
