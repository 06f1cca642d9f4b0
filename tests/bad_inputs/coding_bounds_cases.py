"""Bounds of the coding side (issue 19, items 3 and 4): codebook tiers that overlap, values that
are not finite integer codes, reference sources' names that could pass for someone else, and
treaty texts judged by their content. Same world as coding_cases.py (users coder_a, coder_b,
coder_c, supervisor, admin; reference sources "DESTA 2.1" and "archive"; desta:7 with a text,
desta:10 without)."""
import codecs

from .coding_cases import HEADER, TEXT, codebook, desta_codings_case, text_case
from .harness import Case

TIER = "    - {name: one, min: 0, max: 1}"  # line 8 of coding_cases.CODEBOOK (range [0, 1] on line 6)


def tier_case(name, tiers, *expect):
    return Case(name, "codebook", expect, content=codebook(TIER, tiers), filename=f"{name}.yaml")


TIER_CASES = [
    tier_case("tiers-overlap-at-a-bound", TIER + "\n    - {name: two, min: 1, max: 1}", "line 9",
              "field depth_score.tiers[1]", "tiers 'one' (0..1) and 'two' (1..1) overlap"),
    tier_case("tiers-overlap-listed-high-first", "    - {name: high, min: 0.5, max: 1}\n    - {name: low, min: 0, max: 0.6}",
              "line 9", "field depth_score.tiers[1]", "'low' (0..0.6) and 'high' (0.5..1) overlap", "0.5..0.6"),
    tier_case("tiers-one-inside-another", TIER + "\n    - {name: mid, min: 0.2, max: 0.4}", "line 9",
              "field depth_score.tiers[1]", "overlap", "tiers must not overlap"),
    tier_case("tiers-third-overlaps-first", "    - {name: a, min: 0, max: 0.3}\n    - {name: b, min: 0.5, max: 1}\n"
              "    - {name: c, min: 0.2, max: 0.4}", "line 10", "field depth_score.tiers[2]", "'a' (0..0.3) and 'c' (0.2..0.4)"),
    tier_case("tiers-same-name", "    - {name: one, min: 0, max: 0.4}\n    - {name: one, min: 0.5, max: 1}", "line 9",
              "field depth_score.tiers[1].name", "tier name 'one' appears twice"),
    tier_case("tier-outside-range", "    - {name: one, min: 2, max: 3}", "line 8", "field depth_score.tiers[0]",
              "lies outside the range 0..1"),
    tier_case("tier-nan", "    - {name: one, min: .nan, max: 1}", "line 8", "field depth_score.tiers[0]", "numbers within"),
    tier_case("tier-overflow", "    - {name: one, min: 0, max: 1.0e+999}", "line 8", "field depth_score.tiers[0]",
              "numbers within"),
    tier_case("tier-min-a-word", "    - {name: one, min: low, max: 1}", "line 8", "field depth_score.tiers[0]",
              "numbers within"),
    tier_case("tier-min-a-bool", "    - {name: one, min: true, max: 1}", "line 8", "field depth_score.tiers[0]",
              "numbers within"),
]


def value_case(name, rows, *expect, args=()):
    return Case(name, "codings_csv", expect, content=HEADER + rows, filename=f"{name}.csv", args=args)


NON_FINITE = "is not an integer code but a non-finite number"
VALUE_CASES = [
    value_case("value-nan", "desta:7,DESTA 2.1,wto,nan,,\n", "line 2", "field value", f"'nan' {NON_FINITE}"),
    value_case("value-NaN-after-a-good-row", "desta:7,DESTA 2.1,wto,0,,\ndesta:7,DESTA 2.1,harmon,NaN,,\n", "line 3",
               "field value", f"'NaN' {NON_FINITE}", "leave the cell empty"),
    value_case("value-minus-inf", "desta:7,DESTA 2.1,harmon,-inf,,\n", "line 2", "field value", f"'-inf' {NON_FINITE}"),
    value_case("value-Infinity", "desta:7,DESTA 2.1,harmon,Infinity,,\n", "line 2", "field value", NON_FINITE),
    value_case("value-nan-approved", "desta:10,archive,wto,nan,,\n", "line 2", "field value", NON_FINITE,
               args=("--approved", "--reference")),
    value_case("value-1e999", "desta:7,DESTA 2.1,harmon,1e999,,\n", "line 2", "field value", "'1e999' is not an integer code"),
    value_case("value-half-for-yes-no", "desta:7,DESTA 2.1,wto,0.5,,\n", "line 2", "field value", "'0.5' is not an integer code"),
    value_case("value-out-of-range-approved", "desta:10,archive,harmon,4,,\n", "line 2", "field value",
               "4 is not an allowed value of harmon", args=("--approved",)),
    value_case("value-fullwidth-digit", "desta:7,DESTA 2.1,wto,１,,\n", "line 2", "field value", "is not an integer code"),
    value_case("value-hex", "desta:7,DESTA 2.1,wto,0x1,,\n", "line 2", "field value", "'0x1' is not an integer code"),
    desta_codings_case("destacodings-value-nan", "7,A B,nan,1\n", "line 2", "field wto", f"'nan' {NON_FINITE}"),
]


