"""Reads of agreements and their texts: references (id, desta:N, tota:N, wto:N), the list page
filters, linking candidates, text versions and the treaty reader. Reads only."""

import html
import re
from collections import defaultdict
from urllib.parse import quote

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from .. import visibility
from ..importers.article_numbers import article_label
from ..importers.article_numbers import citation_labels as _citation_labels
from ..models import (
    Adjudication,
    Agreement,
    AgreementParty,
    Article,
    Assignment,
    Chapter,
    Coding,
    TextImport,
    TextVersion,
)
from ..models.agreements import art_format
from ..pure.ids import is_ascii_number, parse_id
from ..roles import is_supervisor


class AgreementRefError(ValueError):
    pass


REF_FIELDS = {"desta": "desta_number", "tota": "tota_id", "wto": "wto_rta_id"}


def _id_or_no_match(text, *, ref):
    """A number already known to be ASCII digits; one too large for any id matches nothing."""
    number = parse_id(text)
    if number is None:
        raise AgreementRefError(f"no agreement matches '{ref}'")
    return number


def agreement_get_by_ref(ref) -> Agreement:
    """Resolve a workbench id ('12') or 'desta:N', 'tota:N', 'wto:N' to exactly one agreement."""
    text = str(ref).strip()
    if "\x00" in text:  # PostgreSQL refuses NUL in text comparisons
        raise AgreementRefError(f"{text!r} contains a NUL character")
    prefix, _, value = text.partition(":")
    if not value:
        if not is_ascii_number(text):
            raise AgreementRefError(f"'{text}' is not an agreement reference (use an id, desta:N, tota:N or wto:N)")
        lookup = {"pk": _id_or_no_match(text, ref=text)}
    elif prefix.lower() in REF_FIELDS:
        field = REF_FIELDS[prefix.lower()]
        value = value.strip()
        if field != "desta_number":
            if not is_ascii_number(value):
                raise AgreementRefError(f"'{text}': {prefix} ids are numbers")
            value = _id_or_no_match(value, ref=text)
        lookup = {field: value}
    else:
        raise AgreementRefError(f"'{text}': unknown prefix '{prefix}' (use desta:, tota: or wto:)")
    matches = list(Agreement.objects.filter(**lookup)[:2])
    if not matches:
        raise AgreementRefError(f"no agreement matches '{text}'")
    if len(matches) > 1:
        raise AgreementRefError(f"'{text}' matches several agreements; use the workbench id or tota:N")
    return matches[0]


def agreement_get(pk, *, with_parties=False) -> Agreement | None:
    """The agreement with database id `pk`, or None (a malformed id too); `with_parties`: its
    parties and current text read with it (the treaty reader)."""
    agreements = (
        Agreement.objects.prefetch_related("parties").select_related("current_text")
        if with_parties
        else Agreement.objects.all()
    )
    return agreements.filter(pk=pk).first() if pk is not None else None


def agreements_by_ids(ids):
    return Agreement.objects.filter(pk__in=list(ids))


def agreements_with_text() -> list:
    """Every agreement with a text, by id."""
    return list(Agreement.objects.filter(current_text__isnull=False).order_by("pk"))


def text_imports_recent(agreement, *, limit=5) -> list:
    """The agreement's latest text imports (jobs), newest first."""
    return list(agreement.text_imports.all()[:limit])


def text_import_get(pk):
    """One text import (a job), or None."""
    return TextImport.objects.filter(pk=pk).first()


def agreement_link_index(*, without):
    """(party set, entry-into-force year) -> agreements whose `without` field is still empty.
    Used to link DESTA metadata and ToTA texts of the same treaty."""
    agreements = {
        a.pk: a for a in Agreement.objects.filter(**{f"{without}__isnull": True}, entry_into_force_year__isnull=False)
    }
    parties = defaultdict(set)
    for agreement_id, iso3 in AgreementParty.objects.filter(agreement_id__in=list(agreements)).values_list(
        "agreement_id", "iso3"
    ):
        parties[agreement_id].add(iso3)
    index = defaultdict(list)
    for pk, agreement in agreements.items():
        agreement.link_key = (frozenset(parties[pk]), agreement.entry_into_force_year)
        index[agreement.link_key].append(agreement)
    return index


