"""What changed between two versions of a codebook, per indicator. Pure: no Django.

An indicator is a dict with code, question_en/zh, guidance_en/zh, level and allowed_values
([{value, label_en, label_zh}]). Its question, values (codes, labels, level) and guidance are
compared. A change makes the indicator "changed": codings made under the old wording are
re-checked (services/recheck.py). One kind of change is not: a Chinese text added where the old
version had none ("translation added"), since nobody coded under a wording that did not exist
(the workspace showed the English). Keyword hints are a reading aid and are not compared.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# An indicator as plain data (selectors/recheck.py builds these from a codebook version).
IndicatorDict = Mapping[str, Any]

TEXT_FIELDS = {"question": ("question_en", "question_zh"), "guidance": ("guidance_en", "guidance_zh")}


@dataclass
class FieldChange:
    part: str  # "question" | "values" | "guidance"
    name: str  # the field, e.g. "question_en", "level", "value 2", "label_zh of 1"
    old: object
    new: object
    substantive: bool = True


@dataclass
class IndicatorChange:
    code: str
    status: str  # "changed" | "unchanged" | "added" | "removed"
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def recheck(self) -> bool:
        """Codings under the old version need a new look at this indicator."""
        return self.status in {"changed", "added"}

    @property
    def parts(self) -> list[str]:
        return sorted({c.part for c in self.changes}, key=["question", "values", "guidance"].index)


def _text_change(part: str, name: str, old: str | None, new: str | None, *, chinese: bool) -> FieldChange | None:
    before, after = (old or "").strip(), (new or "").strip()
    if before == after:
        return None
    return FieldChange(part, name, before, after, substantive=not (chinese and not before))


def _value_changes(old: IndicatorDict, new: IndicatorDict) -> list[FieldChange]:
    changes = []
    if old.get("level") != new.get("level"):
        changes.append(FieldChange("values", "level", old.get("level"), new.get("level")))
    old_values = {v["value"]: v for v in old.get("allowed_values") or []}
    new_values = {v["value"]: v for v in new.get("allowed_values") or []}
    for value in sorted(set(old_values) | set(new_values)):
        before, after = old_values.get(value), new_values.get(value)
        if before is None or after is None:
            changes.append(
                FieldChange(
                    "values", f"value {value}", before and before.get("label_en"), after and after.get("label_en")
                )
            )
            continue
        for language in ("en", "zh"):
            change = _text_change(
                "values",
                f"label_{language} of {value}",
                before.get(f"label_{language}"),
                after.get(f"label_{language}"),
                chinese=language == "zh",
            )
            if change:
                changes.append(change)
    return changes


def indicator_changes(
    old_indicators: Sequence[IndicatorDict], new_indicators: Sequence[IndicatorDict]
) -> list[IndicatorChange]:
    """[IndicatorChange] in the new version's order, then indicators the new version dropped."""
    old_by_code = {i["code"]: i for i in old_indicators}
    result = []
    for new in new_indicators:
        old = old_by_code.get(new["code"])
        if old is None:
            result.append(IndicatorChange(new["code"], "added"))
            continue
        changes = []
        for part, names in TEXT_FIELDS.items():
            if part == "guidance":
                changes += _value_changes(old, new)
            for name in names:
                change = _text_change(part, name, old.get(name), new.get(name), chinese=name.endswith("_zh"))
                if change:
                    changes.append(change)
        status = "changed" if any(c.substantive for c in changes) else "unchanged"
        result.append(IndicatorChange(new["code"], status, changes))
    new_codes = {i["code"] for i in new_indicators}
    result += [IndicatorChange(i["code"], "removed") for i in old_indicators if i["code"] not in new_codes]
    return result


def changed_codes(old_indicators: Sequence[IndicatorDict], new_indicators: Sequence[IndicatorDict]) -> set[str]:
    """Codes of the new version's indicators that codings under the old version must re-check."""
    return {c.code for c in indicator_changes(old_indicators, new_indicators) if c.recheck}
