"""Every read the coding app makes (HackSoft's selectors layer)."""
import html
import re
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q

from .models import Agreement, AgreementParty, Article, Codebook, CodebookVersion


class AgreementRefError(ValueError):
    pass


REF_FIELDS = {"desta": "desta_number", "tota": "tota_id", "wto": "wto_rta_id"}


MAX_DATABASE_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist and overflow some backends


def _is_ascii_number(text) -> bool:
    return text.isascii() and text.isdigit()


def parse_id(text) -> int | None:
    """A database id typed by a person or a URL: ASCII digits only ('²' and '١٢' are not ids),
    within the range an integer column can hold; None otherwise."""
    text = str(text).strip()
    if not _is_ascii_number(text):
        return None
    number = int(text)
    return number if number <= MAX_DATABASE_ID else None


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
        if not _is_ascii_number(text):
            raise AgreementRefError(f"'{text}' is not an agreement reference (use an id, desta:N, tota:N or wto:N)")
        lookup = {"pk": _id_or_no_match(text, ref=text)}
    elif prefix.lower() in REF_FIELDS:
        field = REF_FIELDS[prefix.lower()]
        value = value.strip()
        if field != "desta_number":
            if not _is_ascii_number(value):
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


def agreement_link_index(*, without):
    """(party set, entry-into-force year) -> agreements whose `without` field is still empty.
    Used to link DESTA metadata and ToTA texts of the same treaty."""
    agreements = {
        a.pk: a
        for a in Agreement.objects.filter(**{f"{without}__isnull": True}, entry_into_force_year__isnull=False)
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
    qs = Agreement.objects.annotate(n_articles=Count("articles", distinct=True)).prefetch_related("parties")
    if party:
        qs = qs.filter(parties__iso3=party.strip().upper())
    year = parse_id(year) if year else None
    if year:
        qs = qs.filter(entry_into_force_year=year)
    if has_text in {"yes", "no"}:
        with_text = Exists(Article.objects.filter(agreement=OuterRef("pk")))
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


def treaty_reader(*, agreement, query=""):
    """Chapters with their articles for the reader; with a query, the hits are marked and counted
    per article. Marking is done here, on escaped text, so templates never trust raw input."""
    pattern = re.compile(re.escape(query.strip()), re.IGNORECASE) if query.strip() else None
    chapters = list(agreement.chapters.all())
    articles_by_chapter = defaultdict(list)
    total_hits = 0
    for article in Article.objects.filter(agreement=agreement).only(
        "id", "chapter_id", "identifier", "heading", "text", "position"
    ):
        article.html, article.hits = _highlight(article.text, pattern)
        total_hits += article.hits
        articles_by_chapter[article.chapter_id].append(article)
    for chapter in chapters:
        chapter.article_list = articles_by_chapter[chapter.id]
        chapter.hits = sum(a.hits for a in chapter.article_list)
    return {"chapters": chapters, "total_hits": total_hits, "query": query.strip()}


def codebook_list():
    return Codebook.objects.prefetch_related("versions").order_by("code")


def codebook_version_get(*, code, number=None) -> CodebookVersion:
    """'desta-tbt' (latest version) or a given version number."""
    qs = CodebookVersion.objects.filter(codebook__code=code)
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise CodebookVersion.DoesNotExist(f"no codebook '{code}'" + (f" version {number}" if number else ""))
    return version


def codebook_version_by_spec(spec) -> CodebookVersion:
    """CLI form CODE[:VERSION]."""
    code, _, number = str(spec).partition(":")
    return codebook_version_get(code=code, number=int(number) if number else None)
