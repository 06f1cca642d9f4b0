"""A codebook's sample rules ("inclusion"), parsed as data and checked against released rows. Pure:
no Django.

A codebook YAML may declare which agreements belong in the sample, e.g. the study keeps only
FTAs with TBT provisions:

    inclusion: ["tbt_prov = 1"]

The grammar is deliberately tiny: INDICATOR = VALUE, one rule per string, the indicator one of the
codebook's codes and the value one of its allowed values. Anything else (other operators,
expressions, unknown codes) is refused, so a rule can never be code. A release lists the
agreements whose codes break a rule (and those whose code for the rule's indicator is missing:
missing is not 0); `release_dataset --strict` refuses to release them.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

RULES_MAX = 50
RULE_TEXT_MAX = 200
# INDICATOR = VALUE: an indicator code as the codebook spells it (a slug) and an integer code.
RULE = re.compile(r"\s*([-a-zA-Z0-9_]+)\s*=\s*([+-]?[0-9]{1,9})\s*")


class RuleError(ValueError):
    """A rule that is not INDICATOR = VALUE for this codebook; `index` is its place in the list
    (None: the list itself is wrong)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message, self.index = message, index


@dataclass(frozen=True)
class Rule:
    indicator: str
    value: int

    @property
    def text(self) -> str:
        return f"{self.indicator} = {self.value}"


def parse_rules(raw: object, allowed: Mapping[str, Iterable[int]]) -> list[Rule]:
    """The rules of a codebook's `inclusion` field: None or [] is no rule; otherwise a list of
    strings "INDICATOR = VALUE", each naming an indicator of `allowed` ({code: allowed values})
    and one of its values. RuleError naming the rule otherwise."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RuleError('must be a list of rules such as ["tbt_prov = 1"]')
    if len(raw) > RULES_MAX:
        raise RuleError(f"{len(raw)} rules, more than {RULES_MAX}")
    rules: list[Rule] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str):
            raise RuleError(f'a rule is text such as "tbt_prov = 1", not {type(item).__name__}', index)
        match = RULE.fullmatch(item) if len(item) <= RULE_TEXT_MAX else None
        if match is None:
            raise RuleError(f"'{item[:60]}' is not a rule: write INDICATOR = VALUE, e.g. tbt_prov = 1", index)
        code, value = match.group(1), int(match.group(2))
        if code not in allowed:
            raise RuleError(f"'{item[:60]}' names unknown indicator '{code}'", index)
        values = sorted(set(allowed[code]))
        if value not in values:
            raise RuleError(
                f"'{item[:60]}': {value} is not a value of {code} (values: {', '.join(map(str, values))})", index
            )
        rule = Rule(code, value)
        if rule in rules:
            raise RuleError(f"'{item[:60]}' appears twice", index)
        rules.append(rule)
    return rules


def rules_in_codebook_text(text: str, allowed: Mapping[str, Iterable[int]]) -> list[Rule]:
    """The rules of a stored codebook source (a version keeps its YAML; its content hash covers the
    rules, so a version's rules never change). [] when the text declares none or no longer parses."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    try:
        return parse_rules(data.get("inclusion"), allowed)
    except RuleError:  # refused at import; a stored text cannot carry one, but never crash a release
        return []


def breaches(rules: Sequence[Rule], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per released row and rule it does not meet: `value` is the row's code (None:
    missing, so the row cannot be shown to meet the rule). In row order, then rule order."""
    found: list[dict[str, Any]] = []
    for row in rows:
        for rule in rules:
            value = row.get(rule.indicator)
            if value is not None and float(value) == rule.value:
                continue
            found.append(
                {
                    "agreement_id": row.get("agreement_id"),
                    "name": row.get("name", ""),
                    "desta_number": row.get("desta_number"),
                    "rule": rule.text,
                    "value": value,
                }
            )
    return found


def describe(breach: Mapping[str, Any]) -> str:
    """One breach in words (English: commands and refusals; the page translates its own)."""
    desta = f" (desta:{breach['desta_number']})" if breach.get("desta_number") else ""
    value = "missing" if breach.get("value") is None else breach["value"]
    return f"{breach['name']}{desta}: {breach['rule'].split(' = ')[0]} is {value}, the rule is {breach['rule']}"


def inclusion_summary(rules: Sequence[Rule], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a release stores: the rules as text and the rows that break them."""
    return {"rules": [rule.text for rule in rules], "breaches": breaches(rules, rows)}
