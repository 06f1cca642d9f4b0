"""Malformed inputs of the coding side. The world they meet (tests/coding/test_bad_inputs.py):
codebook `mini` (wto 0/1, harmon 0..3); desta:7 with articles 1, 60, 61, coded by the reference
coder "DESTA 2.1" and approved from the reference "archive" (wto 1, harmon 2); desta:8 in
adjudication (coder_a and coder_b submitted, disagreeing); desta:9 submitted by coder_a, a draft
of coder_b; desta:10 without text or codings; users coder_a, coder_b, coder_c (assigned nothing)
and supervisor."""
import codecs

from django.core.management import call_command

from .harness import Case, loader, sparse_file


@loader("codebook")
def load_codebook(path, case):
    call_command("import_codebook", str(path), *case.args)


@loader("codings_csv")
def load_codings(path, case):
    call_command("import_codings", str(path), "--codebook", "mini", *case.args)


@loader("desta_list")
def load_desta_list(path, case):
    call_command("import_desta_treaties", str(path), *case.args)


@loader("desta_codings")
def load_desta_codings(path, case):
    call_command("import_desta_codings", str(path), "--codebook", "mini", *case.args)


@loader("text")
def load_text(path, case):
    call_command("import_text", str(path), "--agreement", "desta:10", *case.args)


@loader("tota")
def load_tota(path, case):
    call_command("import_tota", str(path), "--no-progress", *case.args)


# --- codebooks -------------------------------------------------------------------------------
# Line numbers below refer to this file (line 1: "codebook: bad").
CODEBOOK = """codebook: bad
version: "1"
title: {en: Bad, zh: 坏}
depth_score:
  indicators: [wto]
  range: [0, 1]
  tiers:
    - {name: one, min: 0, max: 1}
indicators:
  - code: wto
    question: {en: "WTO?", zh: "世贸?"}
    values: {0: "no", 1: "yes"}
  - code: harmon
    question: {en: "Harmonisation?"}
    level: ordinal
    values: {0: "no", 1: "some", 2: "all"}
    guidance: {en: "Read chapter 6."}
    group: depth
    hints: [harmoni]
"""


def codebook(old, new):
    assert old in CODEBOOK, old
    return CODEBOOK.replace(old, new, 1)


def yaml_case(name, old, new, *expect):
    return Case(name, "codebook", expect, content=codebook(old, new), filename=f"{name}.yaml")