def link_candidate(index, parties, year, *, max_year_gap=3):
    """The one agreement with this party set whose entry-into-force year is closest to `year`
    (exact first, then up to `max_year_gap` years apart: DESTA and the WTO record sometimes differ
    by a year or two). None when there is no match or the nearest match is ambiguous."""
    key_parties = frozenset(parties)
    for gap in range(max_year_gap + 1):
        found = [a for y in {year - gap, year + gap} for a in index.get((key_parties, y), [])]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return None


def agreement_list(*, party="", year="", has_text="", query=""):
    """Agreements for the list page, filtered. `year` is the entry-into-force year."""
    n_articles = (
        Article.objects.filter(version=OuterRef("current_text")).values("version").annotate(n=Count("pk")).values("n")
    )
    qs = (
        Agreement.objects.annotate(n_articles=Coalesce(Subquery(n_articles), 0))
        .select_related("current_text")
        .prefetch_related("parties")
    )
    if party:
        qs = qs.filter(parties__iso3=party.strip().upper())
    year = parse_id(year) if year else None
    if year:
        qs = qs.filter(entry_into_force_year=year)
    if has_text in {"yes", "no"}:
        with_text = Exists(Article.objects.filter(version=OuterRef("current_text")))
        qs = qs.filter(with_text) if has_text == "yes" else qs.exclude(with_text)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(name_zh__icontains=query))
    return qs.order_by("name", "id")


def party_choices():
    return list(AgreementParty.objects.values_list("iso3", flat=True).distinct().order_by("iso3"))


def _highlight(text, pattern):
    """HTML-escape `text` and wrap each match of `pattern` in <mark>."""
    if pattern is None:
        return html.escape(text), 0
    pieces, last, hits = [], 0, 0
    for match in pattern.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(f'<mark class="hit">{html.escape(match.group(0))}</mark>')
        last, hits = match.end(), hits + 1
    pieces.append(html.escape(text[last:]))
    return "".join(pieces), hits


def article_url(*, agreement_id, identifier, version=None):
    """The reader's link to one article, in text version `version` (a number) when given."""
    url = reverse("coding:agreement_detail", args=[agreement_id])
    if version:
        url += f"?version={version}"
    return f"{url}#art-{quote(str(identifier), safe='-._~')}"


def agreement_codings_count(agreement) -> int:
    """How many codings (any coder, any state) there are of this agreement: a count, no answers."""
    return Coding.objects.filter(agreement=agreement).count()


def agreement_coding_status(*, agreement, user):
    """Per codebook version this agreement is assigned under: its state (in coding with n of m
    submitted, in adjudication, approved), the user's own coding, and the adjudication (for
    supervisors). Only counts are shown, never other coders' answers; and to a coder still coding
    the treaty blind not even those (coding/visibility.py: coding_states_visible_to): her rows
    carry her own coding only, with `blind` set and no state, count or adjudication."""
    versions = {}
    for assignment in Assignment.objects.filter(agreement=agreement).select_related("version__codebook"):
        versions.setdefault(assignment.version_id, {"version": assignment.version, "coders": 0})["coders"] += 1
    blind = not visibility.coding_states_visible_to(user, agreement)
    rows = []
    for version_id, item in versions.items():
        codings = Coding.objects.filter(agreement=agreement, version_id=version_id)
        own = codings.filter(coder=user).first() if user.is_authenticated else None
        if blind:
            rows.append(
                {
                    "version": item["version"],
                    "blind": True,
                    "state": None,
                    "submitted": None,
                    "coders": None,
                    "own": own,
                    "adjudication": None,
                }
            )
            continue
        submitted = (
            codings.filter(
                state=Coding.State.SUBMITTED,
                coder__assignments__agreement=agreement,
                coder__assignments__version_id=version_id,
            )
            .distinct()
            .count()
        )
        adjudication = Adjudication.objects.filter(agreement=agreement, version_id=version_id).first()
        if adjudication and adjudication.state == Adjudication.State.APPROVED:
            state = "approved"
        elif adjudication:
            state = "open"
        else:
            state = "coding"
        rows.append(
            {
                "version": item["version"],
                "blind": False,
                "state": state,
                "submitted": submitted,
                "coders": item["coders"],
                "own": own,
                "adjudication": adjudication if is_supervisor(user) else None,
            }
        )
    return rows


