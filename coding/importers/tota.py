"""Parse ToTA XML (Texts of Trade Agreements) into plain data. No Django here.

A ToTA file is <treaty><meta>...</meta><body><chapter name chapter_identifier><article
article_identifier>text</article>...</chapter></body></treaty>. The identifiers are stable, so
they become the evidence anchors coders cite.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from .errors import ImportFailed


@dataclass
class TotaArticle:
    identifier: str
    text: str


@dataclass
class TotaChapter:
    identifier: str
    name: str
    articles: list = field(default_factory=list)


@dataclass
class TotaTreaty:
    path: Path
    tota_id: int
    name: str
    wto_rta_id: int | None
    date_signed: date | None
    date_into_force: date | None
    parties: list
    composition: str
    region: str
    language: str
    chapters: list
    content_hash: str

    @property
    def n_articles(self):
        return sum(len(c.articles) for c in self.chapters)


def expand_paths(paths):
    """Files and directories (their *.xml, in numeric order of pta_N) -> a sorted list of files."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.xml"), key=_natural_key))
        elif path.is_file():
            files.append(path)
        else:
            raise ImportFailed("no such file or directory", path=path)
    return files


def _natural_key(path):
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return (int(digits) if digits else 0, path.name)


def _optional_date(meta, tag, path):
    element = meta.find(tag)
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ImportFailed(f"'{text}' is not a date (YYYY-MM-DD)", path=path, line=element.sourceline, field=tag) from exc


def _optional_int(meta, tag, path):
    element = meta.find(tag)
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise ImportFailed(f"'{text}' is not an integer", path=path, line=element.sourceline, field=tag) from exc


def _party_codes(meta, tag):
    return [(p.text or "").strip().upper() for p in meta.iterfind(f"{tag}/partyisocode") if (p.text or "").strip()]


def parse_tota_file(path):
    path = Path(path)
    raw = path.read_bytes()
    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(huge_tree=True))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else exc.lineno
        raise ImportFailed(f"malformed XML ({exc.msg})", path=path, line=line) from exc
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

    chapters, seen_articles = [], set()
    for position, chapter_el in enumerate(body.iterfind("chapter")):
        identifier = (chapter_el.get("chapter_identifier") or str(position + 1)).strip()
        chapter = TotaChapter(identifier=identifier, name=(chapter_el.get("name") or "").strip())
        for article_el in chapter_el.iterfind("article"):
            article_id = (article_el.get("article_identifier") or "").strip()
            if not article_id:
                raise ImportFailed("article without article_identifier", path=path, line=article_el.sourceline)
            if article_id in seen_articles:
                raise ImportFailed(
                    f"article_identifier '{article_id}' appears twice", path=path, line=article_el.sourceline
                )
            seen_articles.add(article_id)
            chapter.articles.append(TotaArticle(identifier=article_id, text="".join(article_el.itertext()).strip()))
        chapters.append(chapter)

    # Some files leave <parties> empty and list the members only in <parties_original>.
    parties = _party_codes(meta, "parties") or _party_codes(meta, "parties_original")
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
        language=(meta.findtext("language") or "").strip(),
        chapters=chapters,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
