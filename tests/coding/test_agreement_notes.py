"""The statistics module writes its warnings in English (CLI, JSON); pages show them in the
reader's language. Every warning the module can produce must be recognised and translated."""

import numpy as np
import pytest
from django.utils import translation

from coding.pure import reliability
from coding.templatetags.agreement_notes import agreement_note, measurement_level


def all_warnings():
    no_variation = [[1, 1], [1, 1], [1, 1]]
    prevalent = [[1, 1]] * 19 + [[0, 1]]
    with_missing = [[1, 0], [0, np.nan], [1, 1], [np.nan, 0]]
    outside = [[0, 1], [1, 7], [0, 0]]
    warnings = []
    for matrix in (no_variation, prevalent, with_missing, outside):
        warnings += reliability.indicator_summary(matrix, categories=[0, 1])["warnings"]
    return warnings


def test_every_kind_of_warning_is_produced():
    starts = [w.split(" ")[0] for w in all_warnings()]
    assert {"every", "value", "values"} <= set(starts) and any("not coded by every coder" in w for w in all_warnings())


@pytest.mark.parametrize("warning", all_warnings())
def test_each_warning_is_translated_into_chinese(warning):
    with translation.override("zh-hans"):
        translated = agreement_note(warning)
    assert translated != warning and any("\u4e00" <= ch <= "\u9fff" for ch in translated), translated
    for number in [
        token for token in warning.replace(":", " ").replace(",", " ").split() if token.rstrip("%").isdigit()
    ]:
        assert number in translated  # the values and shares survive translation


def test_english_stays_english_and_unknown_text_passes_through():
    with translation.override("en"):
        assert agreement_note(all_warnings()[0]).startswith("every coding is 1")
        assert agreement_note("something new") == "something new"
    with translation.override("zh-hans"):
        assert measurement_level("ordinal") != "ordinal"
