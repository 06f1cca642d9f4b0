"""Parse a codebook YAML file into plain data, with errors that name the line and field.

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
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ImportFailed

LEVELS = {"nominal", "ordinal"}
# Chinese labels for the labels nearly every yes/no indicator uses, so the zh UI is complete.
COMMON_LABELS_ZH = {"no": "否", "yes": "是"}


@dataclass
class ParsedIndicator:
    code: str
    question_en: str
    question_zh: str
    level: str
    allowed_values: list
    guidance_en: str = ""
    guidance_zh: str = ""
    group: str = ""
    keyword_hints: list = field(default_factory=list)


@dataclass
class ParsedCodebook:
    code: str
    label: str
    title_en: str
    title_zh: str
    indicators: list
    depth_indicators: list
    depth_range: list | None
    tiers: list
    content_hash: str
    source_text: str
    source_name: str

    @property
    def has_hints(self):
        return any(ind.keyword_hints for ind in self.indicators)


def _lines_by_path(text):
    """Map a field path like ('indicators', 2, 'level') to its 1-based line in the file."""
    lines = {}

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _bilingual(value):
    if isinstance(value, dict):
        return str(value.get("en") or "").strip(), str(value.get("zh") or "").strip()
    return (str(value).strip() if value is not None else ""), ""


HINT_KEYS = ("hints", "keyword_hints")


def content_hash(data):
    """Hash the meaning, not the bytes: comments and layout changes are not a new version, and
    neither are keyword hints (a reading aid, not part of the instrument; see the module doc)."""
    if isinstance(data, dict) and isinstance(data.get("indicators"), list):
        data = {**data, "indicators": [
            {k: v for k, v in raw.items() if k not in HINT_KEYS} if isinstance(raw, dict) else raw
            for raw in data["indicators"]
        ]}
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash_of_text(text):
    """The content hash of a stored codebook source (None if it no longer parses). Versions
    imported before hints left the hash carry the old hash; this recomputes the current one."""
    try:
        return content_hash(yaml.safe_load(text))
    except yaml.YAMLError:
        return None


def parse_codebook(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"cannot read the file ({exc})", path=path) from exc
    try:
        data = yaml.safe_load(text)
        lines = _lines_by_path(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportFailed(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
        ) from exc

    def fail(message, *fieldpath):
        line = None
        for cut in range(len(fieldpath), -1, -1):  # nearest enclosing node that exists
            line = lines.get(tuple(fieldpath[:cut]))
            if line:
                break
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in fieldpath).replace(".[", "[")
        raise ImportFailed(message, path=path, line=line, field=dotted or None)

    if not isinstance(data, dict):
        fail("a codebook must be a mapping with 'codebook' and 'indicators'")
    code = str(data.get("codebook") or "").strip()
    if not code:
        fail("missing the codebook code", "codebook")
    title_en, title_zh = _bilingual(data.get("title") or code)
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        fail("'indicators' must be a non-empty list", "indicators")

    indicators, seen = [], set()
    for index, raw in enumerate(raw_indicators):
        here = ("indicators", index)
        if not isinstance(raw, dict):
            fail("each indicator must be a mapping", *here)
        ind_code = str(raw.get("code") or "").strip()
        if not ind_code:
            fail("indicator without a code", *here, "code")
        if ind_code in seen:
            fail(f"indicator code '{ind_code}' appears twice", *here, "code")
        seen.add(ind_code)
        question_en, question_zh = _bilingual(raw.get("question"))
        if not question_en:
            fail(f"indicator '{ind_code}' has no English question", *here, "question")
        level = str(raw.get("level") or "nominal").strip().lower()
        if level not in LEVELS:
            fail(f"level must be nominal or ordinal, not '{level}'", *here, "level")
        values = raw.get("values")
        if not isinstance(values, dict) or not values:
            fail(f"indicator '{ind_code}' needs 'values' as a mapping of code: label", *here, "values")
        allowed = []
        for value, label in values.items():
            try:
                number = int(value)
            except (TypeError, ValueError):
                fail(f"value '{value}' is not an integer code", *here, "values", value)
            label_en, label_zh = _bilingual(label)
            allowed.append(
                {"value": number, "label_en": label_en, "label_zh": label_zh or COMMON_LABELS_ZH.get(label_en.lower(), "")}
            )
        guidance_en, guidance_zh = _bilingual(raw.get("guidance"))
        hints = raw.get("hints", raw.get("keyword_hints")) or []
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            fail("hints must be a list of strings", *here, "hints")
        indicators.append(
            ParsedIndicator(
                code=ind_code,
                question_en=question_en,
                question_zh=question_zh,
                level=level,
                allowed_values=allowed,
                guidance_en=guidance_en,
                guidance_zh=guidance_zh,
                group=str(raw.get("group") or ""),
                keyword_hints=hints,
            )
        )

    depth = data.get("depth_score") or {}
    depth_indicators = list(depth.get("indicators") or [])
    for position, name in enumerate(depth_indicators):
        if name not in seen:
            fail(f"depth score names unknown indicator '{name}'", "depth_score", "indicators", position)
    tiers = []
    for index, tier in enumerate(depth.get("tiers") or []):
        try:
            tiers.append({"name": str(tier["name"]), "min": float(tier["min"]), "max": float(tier["max"])})
        except (KeyError, TypeError, ValueError):
            fail("each tier needs name, min and max", "depth_score", "tiers", index)
    depth_range = depth.get("range")

    return ParsedCodebook(
        code=code,
        label=str(data.get("version") or ""),
        title_en=title_en,
        title_zh=title_zh,
        indicators=indicators,
        depth_indicators=depth_indicators,
        depth_range=list(depth_range) if depth_range else None,
        tiers=tiers,
        content_hash=content_hash(data),
        source_text=text,
        source_name=path.name,
    )