CODEBOOK_CASES = [
    Case("yaml-billion-laughs", "codebook", ("line 3", "aliases (*a) are not allowed"), file="billion_laughs.yaml"),
    yaml_case("yaml-one-alias", "  - code: harmon\n", "  - code: harmon\n    guidance: *g\n", "line 14", "aliases (*g)"),
    Case("yaml-deep-nesting", "codebook", ("line 4", "nested more than 12 levels"), file="deep_nesting.yaml"),
    Case("yaml-truncated", "codebook", ("line 7", "not valid YAML"), file="truncated.yaml"),
    Case("yaml-too-large", "codebook", ("more than the limit of 1,048,576",), make=sparse_file(2 * 1024 * 1024),
         filename="huge.yaml", whole_file=True),
    Case("yaml-empty", "codebook", ("line 1", "must be a mapping", "not nothing"), content="", filename="empty.yaml"),
    Case("yaml-a-list", "codebook", ("line 1", "not a list"), content="- codebook: x\n", filename="list.yaml"),
    Case("yaml-a-scalar", "codebook", ("line 1", "not text"), content="just words\n", filename="scalar.yaml"),
    Case("yaml-nul-byte", "codebook", ("line 2", "not valid YAML", "#x0000"),
         content=CODEBOOK.replace('version: "1"', 'version: "1\x00"'), filename="nul.yaml"),
    Case("yaml-latin1", "codebook", ("line 3", "not UTF-8 text (byte 0xe9)"),
         content=codebook("{en: Bad, zh: 坏}", "Mauvais codé").encode("latin-1", "replace").replace(b"cod?", b"cod\xe9"),
         filename="latin1.yaml"),
    Case("yaml-utf16", "codebook", ("line 1", "not UTF-8 text (byte 0xff)"), content=CODEBOOK.encode("utf-16"),
         filename="utf16.yaml"),
    yaml_case("yaml-tab-indent", "    level: ordinal", "\tlevel: ordinal", "line 15", "not valid YAML"),
    yaml_case("yaml-python-tag", "codebook: bad", "codebook: !!python/object/apply:os.system [ls]", "line 1",
              "not valid YAML", "python/object/apply"),
    yaml_case("yaml-duplicate-key", '    values: {0: "no", 1: "some", 2: "all"}',
              '    values: {0: "no", 1: "some", 2: "all"}\n    values: {0: "no"}', "line 17", "key 'values' appears twice"),
    yaml_case("yaml-unknown-top-key", "codebook: bad", "codebook: bad\ndescripton: typo", "line 2", "field descripton",
              "unknown key"),
    yaml_case("yaml-unknown-indicator-key", "    group: depth", "    guidence: typo", "line 18",
              "field indicators[1].guidence", "unknown key"),
    yaml_case("yaml-code-missing", "codebook: bad\n", "", "field codebook", "missing the codebook code"),
    yaml_case("yaml-code-not-slug", "codebook: bad", "codebook: bad code/2", "line 1", "field codebook", "must be at most 80 letters"),
    yaml_case("yaml-code-html", "codebook: bad", 'codebook: "<script>"', "line 1", "field codebook", "letters, digits"),
    yaml_case("yaml-code-too-long", "codebook: bad", "codebook: " + "b" * 81, "line 1", "field codebook", "at most 80"),
    yaml_case("yaml-code-a-list", "codebook: bad", "codebook: [bad]", "line 1", "field codebook", "must be text, not a list"),
    yaml_case("yaml-code-a-number", "codebook: bad", "codebook: 2024", "line 1", "field codebook", "not a number"),
    yaml_case("yaml-version-a-list", 'version: "1"', "version: [1]", "line 2", "field version", "not a list"),
    yaml_case("yaml-version-too-long", 'version: "1"', "version: " + "9" * 41, "line 2", "field version", "more than 40"),
    yaml_case("yaml-title-a-list", "title: {en: Bad, zh: 坏}", "title: [Bad]", "line 3", "field title", "not a list"),
    yaml_case("yaml-title-too-long", "title: {en: Bad, zh: 坏}", "title: {en: " + "B" * 301 + "}", "line 3",
              "field title.en", "301 characters, more than 300"),
    yaml_case("yaml-title-zh-mapping", "title: {en: Bad, zh: 坏}", "title: {en: Bad, zh: {a: b}}", "line 3",
              "field title.zh", "not a mapping"),
    yaml_case("yaml-title-unknown-language", "title: {en: Bad, zh: 坏}", "title: {en: Bad, fr: Mauvais}", "line 3",
              "field title.fr", "unknown key"),
    yaml_case("yaml-indicators-missing", "indicators:\n  - code: wto", "others:\n  - code: wto", "field others",
              "unknown key"),
    yaml_case("yaml-indicators-empty", CODEBOOK[CODEBOOK.index("indicators:\n  - code: wto"):], "indicators: []\n",
              "line 9", "field indicators", "non-empty list", ),
    yaml_case("yaml-indicators-a-mapping", CODEBOOK[CODEBOOK.index("indicators:\n  - code: wto"):],
              "indicators: {wto: x}\n", "line 9", "field indicators", "non-empty list"),
    yaml_case("yaml-indicator-a-string", "  - code: harmon\n", "  - harmon\n  - code: harmon2\n", "line 13",
              "field indicators[1]", "must be a mapping, not text"),
    yaml_case("yaml-indicator-code-missing", "  - code: harmon\n    question", "  - question", "line 13",
              "field indicators[1].code", "missing the indicator code"),
    yaml_case("yaml-indicator-code-not-slug", "  - code: harmon", "  - code: harmon level", "line 13",
              "field indicators[1].code", "letters, digits"),
    yaml_case("yaml-indicator-code-a-bool", "  - code: harmon", "  - code: no", "line 13", "field indicators[1].code",
              "must be text, not true/false"),
    yaml_case("yaml-indicator-code-too-long", "  - code: harmon", "  - code: " + "h" * 81, "line 13",
              "field indicators[1].code", "at most 80"),
    yaml_case("yaml-duplicate-indicator", "  - code: harmon", "  - code: wto", "line 13", "field indicators[1].code",
              "'wto' appears twice"),
    yaml_case("yaml-question-missing", '    question: {en: "Harmonisation?"}\n', "", "field indicators[1].question",
              "no English question"),
    yaml_case("yaml-question-a-list", '    question: {en: "Harmonisation?"}', "    question: [a, b]", "line 14",
              "field indicators[1].question", "not a list"),
    yaml_case("yaml-question-too-long", '    question: {en: "Harmonisation?"}', "    question: " + "q" * 2001,
              "line 14", "field indicators[1].question", "more than 2000"),
    yaml_case("yaml-level-unknown", "    level: ordinal", "    level: interval", "line 15", "field indicators[1].level",
              "nominal or ordinal"),
    yaml_case("yaml-level-a-list", "    level: ordinal", "    level: [ordinal]", "line 15", "field indicators[1].level",
              "not a list"),
    yaml_case("yaml-values-missing", '    values: {0: "no", 1: "yes"}\n', "", "field indicators[0].values",
              "needs 'values'"),
    yaml_case("yaml-values-a-list", '    values: {0: "no", 1: "yes"}', "    values: [0, 1]", "line 12",
              "field indicators[0].values", "needs 'values'"),
    yaml_case("yaml-value-not-integer", '    values: {0: "no", 1: "yes"}', '    values: {zero: "no"}', "line 12",
              "field indicators[0].values.zero", "not an integer code"),
    yaml_case("yaml-value-float", '    values: {0: "no", 1: "yes"}', '    values: {0: "no", 1.5: "yes"}', "line 12",
              "field indicators[0].values.1.5", "not an integer code"),
    yaml_case("yaml-value-bool", '    values: {0: "no", 1: "yes"}', '    values: {no: "no", yes: "yes"}', "line 12",
              "field indicators[0].values.False", "not an integer code"),
    yaml_case("yaml-value-huge", '    values: {0: "no", 1: "yes"}', '    values: {0: "no", 99999999999999999999: "yes"}',
              "line 12", "field indicators[0].values.99999999999999999999", "outside -9999..9999"),
    yaml_case("yaml-value-twice", '    values: {0: "no", 1: "yes"}', '    values: {0: "no", "0": "yes"}', "line 12",
              "field indicators[0].values.0", "value 0 appears twice"),
    yaml_case("yaml-value-label-a-list", '    values: {0: "no", 1: "yes"}', '    values: {0: [no], 1: "yes"}',
              "line 12", "field indicators[0].values.0", "not a list"),
    yaml_case("yaml-value-label-too-long", '    values: {0: "no", 1: "yes"}', '    values: {0: "' + "n" * 301 + '"}',
              "line 12", "field indicators[0].values.0", "more than 300"),
    yaml_case("yaml-guidance-a-number-list", '    guidance: {en: "Read chapter 6."}', "    guidance: [6]", "line 17",
              "field indicators[1].guidance", "not a list"),
    yaml_case("yaml-group-too-long", "    group: depth", "    group: " + "g" * 81, "line 18", "field indicators[1].group",
              "more than 80"),
    yaml_case("yaml-group-a-mapping", "    group: depth", "    group: {a: b}", "line 18", "field indicators[1].group",
              "not a mapping"),
    yaml_case("yaml-hints-a-string", "    hints: [harmoni]", "    hints: harmoni", "line 19", "field indicators[1].hints",
              "list of strings"),
    yaml_case("yaml-hints-numbers", "    hints: [harmoni]", "    hints: [1, 2]", "line 19", "field indicators[1].hints",
              "list of strings"),
    yaml_case("yaml-hint-too-long", "    hints: [harmoni]", "    hints: [" + "h" * 201 + "]", "line 19",
              "field indicators[1].hints", "at most 200 characters"),
    yaml_case("yaml-depth-a-list", "depth_score:\n  indicators: [wto]\n  range: [0, 1]\n  tiers:\n    - {name: one, min: 0, max: 1}\n",
              "depth_score: [wto]\n", "line 4", "field depth_score", "must be a mapping"),
    yaml_case("yaml-depth-unknown-indicator", "  indicators: [wto]", "  indicators: [wto, tbt_nope]", "line 5",
              "field depth_score.indicators[1]", "unknown indicator 'tbt_nope'"),
    yaml_case("yaml-depth-range-one-number", "  range: [0, 1]", "  range: [0]", "line 6", "field depth_score.range",
              "two numbers"),
    yaml_case("yaml-depth-range-nan", "  range: [0, 1]", "  range: [0, .nan]", "line 6", "field depth_score.range",
              "two numbers"),
    yaml_case("yaml-depth-range-reversed", "  range: [0, 1]", "  range: [1, 0]", "line 6", "field depth_score.range",
              "[min, max]"),
    yaml_case("yaml-tier-no-max", "    - {name: one, min: 0, max: 1}", "    - {name: one, min: 0}", "line 8",
              "field depth_score.tiers[0]", "name, min and max"),
    yaml_case("yaml-tier-min-above-max", "    - {name: one, min: 0, max: 1}", "    - {name: one, min: 2, max: 1}",
              "line 8", "field depth_score.tiers[0]", "min not above max"),
    yaml_case("yaml-tier-infinite", "    - {name: one, min: 0, max: 1}", "    - {name: one, min: 0, max: .inf}",
              "line 8", "field depth_score.tiers[0]", "numbers within"),
    yaml_case("yaml-tier-name-too-long", "    - {name: one, min: 0, max: 1}",
              "    - {name: " + "t" * 81 + ", min: 0, max: 1}", "line 8", "field depth_score.tiers[0].name", "more than 80"),
    Case("yaml-too-many-indicators", "codebook", ("line 3", "field indicators", "501 indicators, more than 500"),
         content="codebook: many\nindicators:\n" + "".join(f"  - {{code: i{n}, question: Q, values: {{0: no}}}}\n"
                                                          for n in range(501)), filename="many.yaml"),
]