def name_case(name, coder, *expect, rows=None):
    body = rows or f"desta:10,{coder},wto,1,,\n"
    return Case(name, "codings_csv", expect, content=HEADER + body, filename=f"{name}.csv", args=("--reference",))


CANNOT = "cannot be a new reference source's name"
NAME_CASES = [
    name_case("name-upper-case-coder", "CODER_B", "line 2", "field coder", CANNOT, "differs from 'coder_b' only in case"),
    name_case("name-cyrillic-o", "c\u043eder_b", "line 2", "field coder", "looks like 'coder_b'"),
    name_case("name-fullwidth", "\uff43\uff4f\uff44\uff45\uff52_\uff41", "line 2", "field coder", "differs from 'coder_a'"),
    name_case("name-digit-zero", "c0der_c", "line 2", "field coder", "looks like 'coder_c'"),
    # Latin letters that pass for ASCII ones (coding/pure/confusables_latin.py)
    name_case("name-latin-alpha", "coder_\u0251", "line 2", "field coder", "looks like 'coder_a'"),
    name_case("name-small-capital-c", "\u1d04oder_a", "line 2", "field coder", "looks like 'coder_a'"),
    name_case("name-small-capital-a", "coder_\u1d00", "line 2", "field coder", "looks like 'coder_a'"),
    name_case("name-small-capital-b", "coder_\u0299", "line 2", "field coder", "looks like 'coder_b'"),
    name_case("name-latin-iota-admin", "adm\u0269n", "line 2", "field coder", "'admin' is a word"),
    name_case("name-Admin", "Admin", "line 2", "field coder", "'admin' is a word of the workbench"),
    name_case("name-approved", "approved", "line 2", "field coder", "'approved' is a word of the workbench"),
    name_case("name-cyrillic-supervisor", "\u0455upervisor", "line 2", "field coder", "'supervisor' is a word"),
    name_case("name-markup", "<b>boss</b>", "line 2", "field coder", "contains the character '<'"),
    name_case("name-ampersand", "A&B", "line 2", "field coder", "contains the character '&'"),
    name_case("name-quote", '"O""Neil"', "line 2", "field coder", "contains the character '\"'"),
    name_case("name-bidi-override", "abc\u202egnp", "line 2", "field coder", "U+202E"),
    name_case("name-zero-width-space", "coder\u200b_b", "line 2", "field coder", "U+200B"),
    name_case("name-source-in-lower-case", "desta 2.1", "line 2", "field coder", "differs from 'DESTA 2.1' only in case"),
    name_case("name-greek-epsilon-source", "D\u0395STA 2.1", "line 2", "field coder", "looks like 'DESTA 2.1'"),
    name_case("name-two-new-sources-collide", "", "line 3", "field coder", "differs from 'Archive 2' only in case",
              rows="desta:10,Archive 2,wto,1,,\ndesta:7,archive 2,wto,1,,\n"),
    desta_codings_case("destacodings-name-lookalike", "7,A B,0,1\n", "line 2", "field coder", "looks like 'DESTA 2.1'",
                       args=("--name", "DESTA 2.l")),
]

ZIP = b"PK\x03\x04\x14\x00\x06\x00"
CONTENT_CASES = [
    text_case("content-text-named-docx", TEXT, "only .txt and .pdf files can be imported, not “.docx”",
              filename="treaty.docx", whole_file=True),
    text_case("content-no-extension", TEXT, "not “no extension”", filename="treaty", whole_file=True),
    text_case("content-zip-named-txt", ZIP + b"word/document.xml" + bytes(50), "line 1", "binary content: this is a ZIP"),
    text_case("content-old-word-named-txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "line 1",
              "Office document in the old format"),
    text_case("content-rtf-named-txt", b"{\\rtf1\\ansi Article 1 The Parties agree.}", "line 1", "an RTF document"),
    text_case("content-png-named-txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "line 1", "this is an image"),
    text_case("content-gzip-named-txt", b"\x1f\x8b\x08\x00" + bytes(64), "line 1", "a compressed archive"),
    text_case("content-program-named-txt", b"\x7fELF\x02\x01\x01" + bytes(64), "line 1", "a program"),
    text_case("content-text-named-pdf", TEXT, "not a PDF file (no %PDF header)", filename="treaty.pdf", whole_file=True),
    text_case("content-utf16-text-named-pdf", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "not a PDF file",
              filename="utf16.pdf", whole_file=True),
    text_case("content-zip-named-pdf", ZIP + bytes(64), "line 1", "a ZIP archive", filename="scan.pdf"),
]

CASES = TIER_CASES + VALUE_CASES + NAME_CASES + CONTENT_CASES
