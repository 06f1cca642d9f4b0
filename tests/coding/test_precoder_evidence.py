"""The evidence a suggestion cites (coding/precoder/evidence.py): for a 1 the sentence that holds
the indicator's hints, in the treaty's TBT chapter when it has one, with its exact span; for a 0
no article and the chapters searched. Synthetic treaties, and two real ToTA files when
../shared/data is there."""

from pathlib import Path

import pytest

from coding.precoder.evidence import cite, is_tbt_title, sentence_spans, tbt_section
from coding.precoder.features import TreatyArticle
from coding.precoder.languages import hint_patterns

WTO_HINTS = ("Agreement on Technical Barriers to Trade", "TBT Agreement", "Standards Code")
TOTA = Path(__file__).resolve().parents[3] / "shared" / "data" / "tota"


def article(identifier, chapter, text, heading=""):
    return TreatyArticle(identifier=identifier, chapter=chapter, text=text, heading=heading, label=f"Art. {identifier}")


TREATY = [
    article("1", "General Provisions", "The Parties establish a free trade area. They reaffirm the WTO Agreement."),
    article(
        "2",
        "Trade in Goods",
        "Each Party shall apply the Agreement on Technical Barriers to Trade to customs. Duties are removed.",
    ),
    article("3", "Sanitary And Phytosanitary Measures And Food Standards", "Food standards shall be notified."),
    article(
        "4",
        "Technical Barriers to Trade",
        "This Chapter applies to technical regulations.\nThe Parties affirm their rights under the "
        "Agreement on Technical Barriers to Trade; they shall cooperate.",
    ),
    article("5", "Technical Barriers to Trade", "Each Party shall designate a contact point."),
]


@pytest.mark.parametrize(
    ("title", "tbt"),
    [
        ("Technical Barriers to Trade", True),
        ("Standards And Conformance", True),
        ("Obstáculos Técnicos al Comercio", True),
        ("Medidas De Normalización, Metrología Y Procedimientos De Autorización", True),
        ("Obstacles techniques au commerce", True),
        ("Sanitary And Phytosanitary Measures And Food Standards", False),
        ("Labour Standards", False),
        ("Trade in Goods", False),
    ],
)
def test_the_tbt_chapter_is_found_by_its_title_in_three_languages(title, tbt):
    assert is_tbt_title(title) is tbt


def test_sentence_spans_split_at_stops_and_line_breaks_with_exact_offsets():
    text = "First one. Second; third\n  (a) item:  last"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second;", "third", "(a) item:", "last"]


def test_a_one_cites_the_sentence_in_the_tbt_chapter_even_when_the_model_read_it_elsewhere():
    section = tbt_section(TREATY)
    assert section.by == "chapter" and sorted(section.positions) == [3, 4]
    citation = cite(TREATY, value=1, patterns=hint_patterns(WTO_HINTS, "en"), model_evidence=[{"article": "2"}])
    first = citation.evidence[0]
    assert (first["article"], first["number"], first["in_tbt_chapter"]) == ("4", "Art. 4", True)
    text = TREATY[3].text
    assert text[first["start"] : first["end"]] == first["sentence"]
    assert first["sentence"] == ("The Parties affirm their rights under the Agreement on Technical Barriers to Trade;")
    assert [e["article"] for e in citation.evidence] == ["4"]  # the TBT chapter holds a hint: nothing outside
    assert citation.chapters_searched == []


def test_a_zero_cites_nothing_and_lists_the_chapters_searched():
    citation = cite(TREATY, value=0, patterns=hint_patterns(WTO_HINTS, "en"))
    assert citation.evidence == []
    assert citation.chapters_searched == ["Technical Barriers to Trade", "Trade in Goods"]
    abstained = cite(TREATY, value=None, patterns=hint_patterns(WTO_HINTS, "en"))
    assert abstained.evidence == [] and abstained.chapters_searched == citation.chapters_searched


def test_without_a_tbt_chapter_the_hint_sentence_anywhere_and_headed_articles_count():
    plain = [TREATY[0], TREATY[1]]
    citation = cite(plain, value=1, patterns=hint_patterns(WTO_HINTS, "en"))
    assert citation.evidence[0]["article"] == "2" and citation.evidence[0]["tbt_chapter"] is False
    headed = [*plain, article("9", "", "Standards shall not be obstacles.", heading="Standards")]
    assert tbt_section(headed).by == "article heading" and tbt_section(headed).titles == ("Standards",)
    # a 1 with no hint anywhere points at the TBT section, score 0: no wording behind the claim
    bare = cite(headed, value=1, patterns=hint_patterns(("mutual recognition",), "en"))
    assert bare.evidence[0]["article"] == "9" and bare.evidence[0]["score"] == 0


def test_a_spanish_treaty_is_cited_with_its_own_terms():
    treaty = [
        article("1", "Disposiciones Iniciales", "Las Partes establecen una zona de libre comercio."),
        article(
            "2",
            "Obstáculos Técnicos al Comercio",
            "Las Partes confirman sus derechos conforme al Acuerdo sobre Obstáculos Técnicos al Comercio de la OMC.",
        ),
    ]
    citation = cite(treaty, value=1, patterns=hint_patterns(WTO_HINTS, "es"))
    assert citation.evidence[0]["article"] == "2" and "Obstáculos Técnicos" in citation.evidence[0]["sentence"]


@pytest.mark.skipif(not TOTA.exists(), reason=f"{TOTA} not found (ToTA texts in ../shared/data)")
@pytest.mark.parametrize(("name", "language"), [("pta_7.xml", "en"), ("pta_49.xml", "es")])
def test_real_tota_treaties_cite_their_tbt_chapter(name, language):
    from coding.importers.tota import parse_tota_file

    parsed = parse_tota_file(TOTA / name)
    treaty = [
        TreatyArticle(identifier=a.identifier, chapter=c.name, text=a.text, heading=a.heading, label=a.number)
        for c in parsed.chapters
        for a in c.articles
    ]
    section = tbt_section(treaty)
    assert section.by == "chapter"
    hints = {"tbt_prov": ("technical barriers to trade", "technical regulation", "conformity assessment")}
    hints["tbt_intstand"] = ("international standard", "regional standard", "international organizations")
    for code, words in hints.items():
        first = cite(treaty, value=1, patterns=hint_patterns(words, language), section=section).evidence[0]
        assert first["in_tbt_chapter"] and first["score"] >= 1, (name, code, first)
        assert treaty[[a.identifier for a in treaty].index(first["article"])].text[first["start"] : first["end"]]