# --- codings CSV (import_codings) ---------------------------------------------------------------
HEADER = "agreement,coder,indicator,value,evidence,note\n"


def csv_case(name, body, *expect, args=(), header=HEADER, **kwargs):
    content = header + body if isinstance(body, str) else header.encode() + body
    return Case(name, "codings_csv", expect, content=content, filename=f"{name}.csv", args=args, **kwargs)


GOOD_ROW = "desta:7,DESTA 2.1,wto,0,,\n"  # changes DESTA 2.1's wto: must be rolled back by a later error
DRAFT = ("--as-drafts", "--user", "supervisor")

CODINGS_CASES = [
    Case("csv-missing-columns", "codings_csv", ("line 1", "missing columns: indicator"),
         file="codings_missing_columns.csv"),
    csv_case("csv-empty", "", "line 1", "the file is empty", header=""),
    csv_case("csv-duplicate-column", "desta:7,DESTA 2.1,wto,1,,,1\n", "line 1", "column 'value' appears twice",
             header="agreement,coder,indicator,value,evidence,note,value\n"),
    csv_case("csv-unknown-agreement", GOOD_ROW + "desta:404,DESTA 2.1,wto,1,,\n", "line 3", "field agreement",
             "no agreement matches 'desta:404'"),
    csv_case("csv-malformed-agreement", "FTA 7,DESTA 2.1,wto,1,,\n", "line 2", "field agreement", "not an agreement reference"),
    csv_case("csv-agreement-huge-id", "99999999999999999999,DESTA 2.1,wto,1,,\n", "line 2", "field agreement",
             "no agreement matches"),
    csv_case("csv-agreement-too-long", "desta:" + "7" * 100 + ",DESTA 2.1,wto,1,,\n", "line 2", "field agreement",
             "more than 100 characters"),
    csv_case("csv-unknown-indicator", GOOD_ROW + "desta:7,DESTA 2.1,tbt_xyz,1,,\n", "line 3", "field indicator",
             "'tbt_xyz' is not an indicator of mini:1"),
    csv_case("csv-value-word", "desta:7,DESTA 2.1,wto,yes,,\n", "line 2", "field value", "'yes' is not an integer code"),
    csv_case("csv-value-float", "desta:7,DESTA 2.1,harmon,1.5,,\n", "line 2", "field value", "'1.5' is not an integer"),
    csv_case("csv-value-inf", "desta:7,DESTA 2.1,harmon,inf,,\n", "line 2", "field value", "'inf' is not an integer"),
    csv_case("csv-value-exponent", "desta:7,DESTA 2.1,harmon,1e308,,\n", "line 2", "field value", "'1e308' is not"),
    csv_case("csv-value-huge", "desta:7,DESTA 2.1,harmon,99999999999999999999,,\n", "line 2", "field value",
             "is not an integer code"),
    csv_case("csv-value-not-allowed", GOOD_ROW + "desta:7,DESTA 2.1,harmon,7,,\n", "line 3", "field value",
             "7 is not an allowed value of harmon"),
    csv_case("csv-value-negative", "desta:7,DESTA 2.1,wto,-1,,\n", "line 2", "field value", "-1 is not an allowed value"),
    csv_case("csv-empty-coder", "desta:7, ,wto,1,,\n", "line 2", "field coder", "empty coder"),
    csv_case("csv-coder-too-long", "desta:7," + "c" * 151 + ",wto,1,,\n", "line 2", "field coder", "at most 150"),
    csv_case("csv-unknown-article", "desta:7,DESTA 2.1,wto,1,60;99,\n", "line 2", "field evidence",
             "articles not in this treaty: 99"),
    csv_case("csv-evidence-without-text", "desta:8,DESTA 2.1,wto,1,60,\n", "line 2", "field evidence",
             "articles not in this treaty: 60"),
    csv_case("csv-duplicate-row", GOOD_ROW + "desta:7,DESTA 2.1,wto,1,,\n", "line 3", "field indicator",
             "codes wto of desta:7 twice (also line 2)"),
    csv_case("csv-too-many-fields", "desta:7,DESTA 2.1,wto,1,,,extra\n", "line 2", "7 fields, but the header has 6"),
    csv_case("csv-too-few-fields", GOOD_ROW + "desta:7,DESTA 2.1,harmon\n", "line 3", "3 fields, but the header has 6"),
    csv_case("csv-nul-byte", (GOOD_ROW + "desta:7,DESTA 2.1,harmon,1,,a\x00b\n").encode(), "line 3", "NUL byte"),
    csv_case("csv-latin1", (GOOD_ROW + "desta:7,Zoë,wto,1,,\n").encode("latin-1"), "line 3",
             "not UTF-8 text (byte 0xeb"),
    csv_case("csv-utf16", (HEADER + GOOD_ROW).encode("utf-16"), "line 1", "UTF-16", header=""),
    csv_case("csv-unclosed-quote", GOOD_ROW + 'desta:7,DESTA 2.1,harmon,1,,"never closed\n', "line 3",
             "not a CSV file (unexpected end of data)"),
    csv_case("csv-note-too-long", "desta:7,DESTA 2.1,wto,1,," + "n" * 10_001 + "\n", "line 2", "field note",
             "at most 10,000"),
    csv_case("csv-field-too-long", "desta:7,DESTA 2.1,wto,1,," + "n" * 100_001 + "\n", "line 2", "field note",
             "more than 100,000"),
    csv_case("csv-bom-then-bad-value", ("\ufeff" + HEADER + "desta:7,DESTA 2.1,wto,2,,\n").encode(), "line 2",
             "field value", "2 is not an allowed value", header=""),
    csv_case("csv-crlf-bad-row", (HEADER + GOOD_ROW + "desta:7,DESTA 2.1,wto,x,,\n").replace("\n", "\r\n"), "line 3",
             "field value", header=""),
    csv_case("csv-multiline-note-then-bad", 'desta:7,DESTA 2.1,wto,1,,"two\nlines"\ndesta:7,DESTA 2.1,harmon,9,,\n',
             "line 4", "field value", "9 is not an allowed value"),
    csv_case("csv-blank-line-then-bad", GOOD_ROW + "\ndesta:7,DESTA 2.1,harmon,9,,\n", "line 4", "field value"),
    Case("csv-too-large", "codings_csv", ("more than the limit of 52,428,800",), make=sparse_file(60 * 1024 * 1024),
         filename="huge.csv", whole_file=True),
    # people's work: refused with the line, nothing written
    csv_case("csv-login-coder", GOOD_ROW + "desta:7,coder_a,wto,1,,\n", "line 3", "field coder",
             "'coder_a' is a coder who logs in"),
    csv_case("csv-login-coder-with-reference", "desta:9,coder_b,wto,1,,\n", "line 2", "field coder",
             "'coder_b' is a coder who logs in", args=("--reference",)),
    csv_case("csv-login-coder-approved", "desta:10,coder_c,wto,1,,\n", "line 2", "field coder", "logs in",
             args=("--approved",)),
    csv_case("csv-drafts-submitted", GOOD_ROW + "desta:9,coder_a,wto,0,,\n", "line 3", "field coder",
             "coder_a has submitted the coding of Agreement", args=DRAFT),
    csv_case("csv-drafts-not-assigned", "desta:7,coder_b,wto,1,,\n", "line 2", "field coder",
             "coder_b is not assigned", args=DRAFT),
    csv_case("csv-drafts-without-user", "desta:9,coder_b,wto,1,,\n", "line 2", "field coder", "--user",
             args=("--as-drafts",)),
    csv_case("csv-drafts-and-approved", "desta:9,coder_b,wto,1,,\n", "do not go together",
             args=("--as-drafts", "--approved", "--user", "supervisor"), whole_file=True),
    csv_case("csv-unknown-coder", GOOD_ROW + "desta:7,nobody,wto,1,,\n", "line 3", "field coder",
             "no coder 'nobody'; --reference"),
    csv_case("csv-new-source-then-login-coder", "desta:7,new source,wto,1,,\ndesta:7,coder_a,wto,1,,\n", "line 3",
             "field coder", "logs in", args=("--reference",)),
    csv_case("csv-approved-open-adjudication", "desta:8,archive,wto,1,,\n", "line 2", "field agreement",
             "is in adjudication", args=("--approved",)),
    csv_case("csv-approved-change-without-user", "desta:7,archive,wto,1,,\ndesta:7,archive,harmon,3,,\n", "line 2",
             "field value", "needs --user", args=("--approved",)),
    csv_case("csv-approved-two-values", "desta:7,archive,harmon,2,,\ndesta:7,DESTA 2.1,harmon,1,,\n", "line 3",
             "field value", "harmon of A - B is 2 on line 2 and 1 here", args=("--approved",)),
]

