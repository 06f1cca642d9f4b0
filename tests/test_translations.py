"""The Simplified Chinese catalogue is complete: regenerating it from the code finds no string
without a translation, and none is marked fuzzy."""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command


def entries(po_text):
    """(msgid, msgstr, fuzzy) for each live entry of a .po file; comments and obsolete entries skipped."""
    result = []
    for block in po_text.split("\n\n"):
        lines = block.splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts, current = {"msgid": "", "msgstr": ""}, None
        for line in lines:
            if line.startswith("#"):
                continue
            keyword = line.split(" ", 1)[0]
            if keyword in {"msgid", "msgid_plural", "msgstr", "msgstr[0]", "msgstr[1]"}:
                current = (
                    "msgid"
                    if keyword.startswith("msgid") and keyword != "msgid_plural"
                    else (None if keyword == "msgid_plural" else "msgstr")
                )
                line = line.split(" ", 1)[1]
            if current and line.startswith('"'):
                parts[current] += line[1:-1]
        if parts["msgid"]:
            result.append((parts["msgid"], parts["msgstr"], fuzzy))
    return result


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt/xgettext) is not installed")
def test_zh_hans_catalogue_is_complete(tmp_path, settings, monkeypatch):
    # Regenerate the catalogue in a copy of the project: makemessages adopts every "locale"
    # folder it walks past, so running it on the real tree would rewrite the committed file.
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "tests", "bench", "__pycache__", "*.mo"),
    )
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "config" / "locale"]
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    regenerated = (copy / "config" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    live = entries(regenerated)
    untranslated = [msgid for msgid, msgstr, fuzzy in live if not msgstr or fuzzy]
    assert untranslated == [], f"{len(untranslated)} strings lack a zh-Hans translation: {untranslated[:20]}"
    assert len(live) > 250


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_catalogue_compiles_cleanly():
    po = settings.BASE_DIR / "config" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    completed = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
