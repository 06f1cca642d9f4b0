"""Import existing codings from CSV: published reference sources (DESTA 2.1, the study), finished
work as approved values, and, only when asked, a coder's drafts. Services: keyword-only and
atomic, so a bad or refused row imports nothing.

Imports never overwrite people. The coders a file names are reference sources (users in the
"reference" group, who never log in): only they are created and updated. A row for a person who
logs in (any user outside that group) is refused with its line, unless `as_drafts` puts it into
that person's draft; a submitted coding is never touched. Submitting stays the coder's act, under
the one submission rule (coding_missing_indicators). A reference coding is a published source,
stored as submitted with the indicators the source codes (the study leaves tbt_prov out). A new
source's name cannot pass for a user, another source or the workbench (coding/pure/names.py).

Values: an integer code, or missing (empty, NA, "."); "nan", "inf" and any other text are refused
with their line, so a file never imports as "nothing to import"."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..importers.csvfile import csv_rows
from ..importers.desta import desta_number_check
from ..importers.errors import ImportFailed
from ..models import Answer, Assignment, Coding, Evidence
from ..pure.names import reference_name_problem
from ..roles import REFERENCE
from ..selectors.agreements import AgreementRefError, agreement_get_by_ref
from .adjudication import approved_coding_set
from .codings import NOTE_MAX, coding_missing_indicators
from .evidence import MAX_EVIDENCE_PER_ANSWER
from .history import history_user
from .users import reference_coder_get_or_create

REQUIRED_COLUMNS = {"agreement", "coder", "indicator", "value"}
# A missing value, written as R ("NA") or Stata (".") write one, or left empty: never 0.
MISSING = {"", "na", "."}
# Not a missing value but a number no code can be (pandas writes a missing float as "nan" only when
# asked to): refused, so a file of NaNs is never imported as "nothing to import".
NOT_FINITE = {"nan", "inf", "infinity"}
CODE = re.compile(r"[+-]?[0-9]{1,6}(?:\.0*)?")  # "1" or, as Stata writes it, "1.0"
# One limit on evidence per answer, the service's: an import may not hold more than the API takes.
CODER_MAX, REF_MAX, EVIDENCE_MAX = 150, 100, MAX_EVIDENCE_PER_ANSWER


@dataclass
class CodingRow:
    line: int
    value: int | None
    evidence: list
    note: str


@dataclass
class CodingImportResult:
    codings: int = 0
    answers: int = 0
    approved: int = 0
    drafts: int = 0
    created_coders: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # what changed in approved values and drafts, one line each
    notes: list = field(default_factory=list)


def _parse_value(raw):
    """An integer code, or None for a missing value; ValueError saying why for anything else."""
    raw = (raw or "").strip()
    if raw.lower() in MISSING:
        return None  # missing is missing, never 0
    shown = raw[:40]
    if raw.lower().lstrip("+-") in NOT_FINITE:
        raise ValueError(
            f"'{shown}' is not an integer code but a non-finite number; leave the cell empty "
            "(or write NA) for a missing value"
        )
    if not CODE.fullmatch(raw):
        raise ValueError(f"'{shown}' is not an integer code")
    return int(float(raw))


def read_codings_csv(path, *, version):
    """Validate the whole file first: {(agreement, coder name): {indicator code: CodingRow}}."""
    path = Path(path)
    indicators = {i.code: i for i in version.indicators.all()}
    rows, agreements, articles = defaultdict(dict), {}, {}
    with csv_rows(path, required=REQUIRED_COLUMNS) as (_columns, lines):
        for line, row in lines:
            ref = row["agreement"].strip()
            if len(ref) > REF_MAX:
                raise ImportFailed(f"more than {REF_MAX} characters", path=path, line=line, field="agreement")
            if ref not in agreements:
                try:
                    agreements[ref] = agreement_get_by_ref(ref)
                except AgreementRefError as exc:
                    raise ImportFailed(str(exc), path=path, line=line, field="agreement") from exc
            agreement = agreements[ref]
            coder = row["coder"].strip()
            if not coder:
                raise ImportFailed("empty coder", path=path, line=line, field="coder")
            if len(coder) > CODER_MAX:
                raise ImportFailed(
                    f"a coder's name has at most {CODER_MAX} characters", path=path, line=line, field="coder"
                )
            code = row["indicator"].strip()
            indicator = indicators.get(code)
            if indicator is None:
                raise ImportFailed(
                    f"'{code[:80]}' is not an indicator of {version}", path=path, line=line, field="indicator"
                )
            try:
                value = _parse_value(row["value"])
            except ValueError as exc:
                raise ImportFailed(str(exc), path=path, line=line, field="value") from exc
            if value is not None and value not in indicator.values:
                raise ImportFailed(
                    f"{value} is not an allowed value of {code} ({indicator.values})",
                    path=path,
                    line=line,
                    field="value",
                )
            evidence = [a.strip() for a in (row.get("evidence") or "").split(";") if a.strip()]
            if len(evidence) > EVIDENCE_MAX:
                raise ImportFailed(
                    f"{len(evidence)} articles cited: at most {EVIDENCE_MAX} per answer",
                    path=path,
                    line=line,
                    field="evidence",
                )
            if evidence:
                if agreement.pk not in articles:
                    articles[agreement.pk] = set(agreement.articles.values_list("identifier", flat=True))
                unknown = [a[:40] for a in evidence if a not in articles[agreement.pk]]
                if unknown:
                    raise ImportFailed(
                        f"articles not in this treaty: {', '.join(unknown[:10])}",
                        path=path,
                        line=line,
                        field="evidence",
                    )
            note = (row.get("note") or "").strip()
            if len(note) > NOTE_MAX:
                raise ImportFailed(f"a note has at most {NOTE_MAX:,} characters", path=path, line=line, field="note")
            key = (agreement, coder)
            if code in rows[key]:
                raise ImportFailed(
                    f"{coder} codes {code} of {ref} twice (also line {rows[key][code].line})",
                    path=path,
                    line=line,
                    field="indicator",
                )
            rows[key][code] = CodingRow(line=line, value=value, evidence=evidence, note=note)
    return rows


def _first_line(answers):
    return min(row.line for row in answers.values())


def _coder_resolve(name, *, line, path, create, as_drafts, result):
    """(user, is_reference) for a name in the file, or ImportFailed naming the line."""
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        if not create:
            raise ImportFailed(
                f"no coder '{name}'; --reference creates it as a reference source", path=path, line=line, field="coder"
            )
        reference_name_check(name, path=path, line=line)
        result.created_coders.append(name)
        return reference_coder_get_or_create(name), True
    if user.groups.filter(name=REFERENCE).exists():
        return user, True
    if not as_drafts:
        raise ImportFailed(
            f"'{name}' is a coder who logs in, not a reference source: an import never writes a "
            "person's codings (--as-drafts fills a coder's drafts, never submitted work)",
            path=path,
            line=line,
            field="coder",
        )
    return user, False


def reference_name_check(name, *, path=None, line=None):
    """Refuse a new reference source's name that could pass for a user, another source or the
    workbench, or that carries markup (coding/pure/names.py has the rule)."""
    problem = reference_name_problem(name, get_user_model().objects.values_list("username", flat=True))
    if problem:
        raise ImportFailed(
            f"'{name}' cannot be a new reference source's name: {problem}", path=path, line=line, field="coder"
        )


def _evidence_set(answer, articles):
    """Replace the cited articles if they differ, one row at a time so the history records it."""
    if articles == [e.article_identifier for e in answer.evidence.all()]:
        return False
    for item in answer.evidence.all():
        item.delete()
    for article in articles:
        Evidence.objects.create(answer=answer, article_identifier=article)
    return True


def _answer_write(coding, indicator, row, *, keep_note):
    """Create or update one answer, writing (and so adding history) only what changed. With
    `keep_note` an empty note or evidence column leaves the draft's own. Returns (changed, old value)."""
    answer = Answer.objects.filter(coding=coding, indicator=indicator).first()
    old = answer.value if answer is not None else None
    note = answer.note if keep_note and answer is not None and not row.note else row.note
    changed = answer is None or (answer.value, answer.note) != (row.value, note)
    if answer is None:
        answer = Answer.objects.create(coding=coding, indicator=indicator, value=row.value, note=note)
    elif changed:
        answer.value, answer.note = row.value, note
        answer.save()
    if row.evidence or not keep_note:
        changed |= _evidence_set(answer, row.evidence)
    return changed, old


