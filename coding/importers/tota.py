"""Parse ToTA XML (Texts of Trade Agreements) into plain data. No Django here.

A ToTA file is <treaty><meta>...</meta><body><chapter name chapter_identifier><article
article_identifier number name>text</article>...</chapter></body></treaty>. The identifiers are
stable, so they become the evidence anchors; the article's own number ("ARTICLE 4.3" -> "4.3") and
name are what readers see and cite.
"""

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from .article_numbers import display_number
from .csvfile import file_size_check
from .errors import ImportFailed

TOTA_MAX_BYTES = 50 * 1024 * 1024  # the largest ToTA file is 1.1 MB
ID_MAX = 2**31 - 1  # ToTA and WTO ids go into 32-bit integer columns
NAME_MAX, LANGUAGE_MAX, IDENTIFIER_MAX, HEADING_MAX = 300, 10, 40, 500  # the models' max_length


@dataclass
class TotaArticle:
    identifier: str
    text: str
    number: str = ""  # "4.3" from number="ARTICLE 4.3"
    heading: str = ""  # name="Customs Procedures And Facilitation"


@dataclass
class TotaChapter:
    identifier: str
    name: str
    articles: list[TotaArticle] = field(default_factory=list)


@dataclass
class TotaTreaty:
    path: Path
    tota_id: int
    name: str
    wto_rta_id: int | None
    date_signed: date | None
    date_into_force: date | None
    parties: list[str]
    composition: str
    region: str
    language: str
    chapters: list[TotaChapter]
    content_hash: str

    @property
    def n_articles(self) -> int:
        return sum(len(c.articles) for c in self.chapters)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files and directories (their *.xml, in numeric order of pta_N) -> a sorted list of files."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.xml"), key=_natural_key))
        elif path.is_file():
            files.append(path)
        else:
            raise ImportFailed("no such file or directory", path=path)
    return files


def _natural_key(path: Path) -> tuple[int, str]:
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return (int(digits) if digits else 0, path.name)


def _optional_date(meta: Any, tag: str, path: Path) -> date | None:
    element = meta.find(tag)
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ImportFailed(
            f"'{text}' is not a date (YYYY-MM-DD)", path=path, line=element.sourceline, field=tag
        ) from exc


def _optional_int(meta: Any, tag: str, path: Path) -> int | None:
    element = meta.find(tag)
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > ID_MAX:
        raise ImportFailed(
            f"'{text[:40]}' is not an id (a whole number up to {ID_MAX})", path=path, line=element.sourceline, field=tag
        )
    return int(text)


def _party_codes(meta: Any, tag: str) -> list[str]:
    return [(p.text or "").strip().upper() for p in meta.iterfind(f"{tag}/partyisocode") if (p.text or "").strip()]


def parse_tota_file(path: str | os.PathLike[str]) -> TotaTreaty:
    path = Path(path)
    file_size_check(path, max_bytes=TOTA_MAX_BYTES, what="ToTA file")
    raw = path.read_bytes()
    # No DTD, no entities, no network: ToTA files have none, and entities are how XML bombs and
    # file disclosure work. huge_tree only lifts libxml2's limit on one long text node.
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, load_dtd=False, no_network=True)
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else exc.lineno
        raise ImportFailed(f"malformed XML ({exc.msg})", path=path, line=line) from exc
    if root.getroottree().docinfo.doctype:
        raise ImportFailed("a DOCTYPE (DTD or entities) is not allowed in a ToTA file", path=path, line=1)
    if root.tag != "treaty":
        raise ImportFailed(f"root element is <{root.tag}>, expected <treaty>", path=path, line=root.sourceline)
    meta = root.find("meta")
    body = root.find("body")
    if meta is None or body is None:
        raise ImportFailed("expected <meta> and <body> inside <treaty>", path=path, line=root.sourceline)
    tota_id = _optional_int(meta, "treaty_identifier", path)
    if tota_id is None:
        raise ImportFailed("missing treaty_identifier", path=path, line=meta.sourceline, field="treaty_identifier")
    name = (meta.findtext("name") or "").strip()
    if not name:
        raise ImportFailed("missing name", path=path, line=meta.sourceline, field="name")

    if len(name) > NAME_MAX:
        raise ImportFailed(
            f"{len(name)} characters, more than {NAME_MAX}", path=path, line=meta.sourceline, field="name"
        )
    language = (meta.findtext("language") or "").strip()
    if len(language) > LANGUAGE_MAX:
        raise ImportFailed(
            f"'{language[:40]}' is not a language code", path=path, line=meta.sourceline, field="language"
        )

    chapters: list[TotaChapter] = []
    seen_articles: set[str] = set()
    for position, chapter_el in enumerate(body.iterfind("chapter")):
        identifier = (chapter_el.get("chapter_identifier") or str(position + 1)).strip()
        if len(identifier) > IDENTIFIER_MAX:
            raise ImportFailed(
                f"chapter_identifier longer than {IDENTIFIER_MAX} characters",
                path=path,
                line=chapter_el.sourceline,
                field="chapter_identifier",
            )
        chapter = TotaChapter(identifier=identifier, name=(chapter_el.get("name") or "").strip())
        for article_el in chapter_el.iterfind("article"):
            article_id = (article_el.get("article_identifier") or "").strip()
            if not article_id:
                raise ImportFailed("article without article_identifier", path=path, line=article_el.sourceline)
            if len(article_id) > IDENTIFIER_MAX:
                raise ImportFailed(
                    f"article_identifier longer than {IDENTIFIER_MAX} characters",
                    path=path,
                    line=article_el.sourceline,
                    field="article_identifier",
                )
            if article_id in seen_articles:
                raise ImportFailed(
                    f"article_identifier '{article_id}' appears twice", path=path, line=article_el.sourceline
                )
            seen_articles.add(article_id)
            chapter.articles.append(
                TotaArticle(
                    identifier=article_id,
                    text="".join(article_el.itertext()).strip(),
                    number=display_number(article_el.get("number")),
                    heading=" ".join((article_el.get("name") or "").split())[:HEADING_MAX],
                )
            )
        chapters.append(chapter)

    # Some files leave <parties> empty and list the members only in <parties_original>.
    parties = _party_codes(meta, "parties") or _party_codes(meta, "parties_original")
    for party in parties:
        if len(party) != 3 or not party.isascii() or not party.isalpha():
            raise ImportFailed(
                f"'{party[:40]}' is not an ISO 3166 alpha-3 code", path=path, line=meta.sourceline, field="partyisocode"
            )
    return TotaTreaty(
        path=path,
        tota_id=tota_id,
        name=name,
        wto_rta_id=_optional_int(meta, "wto_rta_id", path),
        date_signed=_optional_date(meta, "date_signed", path),
        date_into_force=_optional_date(meta, "date_into_force", path),
        parties=sorted(set(parties)),
        composition=(meta.findtext("composition") or "").strip(),
        region=(meta.findtext("region") or "").strip(),
        language=language,
        chapters=chapters,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
