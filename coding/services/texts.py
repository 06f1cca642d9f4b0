"""Writes of treaty texts: ToTA XML in bulk, and plain text / PDF for one agreement.
Services: keyword-only and atomic; the parsing is the pure coding/importers.

A text is a version: a changed text never replaces the chapters and articles codings cite, it
becomes the agreement's next TextVersion. Over a treaty that has codings that happens only when
the caller says so (`new_version=True`), since coders then work on two texts."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..importers import sniffing
from ..importers.errors import ImportFailed
from ..importers.tota import expand_paths, parse_tota_file
from ..models import Agreement, AgreementParty, Article, Chapter, Coding, TextVersion
from ..selectors.agreements import agreement_codings_count, agreement_link_index, link_candidate

# What a refused file was found to be (coding/importers/sniffing.py), in the reader's language.
KIND_NAMES = {
    "zip": _lazy("a ZIP archive (a Word .docx, Excel .xlsx or OpenDocument file)"),
    "ole2": _lazy("a Microsoft Office document in the old format (.doc, .xls)"),
    "rtf": _lazy("an RTF document"),
    "image": _lazy("an image"),
    "archive": _lazy("a compressed archive"),
    "program": _lazy("a program"),
}


def text_file_check(*, name, head):
    """The one content check of a treaty text (import_text, the upload form and the worker): a
    file named .txt or .pdf whose first bytes `head` are not another format's, and a .pdf that
    starts %PDF. Raises ImportFailed naming the file and what was found; the text itself is
    decoded (and binary content refused) by the reader."""
    found = sniffing.refusal(name, head)
    if found is None:
        return
    code, detail = found
    if code == "other-format":  # the format's signature is the file's first bytes: line 1
        raise ImportFailed(
            _("binary content: this is %(kind)s, not plain text or PDF; save it as a .txt (UTF-8) or .pdf file")
            % {"kind": KIND_NAMES[detail]},
            path=name,
            line=1,
        )
    if code == "suffix":
        raise ImportFailed(
            _("only .txt and .pdf files can be imported, not “%(suffix)s”") % {"suffix": detail or _("no extension")},
            path=name,
        )
    raise ImportFailed(
        _("not a PDF file (no %(magic)s header); a plain-text file is named .txt") % {"magic": "%PDF"}, path=name
    )


class NewVersionNotConfirmed(ImportFailed):
    """The agreement has codings and a different text: importing it needs a confirmation."""

    def __init__(self, *, agreement, codings):
        self.agreement, self.codings = agreement, codings
        super().__init__(
            f"{agreement} ({agreement.pk}) has {codings} coding{'s' if codings != 1 else ''} and this is a different "
            "text: confirm to import it as a new version (the current text and every coding's evidence stay as they are)"
        )


@dataclass
class TotaImportResult:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked_to_desta: int = 0
    articles_written: int = 0
    new_versions: int = 0
    # Articles of texts already imported that got their number or heading from this import.
    articles_numbered: int = 0
    # (agreement, number of codings) whose changed text was not imported: no --new-version.
    held_back: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def text_change_unconfirmed(*, agreement, new_version) -> int:
    """How many codings make a changed text need the confirmation `new_version` gives: 0 when
    it may be imported (confirmed, a first text, or a treaty nobody codes)."""
    if new_version or not Agreement.objects.filter(pk=agreement.pk, current_text__isnull=False).exists():
        return 0
    return agreement_codings_count(agreement)


@transaction.atomic
def text_version_create(*, agreement, chapters, text_hash, source_name="", user=None, note="") -> TextVersion:
    """Add a text version and make it the agreement's current text. `chapters` items have
    identifier, name and articles (identifier, text and optionally heading). Older versions and
    every coding bound to them are left exactly as they are."""
    # The row lock serialises two imports of the same agreement: version numbers never clash, and
    # of two imports of one new text the second finds it current and adds nothing.
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    current = TextVersion.objects.filter(pk=locked.current_text_id, text_hash=text_hash).first()  # type: ignore[misc]  # pk=None finds nothing, as meant
    if current is not None:
        # n_articles and is_new: what this call did, for the caller's report (not model fields).
        current.n_articles, current.is_new = current.articles.count(), False  # type: ignore[attr-defined]
        return current
    number = (TextVersion.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0) + 1
    version = TextVersion.objects.create(
        agreement=agreement,
        number=number,
        source_name=str(source_name)[:300],
        text_hash=text_hash,
        created_by=user,
        note=note or "",
    )
    chapter_rows = Chapter.objects.bulk_create(
        Chapter(version=version, agreement=agreement, identifier=c.identifier, name=c.name[:500], position=i)
        for i, c in enumerate(chapters)
    )
    articles, position = [], 0
    for chapter_row, chapter in zip(chapter_rows, chapters):
        for article in chapter.articles:
            articles.append(
                Article(
                    version=version,
                    agreement=agreement,
                    chapter=chapter_row,
                    identifier=article.identifier,
                    number=(getattr(article, "number", "") or "")[:40],
                    heading=(getattr(article, "heading", "") or "")[:500],
                    text=article.text,
                    position=position,
                )
            )
            position += 1
    Article.objects.bulk_create(articles, batch_size=2000)
    agreement.current_text = version
    agreement.save(update_fields=["current_text", "updated_at"])
    # Codings made while the agreement had no text had nothing to cite: drafts among them move
    # onto this text. Codings already on a text stay there (submitted ones are never changed).
    for coding in Coding.objects.filter(agreement=agreement, text_version__isnull=True, state=Coding.State.DRAFT):
        coding.text_version = version
        coding.save(update_fields=["text_version", "updated_at"])
    version.n_articles, version.is_new = len(articles), True  # type: ignore[attr-defined]  # as above
    return version


def text_version_fill_labels(*, agreement, chapters, text_hash) -> int:
    """Give the articles (and chapters) of the agreement's versions with exactly this text the
    numbers, headings and chapter names the parse of that text finds, where they are still
    empty. Returns how many articles changed.

    This is metadata of the same text, not a new text: the bytes are the ones the version was
    made from (same hash), so identifiers, article texts and every evidence offset stay exactly
    as they are; only what readers see of each article is added. Values already there (an
    earlier import, a correction in the admin) are never overwritten."""
    versions = list(TextVersion.objects.filter(agreement=agreement, text_hash=text_hash))
    if not versions:
        return 0
    parsed_articles = {a.identifier: a for c in chapters for a in c.articles}
    parsed_chapters = {c.identifier: c for c in chapters}
    changed = []
    for article in Article.objects.filter(version__in=versions).filter(Q(number="") | Q(heading="")):
        parsed = parsed_articles.get(article.identifier)
        if parsed is None:
            continue
        number, heading = (getattr(parsed, "number", "") or "")[:40], (getattr(parsed, "heading", "") or "")[:500]
        if (not article.number and number) or (not article.heading and heading):
            article.number, article.heading = article.number or number, article.heading or heading
            changed.append(article)
    Article.objects.bulk_update(changed, ["number", "heading"], batch_size=2000)
    chapters_named = []
    for chapter in Chapter.objects.filter(version__in=versions, name=""):
        parsed = parsed_chapters.get(chapter.identifier)
        if parsed is not None and parsed.name:
            chapter.name = parsed.name[:500]
            chapters_named.append(chapter)
    Chapter.objects.bulk_update(chapters_named, ["name"])
    return len(changed)


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


def agreements_import_tota(*, paths, progress=None, new_version=False, user=None, note="") -> TotaImportResult:
    """Import ToTA XML files. All files are parsed before anything is written, and the writes
    are one transaction: a bad file leaves the database exactly as it was. A changed text is a
    new version; for an agreement with codings only with `new_version`, else its text is held
    back (metadata is still updated) and listed in `held_back`."""
    files = expand_paths(paths)
    if not files:
        raise ImportFailed("no ToTA XML files found", path=", ".join(map(str, paths)))
    treaties = []
    for path in files:
        treaties.append(parse_tota_file(path))
        if progress:
            progress("parse", path)
    seen: dict[int, Path] = {}
    for treaty in treaties:
        if treaty.tota_id in seen:
            raise ImportFailed(
                f"treaty_identifier {treaty.tota_id} also in {seen[treaty.tota_id].name}", path=treaty.path
            )
        seen[treaty.tota_id] = treaty.path

    result = TotaImportResult(files=len(files))
    with transaction.atomic():
        by_tota_id = {
            a.tota_id: a for a in Agreement.objects.filter(tota_id__in=list(seen)).select_related("current_text")
        }
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
            current_hash = agreement.current_text.text_hash if agreement.current_text else None
            text_changed = current_hash != treaty.content_hash
            held_back = text_changed and text_change_unconfirmed(agreement=agreement, new_version=new_version)
            if text_changed and not held_back:
                result.new_versions += agreement.current_text_id is not None
                version = text_version_create(
                    agreement=agreement,
                    chapters=treaty.chapters,
                    text_hash=treaty.content_hash,
                    source_name=f"ToTA {treaty.path.name}",
                    user=user,
                    note=note,
                )
                result.articles_written += version.n_articles if version.is_new else 0  # type: ignore[attr-defined]
                result.created += created
                result.updated += not created
            else:
                # The same file again (as the current text, or an older version of a treaty whose
                # change is held back): its article numbers and headings fill a text imported
                # before the workbench kept them. The same version, not a new one.
                numbered = text_version_fill_labels(
                    agreement=agreement, chapters=treaty.chapters, text_hash=treaty.content_hash
                )
                result.articles_numbered += numbered
                if held_back:
                    result.held_back.append((agreement, held_back))
                result.updated += bool(meta_changed or numbered)
                result.unchanged += not (meta_changed or numbered)
            if progress:
                progress("write", treaty.path)
    return result


@transaction.atomic
def text_import_file(*, agreement, path, new_version=False, user=None, source_name=None, note=""):
    """Import a plain-text or PDF treaty, split by its chapter and article headings, as the
    agreement's next text version. The same text as the current one changes nothing; a
    different text over a treaty with codings needs `new_version` (else NewVersionNotConfirmed)."""
    from ..importers.plaintext import read_treaty_file, split_treaty_text

    text_file_check(name=path, head=sniffing.read_head(path))
    text = read_treaty_file(path)
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    agreement.refresh_from_db(fields=["current_text"])  # the caller's instance may predate an import
    current = agreement.current_text
    if current is not None and current.text_hash == text_hash:
        text_version_fill_labels(agreement=agreement, chapters=split_treaty_text(text), text_hash=text_hash)
        return {
            "changed": False,
            "version": current.number,
            "chapters": current.chapters.count(),
            "articles": current.articles.count(),
        }
    codings = text_change_unconfirmed(agreement=agreement, new_version=new_version)
    if codings:
        raise NewVersionNotConfirmed(agreement=agreement, codings=codings)
    chapters = split_treaty_text(text)
    version = text_version_create(
        agreement=agreement,
        chapters=chapters,
        text_hash=text_hash,
        source_name=source_name or Path(path).name,
        user=user,
        note=note,
    )
    return {
        "changed": version.is_new,
        "version": version.number,
        "chapters": version.chapters.count(),
        "articles": version.n_articles,
    }
