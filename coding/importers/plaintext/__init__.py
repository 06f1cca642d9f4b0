"""Split a treaty given as plain text or PDF into chapters and articles. Pure: no Django here.

reading.py reads the file, headings.py (with numbers.py) recognises chapter and article headings,
splitting.py cuts the text at them. The public functions are here:

    chapters = split_treaty_text(read_treaty_file(path))
"""

from .headings import parse_heading
from .reading import TextImportError, read_treaty_file
from .splitting import ParsedArticle, ParsedChapter, split_summary, split_treaty_text

__all__ = [
    "ParsedArticle",
    "ParsedChapter",
    "TextImportError",
    "parse_heading",
    "read_treaty_file",
    "split_summary",
    "split_treaty_text",
]
