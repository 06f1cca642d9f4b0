"""Writes of treaty texts: ToTA XML in bulk, and plain text / PDF for one agreement."""
import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from ..importers.errors import ImportFailed
from ..importers.tota import expand_paths, parse_tota_file
from ..models import Agreement, AgreementParty, Article, Chapter
from ..selectors import agreement_link_index, link_candidate


@dataclass
class TotaImportResult:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked_to_desta: int = 0
    articles_written: int = 0
    messages: list = field(default_factory=list)


def agreement_replace_text(*, agreement, chapters, text_hash):
    """Replace an agreement's chapters and articles. `chapters` items have identifier, name and
    articles (identifier, text and optionally heading). Evidence cites article identifiers, not
    row ids, so citations survive a re-import of the same text."""
    agreement.articles.all().delete()
    agreement.chapters.all().delete()
    chapter_rows = Chapter.objects.bulk_create(
        Chapter(agreement=agreement, identifier=c.identifier, name=c.name[:500], position=i)
        for i, c in enumerate(chapters)
    )
    articles, position = [], 0
    for chapter_row, chapter in zip(chapter_rows, chapters):
        for article in chapter.articles:
            articles.append(
                Article(
                    agreement=agreement,
                    chapter=chapter_row,
                    identifier=article.identifier,
                    heading=(getattr(article, "heading", "") or "")[:500],
                    text=article.text,
                    position=position,
                )
            )
            position += 1
    Article.objects.bulk_create(articles, batch_size=2000)
    agreement.text_hash = text_hash
    agreement.save(update_fields=["text_hash", "updated_at"])
    return len(articles)


def _set_parties(agreement, parties):
    current = set(agreement.parties.values_list("iso3", flat=True)) if agreement.pk else set()
    if current == set(parties):
        return
    agreement.parties.all().delete()
    AgreementParty.objects.bulk_create(AgreementParty(agreement=agreement, iso3=p) for p in parties)


def _apply_tota_metadata(agreement, treaty):
    values = {
        "name": treaty.name[:300],
        "tota_id": treaty.tota_id,
        "wto_rta_id": treaty.wto_rta_id,
        "date_signed": treaty.date_signed,
        "date_into_force": treaty.date_into_force,
        "language": treaty.language,
        "region": treaty.region[:80],
    }
    if treaty.date_signed:
        values["year_signed"] = treaty.date_signed.year
    if treaty.date_into_force:
        values["entry_into_force_year"] = treaty.date_into_force.year
    if treaty.composition.lower().startswith("bilateral"):
        values["membership"] = Agreement.Membership.BILATERAL
    elif treaty.composition:
        values["membership"] = Agreement.Membership.PLURILATERAL
    changed = False
    for name, value in values.items():
        # DESTA's name is kept when the agreement came from DESTA first: it is the citable one.
        if name == "name" and agreement.desta_number:
            continue
        if getattr(agreement, name) != value:
            setattr(agreement, name, value)
            changed = True
    return changed


def agreements_import_tota(*, paths, progress=None) -> TotaImportResult:
    """Import ToTA XML files. All files are parsed before anything is written, and the writes
    are one transaction: a bad file leaves the database exactly as it was."""
    files = expand_paths(paths)
    if not files:
        raise ImportFailed("no ToTA XML files found", path=", ".join(map(str, paths)))
    treaties = []
    for path in files:
        treaties.append(parse_tota_file(path))
        if progress:
            progress("parse", path)
    seen = {}
    for treaty in treaties:
        if treaty.tota_id in seen:
            raise ImportFailed(f"treaty_identifier {treaty.tota_id} also in {seen[treaty.tota_id].name}", path=treaty.path)
        seen[treaty.tota_id] = treaty.path

    result = TotaImportResult(files=len(files))
    with transaction.atomic():
        by_tota_id = {a.tota_id: a for a in Agreement.objects.filter(tota_id__in=list(seen))}
        link_index = agreement_link_index(without="tota_id")
        for treaty in treaties:
            agreement = by_tota_id.get(treaty.tota_id)
            if agreement is None and treaty.date_into_force:
                # An agreement first imported from DESTA gets its text here, not a duplicate row.
                agreement = link_candidate(link_index, treaty.parties, treaty.date_into_force.year)
                if agreement is not None:
                    link_index[agreement.link_key].remove(agreement)
                    result.linked_to_desta += 1
            created = agreement is None
            agreement = agreement or Agreement()
            meta_changed = _apply_tota_metadata(agreement, treaty)
            if created or meta_changed:
                agreement.save()
            _set_parties(agreement, treaty.parties)
            if agreement.text_hash != treaty.content_hash:
                result.articles_written += agreement_replace_text(
                    agreement=agreement, chapters=treaty.chapters, text_hash=treaty.content_hash
                )
                result.created += created
                result.updated += not created
            elif meta_changed:
                result.updated += 1
            else:
                result.unchanged += 1
            if progress:
                progress("write", treaty.path)
    return result


@transaction.atomic
def text_import_file(*, agreement, path):
    """Import a plain-text or PDF treaty, split by its chapter and article headings."""
    from ..importers.plaintext import read_treaty_file, split_treaty_text

    text = read_treaty_file(path)
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if agreement.text_hash == text_hash:
        return {"changed": False, "chapters": agreement.chapters.count(), "articles": agreement.articles.count()}
    chapters = split_treaty_text(text)
    n_articles = agreement_replace_text(agreement=agreement, chapters=chapters, text_hash=text_hash)
    return {"changed": True, "chapters": len(chapters), "articles": n_articles}
