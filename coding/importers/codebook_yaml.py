"""Parse a codebook YAML file into plain data, with errors that name the line and field. No Django here.

Shape (see ../shared/codebook/): codebook, version, title{en,zh}, optional depth_score
{indicators, range, tiers[{name,min,max}]}, indicators[{code, question{en,zh}, values{v: label},
level, guidance{en,zh}, group, hints[...]}]. A value label may be a string or {en, zh}.

Versions: the content hash (what makes a new version) covers the coding instrument only.
Keyword hints (`hints:` / `keyword_hints:`) are a reading aid that marks candidate articles in
the coder workspace, not part of the instrument, so they are left out of the hash: a file that
differs from an existing version only in its hints is the same version. Importing it updates
that version's hints in place when the file carries hints, and keeps the existing hints when it
carries none (so ../shared/codebook/desta_tbt.yaml, which has no hints, does not erase the demo's).
"""

import datetime
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ..pure.inclusion_rules import RuleError, parse_rules
from .csvfile import file_size_check, line_of
from .errors import ImportFailed
from .yaml_safe import FieldPath, lines_by_path, load

Fail = Callable[..., NoReturn]  # fail(message, *field path): raises ImportFailed naming the line

LEVELS = {"nominal", "ordinal"}
# Limits: the model's max_length for each CharField, a generous cap for text fields, bounds for numbers.
CODEBOOK_MAX_BYTES = 1024 * 1024
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # Django's slug: the codebook code is part of its page's URL
SLUG_MAX, LABEL_MAX, TITLE_MAX, GROUP_MAX, SOURCE_NAME_MAX = 80, 40, 300, 80, 300
QUESTION_MAX, GUIDANCE_MAX, LABEL_TEXT_MAX, TIER_NAME_MAX = 2_000, 20_000, 300, 80
INDICATORS_MAX, VALUES_MAX, HINTS_MAX, HINT_MAX, TIERS_MAX = 500, 100, 50, 200, 20
VALUE_BOUNDS = (-9999, 9999)  # value codes are stored in 32-bit integer columns; real ones are small
NUMBER_MAX = 1e6  # depth-score range and tier bounds
TOP_KEYS = {"codebook", "version", "title", "depth_score", "indicators", "inclusion"}
INDICATOR_KEYS = {"code", "question", "values", "level", "guidance", "group", "hints", "keyword_hints"}
# Chinese labels for the labels nearly every yes/no indicator uses, so the zh UI is complete.
COMMON_LABELS_ZH = {"no": "否", "yes": "是"}


@dataclass
class ParsedIndicator:
    code: str
    question_en: str
    question_zh: str
    level: str
    allowed_values: list[dict[str, Any]]
    guidance_en: str = ""
    guidance_zh: str = ""
    group: str = ""
    keyword_hints: list[str] = field(default_factory=list)


@dataclass
class ParsedCodebook:
    code: str
    label: str
    title_en: str
    title_zh: str
    indicators: list[ParsedIndicator]
    depth_indicators: list[str]
    depth_range: list[float] | None
    tiers: list[dict[str, Any]]
    content_hash: str
    source_text: str
    source_name: str
    inclusion: list[str] = field(default_factory=list)  # sample rules, "INDICATOR = VALUE"

    @property
    def has_hints(self) -> bool:
        return any(ind.keyword_hints for ind in self.indicators)


def _kind(value: object) -> str:
    """How a YAML value reads to the person who wrote it."""
    if value is None:
        return "nothing"
    for kinds, name in (
        (bool, "true/false"),
        ((int, float), "a number"),
        (str, "text"),
        (dict, "a mapping"),
        (list, "a list"),
        ((datetime.date, datetime.datetime), "a date"),
        (bytes, "binary data"),
    ):
        if isinstance(value, kinds):
            return name
    return type(value).__name__


def _known_keys(mapping: Iterable[Any], known: set[str], where: FieldPath, fail: Fail) -> None:
    for key in mapping:
        if key not in known:
            fail(
                f"unknown key '{str(key)[:SLUG_MAX]}' (known: {', '.join(sorted(known))})", *where, str(key)[:SLUG_MAX]
            )


