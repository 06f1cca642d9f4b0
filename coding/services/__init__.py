"""Every write the coding app makes goes through a function here (HackSoft's services layer).
Keyword-only and atomic, named <entity>_<action>; no service imports a task module (jobs.py sends by name)."""

from .codebooks import codebook_import
from .desta import agreements_import_desta_list
from .texts import agreements_import_tota, text_import_file, text_version_create

__all__ = [
    "agreements_import_desta_list",
    "agreements_import_tota",
    "codebook_import",
    "text_import_file",
    "text_version_create",
]