def article_label_or(article, chapter_name):
    """An article's heading line: its number and heading, else its chapter's name."""
    return (
        article_label(number=article.number, heading=article.heading, art_format=art_format())
        or chapter_name
        or f"#{article.identifier}"
    )


class TextVersionNotFound(LookupError):
    pass


def text_version_get(*, agreement, number=None) -> TextVersion | None:
    """Version `number` of the agreement's text (a string from a URL is fine), or its current
    text when no number is given (None when it has no text). TextVersionNotFound otherwise."""
    if number in (None, ""):
        return agreement.current_text
    number = parse_id(number)
    version = TextVersion.objects.filter(agreement=agreement, number=number).first() if number else None
    if version is None:
        raise TextVersionNotFound(f"{agreement} has no text version {number}")
    return version


def text_articles(version):
    """The articles of one text version in reading order, with their chapter (none for None: an
    agreement without a text)."""
    if version is None:
        return Article.objects.none()
    return Article.objects.filter(version=version).select_related("chapter", "version").order_by("position")


def text_versions_of(agreement):
    """Every text version of the agreement, oldest first."""
    return list(agreement.text_versions.order_by("number"))


def citation_rows(version) -> list:
    """[(identifier, number, heading, chapter name)] of one text version's articles: what
    citation_labels reads (a caller that needs the numbers too reads them once)."""
    if version is None:
        return []
    return list(Article.objects.filter(version=version).values_list("identifier", "number", "heading", "chapter__name"))


def citation_labels(version, *, rows=None) -> dict:
    """{article identifier: "Art. 4.3 Customs Procedures"} for one text version, every label
    unique within it (a repeated number gets its chapter): how evidence names what it cites.
    `rows`: citation_rows(version), when the caller has read them already."""
    if version is None:
        return {}
    return _citation_labels(citation_rows(version) if rows is None else rows, art_format=art_format())


def chapter_names(version) -> dict:
    """{chapter identifier: its name (the identifier when it has none)} for one text version."""
    if version is None:
        return {}
    return {
        identifier: name or identifier
        for identifier, name in Chapter.objects.filter(version=version).values_list("identifier", "name")
    }


def treaty_reader(*, agreement, query="", version=None):
    """Chapters with their articles of one text version (the current one unless given) for the
    reader; with a query, the hits are marked and counted per article. Marking is done here, on
    escaped text, so templates never trust raw input."""
    version = version if version is not None else agreement.current_text
    pattern = re.compile(re.escape(query.strip()), re.IGNORECASE) if query.strip() else None
    chapters = list(version.chapters.all()) if version else []
    articles_by_chapter = defaultdict(list)
    total_hits = 0
    articles = (
        Article.objects.filter(version=version).only(
            "id", "chapter_id", "identifier", "number", "heading", "text", "position"
        )
        if version
        else []
    )
    labels = citation_labels(version)
    names = {chapter.pk: chapter.name for chapter in chapters}
    for article in articles:
        article.html, article.hits = _highlight(article.text, pattern)
        # The heading line ("Art. 4.3 Customs Procedures"; the chapter's name for an article
        # without either) and the label evidence cites it by (unique in the text).
        article.display = article_label_or(article, names.get(article.chapter_id, ""))
        article.citation = labels.get(article.identifier, article.display)
        total_hits += article.hits
        articles_by_chapter[article.chapter_id].append(article)
    for chapter in chapters:
        chapter.article_list = articles_by_chapter[chapter.id]
        chapter.hits = sum(a.hits for a in chapter.article_list)
    return {"chapters": chapters, "total_hits": total_hits, "query": query.strip(), "text_version": version}
