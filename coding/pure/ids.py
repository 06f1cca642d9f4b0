"""Ids typed by a person (a form field, a URL, a command-line argument): one parser for both apps.
Pure: no Django, no database."""

MAX_DATABASE_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist and overflow some backends
# The shape of an agreement reference (selectors.agreements.agreement_get_by_ref resolves it): a
# workbench id, desta:N (DESTA numbers are text), tota:N or wto:N. The API's schema documents it.
AGREEMENT_REF = r"^\s*(?:[0-9]+|[dD][eE][sS][tT][aA]:[^\x00]+|(?:[tT][oO][tT][aA]|[wW][tT][oO]):\s*[0-9]+\s*)\s*$"


def is_ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_id(text: object) -> int | None:
    """A database id typed by a person or a URL: ASCII digits only ('²' and '١٢' are not ids),
    within the range an integer column can hold; None otherwise."""
    digits = str(text).strip()
    if not is_ascii_number(digits):
        return None
    number = int(digits)
    return number if number <= MAX_DATABASE_ID else None