# --- DESTA's list of treaties (import_desta_treaties) ------------------------------------------
LIST_HEADER = "number,name,entry_type,year,entryforceyear,typememb,regioncon,c1,c2\n"
LIST_ROW = "1001,A B,base_treaty,2003.0,2003.0,1,Asia,4,356\n"


def list_case(name, row, *expect, header=LIST_HEADER, **kwargs):
    content = header + LIST_ROW + row if isinstance(row, str) else (header + LIST_ROW).encode() + row
    return Case(name, "desta_list", expect, content=content, filename=f"{name}.csv", **kwargs)


DESTA_LIST_CASES = [
    Case("desta-number-abc", "desta_list", ("line 3", "field number", "'abc' is not a DESTA number"),
         file="desta_list_number_abc.csv"),
    list_case("desta-number-empty", ",C D,base_treaty,2004,2005,1,Asia,156,410\n", "line 3", "field number",
              "empty treaty number"),
    list_case("desta-number-dash", "12-3,C D,base_treaty,2004,2005,1,Asia,156,410\n", "line 3", "field number",
              "'12-3' is not a DESTA number"),
    list_case("desta-number-too-long", "12345678,C D,base_treaty,2004,2005,1,Asia,156,410\n", "line 3",
              "field number", "not a DESTA number"),
    list_case("desta-number-twice", LIST_ROW, "line 3", "field number", "1001 appears twice (first on line 2)"),
    list_case("desta-year-word", "1002,C D,base_treaty,soon,2005,1,Asia,156,410\n", "line 3", "field year",
              "'soon' is not a year"),
    list_case("desta-year-huge", "1002,C D,base_treaty,99999,2005,1,Asia,156,410\n", "line 3", "field year",
              "(1800 to 2100)"),
    list_case("desta-year-inf", "1002,C D,base_treaty,inf,2005,1,Asia,156,410\n", "line 3", "field year"),
    list_case("desta-year-fraction", "1002,C D,base_treaty,2003.5,2005,1,Asia,156,410\n", "line 3", "field year"),
    list_case("desta-entryforceyear-negative", "1002,C D,base_treaty,2004,-1,1,Asia,156,410\n", "line 3",
              "field entryforceyear"),
    list_case("desta-typememb-zero", "1002,C D,base_treaty,2004,2005,0,Asia,156,410\n", "line 3", "field typememb",
              "not a membership type"),
    list_case("desta-name-too-long", "1002," + "N" * 301 + ",base_treaty,2004,2005,1,Asia,156,410\n", "line 3",
              "field name", "301 characters, more than 300"),
    list_case("desta-region-too-long", "1002,C D,base_treaty,2004,2005,1," + "R" * 81 + ",156,410\n", "line 3",
              "field regioncon", "more than 80"),
    list_case("desta-entry-type-too-long", "1002,C D," + "e" * 41 + ",2004,2005,1,Asia,156,410\n", "line 3",
              "field entry_type", "more than 40"),
    list_case("desta-list-missing-columns", "", "line 1", "missing columns: typememb",
              header=LIST_HEADER.replace("typememb,", "").replace(",1,Asia", ",Asia")),
    list_case("desta-list-latin1", "1002,Côte d'Ivoire,base_treaty,2004,2005,1,Africa,384,\n".encode("latin-1"),
              "line 3", "not UTF-8 text"),
    list_case("desta-list-nul", b"1002,C\x00D,base_treaty,2004,2005,1,Asia,156,410\n", "line 3", "NUL byte"),
    list_case("desta-list-short-row", "1002,C D,base_treaty\n", "line 3", "3 fields, but the header has 9"),
    Case("desta-list-too-large", "desta_list", ("more than the limit",), make=sparse_file(60 * 1024 * 1024),
         filename="huge_list.csv", whole_file=True),
]