def _reference_coding_write(agreement, version, coder, answers, *, indicators, result):
    coding, created = Coding.objects.get_or_create(
        agreement=agreement,
        version=version,
        coder=coder,
        defaults={"state": Coding.State.SUBMITTED, "submitted_at": timezone.now()},
    )
    answers_changed = row_changed = False
    for code, row in answers.items():
        if row.value is None:
            continue
        answers_changed |= _answer_write(coding, indicators[code], row, keep_note=False)[0]
        result.answers += 1
    if coding.state == Coding.State.DRAFT:  # a reference source someone assigned: submitting obeys the rule
        missing = coding_missing_indicators(coding=coding)
        if missing:
            result.notes.append(f"{coder} · {agreement}: left a draft, missing {', '.join(missing)}")
        else:
            coding.state, coding.submitted_at, row_changed = Coding.State.SUBMITTED, timezone.now(), True
    if answers_changed and not created:
        coding.revision += 1  # as for every edit: a page open on the old revision is stale
        row_changed = True
    if row_changed:
        coding.save()
    result.codings += 1


def _draft_write(agreement, version, coder, answers, *, indicators, path, result):
    """Fill a person's draft: only one assigned to that coder, never submitted work. The revision moves on,
    so a workspace open on the old revision is told on its next save instead of overwriting this."""
    line = _first_line(answers)
    if not Assignment.objects.filter(agreement=agreement, version=version, coder=coder).exists():
        raise ImportFailed(
            f"{coder} is not assigned {agreement} under {version}; assign it first", path=path, line=line, field="coder"
        )
    coding, _created = Coding.objects.get_or_create(agreement=agreement, version=version, coder=coder)
    coding = Coding.objects.select_for_update().get(pk=coding.pk)
    if coding.state != Coding.State.DRAFT:
        raise ImportFailed(
            f"{coder} has submitted the coding of {agreement}; an import never changes submitted work",
            path=path,
            line=line,
            field="coder",
        )
    written = []
    for code, row in answers.items():
        if row.value is None:
            continue
        changed, old = _answer_write(coding, indicators[code], row, keep_note=True)
        if changed:
            written.append(f"{code} {'—' if old is None else old} → {row.value}")
        result.answers += 1
    if written:
        coding.revision += 1
        coding.save()
        result.changes.append(f"draft of {coder} · {agreement}: {', '.join(written)}")
    missing = coding_missing_indicators(coding=coding)
    result.notes.append(
        f"draft of {coder} · {agreement}: "
        + (f"missing {', '.join(missing)} before it can be submitted" if missing else "complete, ready to submit")
    )
    result.drafts += 1


