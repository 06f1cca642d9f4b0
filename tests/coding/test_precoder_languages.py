"""Spanish and French texts are pre-coded (coding/precoder/languages.py): the language of a text
from its metadata or its words, the term lists that gloss it for the English model and find the
hints in it, and a batch that pre-codes what it can and lists the rest with the reason."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from coding.models import Coding
from coding.precoder.features import TreatyArticle
from coding.precoder.languages import detect_language, gloss, hint_patterns, treaty_language
from tests.coding.test_precoder import corpus, model, refs_file  # noqa: F401 - fixtures
from tests.factories import AgreementFactory, add_text

ES = (
    "Las Partes confirman sus derechos y obligaciones conforme al Acuerdo sobre Obstáculos Técnicos al "
    "Comercio de la OMC y cooperarán en materia de reglamentos técnicos y evaluación de la conformidad."
)
FR = (
    "Les parties confirment les droits et les obligations de l'accord sur les obstacles techniques au "
    "commerce et coopèrent dans le domaine des règlements techniques et de l'évaluation de la conformité."
)
EN = "The Parties affirm their rights and obligations under the Agreement on Technical Barriers to Trade."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (EN, "en"),
        (ES, "es"),
        (FR, "fr"),
        ("Die Vertragsparteien arbeiten bei technischen Vorschriften zusammen.", None),
    ],
)
def test_the_language_of_a_text_is_told_by_its_common_words(text, language):
    assert detect_language(text) == language


def test_metadata_names_the_language_before_the_words_do():
    articles = [TreatyArticle(identifier="1", chapter="", text=EN)]
    assert treaty_language("Spanish", articles) == "es" and treaty_language("fr-CA", articles) == "fr"
    assert treaty_language("", articles) == "en"


def test_a_spanish_and_a_french_sentence_are_glossed_into_the_terms_the_model_knows():
    for text, language in ((ES, "es"), (FR, "fr")):
        glossed = gloss(text, language)
        for term in ("agreement on technical barriers to trade", "technical regulation", "conformity assessment"):
            assert term in glossed, (language, term, glossed)
    assert gloss(EN, "en") == EN


def test_hint_patterns_find_the_codebooks_hints_in_each_language():
    wto = ("Agreement on Technical Barriers to Trade", "TBT Agreement", "Standards Code")
    for text, language in ((EN, "en"), (ES, "es"), (FR, "fr")):
        assert any(p.search(text) for p in hint_patterns(wto, language)), language
    assert not any(p.search(ES) for p in hint_patterns(("mutual recognition",), "es"))


def test_a_batch_precodes_spanish_and_lists_what_it_cannot_with_exit_0(model, corpus, tmp_path):  # noqa: F811 - the fixtures imported above
    spanish = add_text(
        AgreementFactory(name="Tratado", desta_number="802", language="es"),
        [
            ("1", "Disposiciones Iniciales", [("1", "Las Partes establecen una zona.")]),
            ("2", "Obstáculos Técnicos al Comercio", [("20", ES)]),
        ],
    )
    without_text = AgreementFactory(name="No text", desta_number="801")
    out, err = io.StringIO(), io.StringIO()
    refs = refs_file(tmp_path, spanish, without_text)
    call_command("precode", "--codebook", "mini", "--agreements", refs, "--format", "json", stdout=out, stderr=err)
    rows = json.loads(out.getvalue())
    assert {r["agreement"] for r in rows} == {"desta:802"}
    wto = next(r for r in rows if r["indicator"] == "wto")
    assert wto["value"] == 1, wto  # read through the Spanish term list by an English-trained model
    assert wto["evidence"][0]["article"] == "20" and wto["evidence"][0]["sentence"] == ES
    assert "1 agreements not pre-coded" in err.getvalue() and "desta:801 (No text) has no text" in err.getvalue()
    assert Coding.objects.filter(coder=model.coder, agreement=spanish).exists()
    with pytest.raises(CommandError, match="has no text"):
        call_command("precode", "--codebook", "mini", "--strict", "--agreements", refs, stdout=io.StringIO())
    with pytest.raises(CommandError, match="none of the 1 agreements could be pre-coded"):
        call_command("precode", "--codebook", "mini", "--agreements", refs_file(tmp_path, without_text))
