"""The statistics module writes its warnings in English (CLI, JSON) and as notes (a template with
its parameters); pages show the notes in the reader's language. Every warning the module can
produce must have a note that is translated."""

import numpy as np
import pytest
from django.utils import translation

from coding.pure import reliability
from coding.pure.notes import english
from coding.templatetags.agreement_notes import agreement_note, measurement_level


def summaries():
    no_variation = [[1, 1], [1, 1], [1, 1]]
    prevalent = [[1, 1]] * 19 + [[0, 1]]
    with_missing = [[1, 0], [0, np.nan], [1, 1], [np.nan, 0]]
    outside = [[0, 1], [1, 7], [0, 0]]
    return [
        reliability.indicator_summary(matrix, categories=[0, 1])
        for matrix in (no_variation, prevalent, with_missing, outside)
    ]


def all_warnings():
    return [warning for summary in summaries() for warning in summary["warnings"]]


def all_notes():
    return [note for summary in summaries() for note in summary["warning_notes"]]


def test_every_kind_of_warning_is_produced():
    starts = [w.split(" ")[0] for w in all_warnings()]
    assert {"every", "value", "values"} <= set(starts) and any("not coded by every coder" in w for w in all_warnings())


@pytest.mark.parametrize("note", all_notes())
def test_each_warning_is_translated_into_chinese(note):
    warning = english(note)
    with translation.override("zh-hans"):
        translated = agreement_note(note)
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
        assert (measurement_level("nominal"), measurement_level("interval")) == ("名义", "定距")