def _approved_values(rows, *, path):
    """{agreement: {code: value}}; two coders giving one indicator different values is refused."""
    values, lines = defaultdict(dict), {}
    for (agreement, _coder), answers in rows.items():
        for code, row in answers.items():
            if row.value is None:
                continue
            if values[agreement].get(code, row.value) != row.value:
                raise ImportFailed(
                    f"{code} of {agreement} is {values[agreement][code]} on line {lines[agreement, code]} "
                    f"and {row.value} here: which is approved?",
                    path=path,
                    line=row.line,
                    field="value",
                )
            values[agreement][code], lines[agreement, code] = row.value, row.line
    return values, lines


@transaction.atomic
def codings_import_csv(*, path, version, reference=False, approved=False, as_drafts=False, user=None):
    """Codings of the file for reference sources (created when new with `reference` or
    `approved`), with `approved` also each agreement's approved values, with `as_drafts` rows of
    people who log in into their drafts. `user` is the person importing: history records every
    change under that name; changing approved values or someone's draft requires it."""
    path = Path(path)
    if approved and as_drafts:
        raise ImportFailed(
            "--approved and --as-drafts do not go together: approved values come from sources, drafts from people",
            path=path,
        )
    rows = read_codings_csv(path, version=version)
    indicators = {i.code: i for i in version.indicators.all()}
    result, coders = CodingImportResult(), {}
    with history_user(user):
        for (agreement, name), answers in rows.items():
            line = _first_line(answers)
            if name not in coders:
                coders[name] = _coder_resolve(
                    name, line=line, path=path, create=reference or approved, as_drafts=as_drafts, result=result
                )
            coder, is_reference = coders[name]
            if is_reference:
                _reference_coding_write(agreement, version, coder, answers, indicators=indicators, result=result)
            elif user is None:
                raise ImportFailed(
                    f"--as-drafts writes into {name}'s draft: name yourself with --user",
                    path=path,
                    line=line,
                    field="coder",
                )
            else:
                _draft_write(agreement, version, coder, answers, indicators=indicators, path=path, result=result)
        if approved:
            _approve(rows, version=version, user=user, path=path, result=result)
    return result