# --- DESTA's codings (import_desta_codings) ------------------------------------------------------
DESTA_CODINGS_HEADER = "number,name,wto,harmon\n"


def desta_codings_case(name, rows, *expect, header=DESTA_CODINGS_HEADER, args=()):
    content = header + rows if isinstance(rows, str) else header.encode() + rows
    return Case(name, "desta_codings", expect, content=content, filename=f"{name}.csv", args=args)


DESTA_CODINGS_CASES = [
    desta_codings_case("destacodings-number-abc", "7,A B,0,1\nabc,X,1,1\n", "line 3", "field number",
                       "'abc' is not a DESTA number"),
    desta_codings_case("destacodings-number-empty", "7,A B,0,1\n,X,1,1\n", "line 3", "field number", "empty"),
    desta_codings_case("destacodings-number-twice", "7,A B,0,1\n7,A B,1,1\n", "line 3", "field number",
                       "appears twice (also line 2)"),
    desta_codings_case("destacodings-value-word", "7,A B,zero,1\n", "line 2", "field wto", "'zero' is not an integer"),
    desta_codings_case("destacodings-value-not-allowed", "7,A B,0,5\n", "line 2", "field harmon", "5 is not allowed"),
    desta_codings_case("destacodings-value-fraction", "7,A B,0.5,1\n", "line 2", "field wto", "not an integer code"),
    desta_codings_case("destacodings-no-indicator-columns", "7,A B\n", "line 1", "expected 'number' and indicator",
                       header="number,name\n"),
    desta_codings_case("destacodings-no-number-column", "A B,0,1\n", "line 1", "missing columns: number",
                       header="name,wto,harmon\n"),
    desta_codings_case("destacodings-latin1", "7,Zoë,0,1\n".encode("latin-1"), "line 2", "not UTF-8"),
    desta_codings_case("destacodings-login-coder", "7,A B,0,1\n", "line 2", "field coder", "'coder_a' is a coder who logs in",
                       args=("--name", "coder_a")),
]

