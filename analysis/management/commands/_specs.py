"""What the gravity commands share: reading a specification file with a size bound, so a bad
file is a CommandError naming it, never a traceback."""

from pathlib import Path

from django.core.management.base import CommandError

from ...pure.presets import MAX_SPEC_TEXT


def read_spec_file(name):
    path = Path(name)
    try:
        if path.stat().st_size > MAX_SPEC_TEXT:
            raise CommandError(f"{name}: larger than {MAX_SPEC_TEXT:,} bytes; a specification file is small JSON")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{name}: {exc}") from exc