def _approve(rows, *, version, user, path, result):
    values, lines = _approved_values(rows, path=path)
    for agreement, by_code in values.items():
        line = min(lines[agreement, code] for code in by_code)
        try:
            _adjudication, created, changes = approved_coding_set(
                agreement=agreement, version=version, values=by_code, user=user, note=f"imported from {path.name}"
            )
        except ValidationError as exc:
            raise ImportFailed(" ".join(exc.messages), path=path, line=line, field="agreement") from exc
        if changes and not created:
            if user is None:
                raise ImportFailed(
                    f"{agreement} is approved; changing its approved values needs --user (who changes "
                    "them, for the history)",
                    path=path,
                    line=line,
                    field="value",
                )
            result.changes.append(
                f"approved {agreement}: "
                + ", ".join(f"{code} {'—' if old is None else old} → {new}" for code, old, new in changes)
            )
        elif created:
            result.changes.append(f"approved {agreement}: {len(by_code)} values (new)")
        result.approved += 1


@transaction.atomic
def desta_codings_import(*, path, version, name="DESTA 2.1", user=None):
    """DESTA 2.1's TBT variables as the reference coder `name` for every linked agreement."""
    from ..models import Agreement

    path = Path(path)
    indicators = {i.code: i for i in version.indicators.all()}
    by_number = {a.desta_number: a for a in Agreement.objects.filter(desta_number__isnull=False)}
    result = CodingImportResult()
    linked, unlinked, seen = 0, [], {}
    with csv_rows(path, required={"number"}) as (columns_all, lines):
        columns = [c for c in columns_all if c in indicators]
        if not columns:
            raise ImportFailed(f"expected 'number' and indicator columns of {version}", path=path, line=1)
        parsed = []
        for line, row in lines:
            number = desta_number_check(row["number"], path=path, line=line)
            if number in seen:
                raise ImportFailed(
                    f"number {number} appears twice (also line {seen[number]})", path=path, line=line, field="number"
                )
            seen[number] = line
            answers = {}
            for code in columns:
                try:
                    value = _parse_value(row[code])
                except ValueError as exc:
                    raise ImportFailed(str(exc), path=path, line=line, field=code) from exc
                if value is not None and value not in indicators[code].values:
                    raise ImportFailed(f"{value} is not allowed for {code}", path=path, line=line, field=code)
                answers[code] = CodingRow(line=line, value=value, evidence=[], note="")
            parsed.append((line, number, answers))
    with history_user(user):
        coder = None
        for line, number, answers in parsed:
            agreement = by_number.get(number)
            if agreement is None:
                unlinked.append(number)
                continue
            if coder is None:
                coder, _is_reference = _coder_resolve(
                    name, line=line, path=path, create=True, as_drafts=False, result=result
                )
            _reference_coding_write(agreement, version, coder, answers, indicators=indicators, result=result)
            linked += 1
    return {"linked": linked, "unlinked": unlinked, "answers": result.answers}