# --- treaty texts (import_text) ------------------------------------------------------------------
TEXT = "Chapter 1 General Provisions\nArticle 1 Objectives\nThe Parties agree.\n"


def text_case(name, content, *expect, filename=None, **kwargs):
    return Case(name, "text", expect, content=content, filename=filename or f"{name}.txt", **kwargs)


TEXT_CASES = [
    text_case("text-undecodable", TEXT.encode() + "Capítulo 2\n".encode("latin-1") + b"\x81\n", "line 4",
              "cannot decode the text", "save it as UTF-8"),
    text_case("text-nul-in-middle", TEXT.encode() + b"Article 2\x00\n", "line 4", "NUL bytes"),
    text_case("text-utf16-without-bom", TEXT.encode("utf-16-le"), "line 1", "UTF-16 text needs its byte-order mark"),
    text_case("text-bom-but-not-utf8", codecs.BOM_UTF8 + TEXT.encode() + b"\xff\xfe\xfa\n", "line 4",
              "UTF-8 byte-order mark but is not valid UTF-8"),
    text_case("text-utf16-truncated", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")[:-1], "line 3",
              "UTF-16 byte-order mark but is not valid UTF-16"),
    text_case("text-utf16-lone-surrogate", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x00\xd8A\x00", "line 4",
              "not valid UTF-16"),
    text_case("text-utf32-truncated", codecs.BOM_UTF32_LE + "第一章".encode("utf-32-le")[:-2], "line 1",
              "UTF-32 byte-order mark but is not valid UTF-32"),
    Case("text-57-mb", "text", ("more than the limit of 20,971,520 (setting TEXT_MAX_BYTES)",),
         make=sparse_file(57 * 1024 * 1024), filename="huge.txt", whole_file=True),
    text_case("text-over-setting", TEXT * 50, "more than the limit of 1,000 (setting TEXT_MAX_BYTES)",
              settings={"TEXT_MAX_BYTES": 1000}, whole_file=True),
    text_case("text-empty", b"", "the file is empty", whole_file=True),
    text_case("text-only-whitespace", "  \n\t\n", "the file is empty", whole_file=True),
    text_case("text-fake-pdf", b"not a pdf at all", "not a PDF file", filename="fake.pdf", whole_file=True),
    text_case("text-truncated-pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF",
              filename="cut.pdf", whole_file=True),
    text_case("text-binary", bytes(range(1, 32)) * 100, "binary content", whole_file=True),
    text_case("text-docx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "line 1", "binary content", filename="treaty.docx"),
]

# --- ToTA XML (import_tota) ----------------------------------------------------------------------


def tota(meta="<treaty_identifier>9001</treaty_identifier><name>X - Y</name>",
         body='<chapter chapter_identifier="1" name="One"><article article_identifier="1">Text.</article></chapter>'):
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<treaty>\n<meta>{meta}</meta>\n<body>{body}</body>\n</treaty>\n'


def tota_case(name, content, *expect):
    return Case(f"tota-{name}", "tota", expect, content=content, filename=f"pta_{name}.xml")


TOTA_CASES = [
    Case("tota-entity-bomb", "tota", ("line 1", "malformed XML"), file="xml_bomb.xml"),
    Case("tota-external-entity", "tota", ("line 1", "DOCTYPE (DTD or entities) is not allowed"), file="xxe.xml"),
    tota_case("unclosed-tag", tota().replace("</body>", ""), "line 5", "malformed XML"),
    tota_case("wrong-root", tota().replace("treaty>", "agreement>"), "line 2", "root element is <agreement>"),
    tota_case("no-identifier", tota(meta="<name>X - Y</name>"), "line 3", "field treaty_identifier", "missing"),
    tota_case("identifier-word", tota(meta="<treaty_identifier>abc</treaty_identifier><name>X</name>"), "line 3",
              "field treaty_identifier", "'abc' is not an id"),
    tota_case("identifier-huge", tota(meta="<treaty_identifier>99999999999</treaty_identifier><name>X</name>"),
              "line 3", "field treaty_identifier", "not an id"),
    tota_case("bad-date", tota(meta="<treaty_identifier>9001</treaty_identifier><name>X</name>"
                                    "<date_signed>2007-13-45</date_signed>"), "line 3", "field date_signed"),
    tota_case("duplicate-article", tota(body='<chapter><article article_identifier="1">a</article>'
                                              '<article article_identifier="1">b</article></chapter>'), "line 4",
              "article_identifier '1' appears twice"),
    tota_case("long-article-id", tota(body=f'<chapter><article article_identifier="{"9" * 41}">a</article></chapter>'),
              "line 4", "field article_identifier", "longer than 40"),
    tota_case("bad-party", tota(meta="<treaty_identifier>9001</treaty_identifier><name>X</name>"
                                     "<parties><partyisocode>CHINA</partyisocode></parties>"), "line 3",
              "field partyisocode", "not an ISO 3166 alpha-3 code"),
    tota_case("long-language", tota(meta="<treaty_identifier>9001</treaty_identifier><name>X</name>"
                                         "<language>English and French</language>"), "line 3", "field language"),
]

CASES = CODEBOOK_CASES + CODINGS_CASES + DESTA_LIST_CASES + DESTA_CODINGS_CASES + TEXT_CASES + TOTA_CASES
