"""The Simplified Chinese catalogue is complete: regenerating it from the code finds no string
without a translation, and none is marked fuzzy."""
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command


def entries(po_text):
    """(msgid, msgstr-joined, fuzzy) for each entry of a .po file."""
    result = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        text = "\n".join(lines)
        msgid = "".join(re.findall(r'"(.*)"', text.split("msgid ", 1)[1].split("msgstr", 1)[0].split("msgid_plural")[0]))
        msgstr = "".join(re.findall(r'"(.*)"', text.split("msgstr", 1)[1]))
        if msgid:
            result.append((msgid, msgstr, fuzzy))
    return result


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt/xgettext) is not installed")
def test_zh_hans_catalogue_is_complete(tmp_path, settings):
    # Regenerate the catalogue into a copy, so the test sees strings added since the last
    # makemessages without touching the committed file.
    source = settings.BASE_DIR / "config" / "locale"
    shutil.copytree(source, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["zh_Hans"], ignore_patterns=[".venv/*", "var/*", "tests/*", "bench/*"],
                 verbosity=0)
    regenerated = (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    untranslated = [msgid for msgid, msgstr, fuzzy in entries(regenerated) if not msgstr or fuzzy]
    assert untranslated == [], f"{len(untranslated)} strings lack a zh-Hans translation: {untranslated[:20]}"
    assert len(entries(regenerated)) > 100


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_catalogue_compiles_cleanly():
    po = settings.BASE_DIR / "config" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    completed = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