def _integer_code(value: object) -> int | None:
    """A value code written as an integer (0, -1, "2"); None for anything else (1.5, true, "a")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,9}", value.strip()):
        return int(value)
    return None


def _bounded_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or abs(value) > NUMBER_MAX:
        return None
    return float(value)


HINT_KEYS = ("hints", "keyword_hints")


def content_hash(data: Any) -> str:
    """Hash the meaning, not the bytes: comments and layout changes are not a new version, and
    neither are keyword hints (a reading aid, not part of the instrument; see the module doc)."""
    if isinstance(data, dict) and isinstance(data.get("indicators"), list):
        data = {
            **data,
            "indicators": [
                {k: v for k, v in raw.items() if k not in HINT_KEYS} if isinstance(raw, dict) else raw
                for raw in data["indicators"]
            ],
        }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash_of_text(text: str) -> str | None:
    """The content hash of a stored codebook source (None if it no longer parses). Versions
    imported before hints left the hash carry the old hash; this recomputes the current one."""
    try:
        return content_hash(load(text)[1])
    except yaml.YAMLError:
        return None


def _span(tier: dict[str, Any]) -> str:
    return f"{tier['min']:g}..{tier['max']:g}"


def _tiers_disjoint_check(tiers: list[dict[str, Any]], fail: Fail) -> None:
    """Tiers are closed intervals [min, max] and a score takes the first tier it falls in
    (coding/pure/depth.py: tier_index), so two tiers sharing a score would silently give it
    to whichever is listed first: refused, naming both. Gaps are allowed by design: a score outside
    every tier has no tier (the study's tiers cover its observed scores 1..6 of the range 0..8,
    and integer scores leave 2..3 between tiers), and names must differ (the summary counts by name)."""
    seen: dict[str, int] = {}
    for index, tier in enumerate(tiers):
        if tier["name"] in seen:
            fail(
                f"tier name '{tier['name']}' appears twice (also tiers[{seen[tier['name']]}])",
                "depth_score",
                "tiers",
                index,
                "name",
            )
        seen[tier["name"]] = index
    ordered = sorted(enumerate(tiers), key=lambda item: (item[1]["min"], item[1]["max"]))
    for (first_index, first), (index, tier) in pairwise(ordered):
        if tier["min"] <= first["max"]:
            shared = f"{tier['min']:g}..{min(first['max'], tier['max']):g}"
            fail(
                f"tiers '{first['name']}' ({_span(first)}) and '{tier['name']}' ({_span(tier)}) overlap: scores "
                f"{shared} would be in both; tiers must not overlap",
                "depth_score",
                "tiers",
                max(first_index, index),
            )


def parse_codebook(path: str | os.PathLike[str]) -> ParsedCodebook:
    path = Path(path)
    file_size_check(path, max_bytes=CODEBOOK_MAX_BYTES, what="codebook file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the codebook as UTF-8",
            path=path,
            line=line_of(raw, exc.start),
        ) from exc
    try:
        root, data = load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = getattr(exc, "position", None)
        if mark is None and position is not None:  # a ReaderError: a bad character
            # No buffer (None): only the mark's line is used. The stubs want a str there.
            mark = yaml.Mark(path.name, position, text.count("\n", 0, position), 0, None, None)  # type: ignore[arg-type]
        if isinstance(exc, yaml.reader.ReaderError):
            character = exc.character if isinstance(exc.character, int) else ord(exc.character)
            problem = f"character #x{character:04x} ({exc.reason})"
        else:
            problem = str(getattr(exc, "problem", None) or exc)
        raise ImportFailed(f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else 1) from exc
    lines = lines_by_path(root)

    def fail(message: str, *fieldpath: str | int) -> NoReturn:
        line = None
        for cut in range(len(fieldpath), -1, -1):  # nearest enclosing node that exists
            line = lines.get(tuple(fieldpath[:cut]))
            if line:
                break
        dotted = ".".join(
            f"[{p}]" if isinstance(p, int) and not isinstance(p, bool) else str(p) for p in fieldpath
        ).replace(".[", "[")
        raise ImportFailed(message, path=path, line=line or 1, field=dotted or None)

    def text_of(value: object, *where: str | int, limit: int, required: bool = False, what: str = "text") -> str:
        """A string field (numbers are written as text, e.g. version: 1.1); None and "" are empty."""
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            fail(f"must be {what}, not {_kind(value)}", *where)
        value = str(value).strip()
        if required and not value:
            fail("must not be empty", *where)
        if len(value) > limit:
            fail(f"{len(value)} characters, more than {limit}", *where)
        return value

    def bilingual(value: Any, *where: str | int, limit: int, required: bool = False) -> tuple[str, str]:
        """A text, or {en, zh} texts."""
        if isinstance(value, dict):
            _known_keys(value, {"en", "zh"}, where, fail)
            en = text_of(value.get("en"), *where, "en", limit=limit, required=required)
            return en, text_of(value.get("zh"), *where, "zh", limit=limit)
        return text_of(value, *where, limit=limit, required=required, what="a text or {en, zh}"), ""

    def slug(value: object, *where: str | int, what: str) -> str:
        if value is None:
            fail(f"missing the {what}", *where)
        if not isinstance(value, str):
            fail(f"{what} must be text, not {_kind(value)}", *where)
        value = value.strip()
        if not value:
            fail(f"missing the {what}", *where)
        if len(value) > SLUG_MAX or not SLUG.fullmatch(value):
            fail(f"{what} '{value[: SLUG_MAX + 1]}' must be at most {SLUG_MAX} letters, digits, '-' or '_'", *where)
        return value

    if not isinstance(data, dict):
        fail(f"a codebook must be a mapping with 'codebook' and 'indicators', not {_kind(data)}")
    _known_keys(data, TOP_KEYS, (), fail)
    code = slug(data.get("codebook"), "codebook", what="codebook code")
    label = text_of(data.get("version"), "version", limit=LABEL_MAX)
    title_en, title_zh = bilingual(data.get("title") or code, "title", limit=TITLE_MAX)
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        fail("'indicators' must be a non-empty list", "indicators")
    if len(raw_indicators) > INDICATORS_MAX:
        fail(f"{len(raw_indicators)} indicators, more than {INDICATORS_MAX}", "indicators")

    indicators: list[ParsedIndicator] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_indicators):
        here = ("indicators", index)
        if not isinstance(raw, dict):
            fail(f"each indicator must be a mapping, not {_kind(raw)}", *here)
        _known_keys(raw, INDICATOR_KEYS, here, fail)
        ind_code = slug(raw.get("code"), *here, "code", what="indicator code")
        if ind_code in seen:
            fail(f"indicator code '{ind_code}' appears twice", *here, "code")
        seen.add(ind_code)
        question_en, question_zh = bilingual(raw.get("question"), *here, "question", limit=QUESTION_MAX)
        if not question_en:
            fail(f"indicator '{ind_code}' has no English question", *here, "question")
        level = text_of(raw.get("level") or "nominal", *here, "level", limit=20).lower()
        if level not in LEVELS:
            fail(f"level must be nominal or ordinal, not '{level}'", *here, "level")
        values = raw.get("values")
        if not isinstance(values, dict) or not values:
            fail(f"indicator '{ind_code}' needs 'values' as a mapping of code: label", *here, "values")
        if len(values) > VALUES_MAX:
            fail(f"{len(values)} values, more than {VALUES_MAX}", *here, "values")
        allowed: list[dict[str, Any]] = []
        numbers: set[int] = set()
        for value, label_raw in values.items():
            key = str(value)[:SLUG_MAX]  # the field path names the key as written
            number = _integer_code(value)
            if number is None:
                fail(f"value '{key}' is not an integer code", *here, "values", key)
            if not VALUE_BOUNDS[0] <= number <= VALUE_BOUNDS[1]:
                fail(f"value {key} is outside {VALUE_BOUNDS[0]}..{VALUE_BOUNDS[1]}", *here, "values", key)
            if number in numbers:
                fail(f"value {number} appears twice", *here, "values", key)
            numbers.add(number)
            label_en, label_zh = bilingual(label_raw, *here, "values", key, limit=LABEL_TEXT_MAX)
            allowed.append(
                {
                    "value": number,
                    "label_en": label_en,
                    "label_zh": label_zh or COMMON_LABELS_ZH.get(label_en.lower(), ""),
                }
            )
        guidance_en, guidance_zh = bilingual(raw.get("guidance"), *here, "guidance", limit=GUIDANCE_MAX)
        hint_key = "hints" if "hints" in raw else "keyword_hints"
        hints = raw.get(hint_key) or []
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            fail("hints must be a list of strings", *here, hint_key)
        if len(hints) > HINTS_MAX or any(len(h) > HINT_MAX for h in hints):
            fail(f"at most {HINTS_MAX} hints of at most {HINT_MAX} characters each", *here, hint_key)
        indicators.append(
            ParsedIndicator(
                code=ind_code,
                question_en=question_en,
                question_zh=question_zh,
                level=level,
                allowed_values=allowed,
                guidance_en=guidance_en,
                guidance_zh=guidance_zh,
                group=text_of(raw.get("group"), *here, "group", limit=GROUP_MAX),
                keyword_hints=[h.strip() for h in hints if h.strip()],
            )
        )

    depth = data.get("depth_score") or {}
    if not isinstance(depth, dict):
        fail(f"depth_score must be a mapping with indicators, range and tiers, not {_kind(depth)}", "depth_score")
    _known_keys(depth, {"indicators", "range", "tiers"}, ("depth_score",), fail)
    depth_indicators = depth.get("indicators") or []
    if not isinstance(depth_indicators, list):
        fail("depth_score indicators must be a list of indicator codes", "depth_score", "indicators")
    for position, name in enumerate(depth_indicators):
        if not isinstance(name, str) or name not in seen:
            fail(f"depth score names unknown indicator '{str(name)[:SLUG_MAX]}'", "depth_score", "indicators", position)
    if len(set(depth_indicators)) != len(depth_indicators):
        fail("depth score names an indicator twice", "depth_score", "indicators")
    raw_tiers = depth.get("tiers") or []
    if not isinstance(raw_tiers, list) or len(raw_tiers) > TIERS_MAX:
        fail(f"tiers must be a list of at most {TIERS_MAX} {{name, min, max}}", "depth_score", "tiers")
    tiers: list[dict[str, Any]] = []
    for index, tier in enumerate(raw_tiers):
        if not isinstance(tier, dict) or not {"name", "min", "max"} <= set(tier):
            fail("each tier needs name, min and max", "depth_score", "tiers", index)
        _known_keys(tier, {"name", "min", "max"}, ("depth_score", "tiers", index), fail)
        low = _bounded_number(tier["min"])
        high = _bounded_number(tier["max"])
        if low is None or high is None or low > high:
            fail(
                f"min and max must be numbers within ±{NUMBER_MAX:g}, min not above max", "depth_score", "tiers", index
            )
        name = text_of(tier["name"], "depth_score", "tiers", index, "name", limit=TIER_NAME_MAX, required=True)
        tiers.append({"name": name, "min": low, "max": high})
    depth_range = depth.get("range")
    if depth_range is not None:
        bounds = [_bounded_number(v) for v in depth_range] if isinstance(depth_range, list) else []
        if len(bounds) != 2 or bounds[0] is None or bounds[1] is None or bounds[0] > bounds[1]:
            fail(f"range must be [min, max], two numbers within ±{NUMBER_MAX:g}", "depth_score", "range")
        for index, tier in enumerate(tiers):
            if tier["max"] < bounds[0] or tier["min"] > bounds[1]:
                fail(
                    f"tier '{tier['name']}' ({_span(tier)}) lies outside the range {bounds[0]:g}..{bounds[1]:g}: "
                    "no score can fall in it",
                    "depth_score",
                    "tiers",
                    index,
                )
    _tiers_disjoint_check(tiers, fail)
    try:  # sample rules (coding/pure/inclusion_rules.py): data, never code
        inclusion = parse_rules(
            data.get("inclusion"), {i.code: [v["value"] for v in i.allowed_values] for i in indicators}
        )
    except RuleError as exc:
        fail(exc.message, "inclusion", *([] if exc.index is None else [exc.index]))

    return ParsedCodebook(
        code=code,
        label=label,
        title_en=title_en,
        title_zh=title_zh,
        indicators=indicators,
        depth_indicators=depth_indicators,
        depth_range=list(depth_range) if depth_range else None,
        tiers=tiers,
        content_hash=content_hash(data),
        source_text=text,
        source_name=path.name[:SOURCE_NAME_MAX],
        inclusion=[rule.text for rule in inclusion],
    )
