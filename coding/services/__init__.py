"""Every write the coding app makes goes through a function here (HackSoft's services layer)."""
from .codebooks import codebook_import
from .texts import agreement_replace_text, agreements_import_tota, text_import_file
from .desta import agreements_import_desta_list

__all__ = [
    "agreement_replace_text",
    "agreements_import_desta_list",
    "agreements_import_tota",
    "codebook_import",
    "text_import_file",
]
