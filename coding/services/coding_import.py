"""Import existing codings from CSV (reference sources, migrated finished work)."""
import csv
from collections import defaultdict
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from ..importers.errors import ImportFailed
from ..models import Answer, Coding, Evidence
from ..selectors import AgreementRefError, agreement_get_by_ref
from .adjudication import approved_coding_set
from .codings import imported_coder_create, reference_coder_get_or_create

REQUIRED_COLUMNS = {"agreement", "coder", "indicator", "value"}


def _parse_value(raw):
    raw = (raw or "").strip()
    if raw == "" or raw.lower() in {"na", "nan", "."}:
        return None  # missing is missing, never 0
    number = float(raw)
    if number != int(number):
        raise ValueError(raw)
    return int(number)


def _answer_set(coding, indicator, **values):
    """Create or update an answer, writing (and so adding history) only when something changed."""
    answer, created = Answer.objects.get_or_create(coding=coding, indicator=indicator, defaults=values)
    if not created and any(getattr(answer, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(answer, key, value)
        answer.save()
    return answer


def _decode_failed(exc, path):
    # The file is decoded in chunks, so the line being read is not where the bad byte is.
    return ImportFailed(f"not UTF-8 text ({exc.reason}); save it as a UTF-8 CSV file", path=path)


def _fieldnames(reader, path):
    try:
        return reader.fieldnames or []
    except UnicodeDecodeError as exc:
        raise _decode_failed(exc, path) from exc
    except csv.Error as exc:
        raise ImportFailed(f"not a CSV file ({exc})", path=path, line=1) from exc


def _rows(reader, path):
    """(line, row) pairs; undecodable text or a malformed line names the file (and line)."""
    rows = enumerate(reader, start=2)
    while True:
        try:
            yield next(rows)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise _decode_failed(exc, path) from exc
        except csv.Error as exc:
            raise ImportFailed(f"not a CSV file ({exc})", path=path, line=reader.line_num or None) from exc


def read_codings_csv(path, *, version):
    """Validate the whole file first: rows -> {(agreement, coder): {indicator: (value, evidence, note)}}."""
    path = Path(path)
    indicators = {i.code: i for i in version.indicators.all()}
    rows = defaultdict(dict)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailed(f"cannot open ({exc.strerror or exc})", path=path) from exc
    agreements = {}
    with handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED_COLUMNS - set(_fieldnames(reader, path))
        if missing:
            raise ImportFailed(f"missing columns: {', '.join(sorted(missing))}", path=path, line=1)
        for line, row in _rows(reader, path):
            ref = (row["agreement"] or "").strip()
            if ref not in agreements:
                try:
                    agreements[ref] = agreement_get_by_ref(ref)
                except AgreementRefError as exc:
                    raise ImportFailed(str(exc), path=path, line=line, field="agreement") from exc
            agreement = agreements[ref]
            coder = (row["coder"] or "").strip()
            if not coder:
                raise ImportFailed("empty coder", path=path, line=line, field="coder")
            code = (row["indicator"] or "").strip()
            indicator = indicators.get(code)
            if indicator is None:
                raise ImportFailed(f"'{code}' is not an indicator of {version}", path=path, line=line, field="indicator")
            try:
                value = _parse_value(row["value"])
            except ValueError as exc:
                raise ImportFailed(f"'{row['value']}' is not an integer code", path=path, line=line, field="value") from exc
            if value is not None and value not in indicator.values:
                raise ImportFailed(f"{value} is not an allowed value of {code} ({indicator.values})", path=path, line=line, field="value")
            evidence = [a.strip() for a in (row.get("evidence") or "").split(";") if a.strip()]
            if evidence:
                known = set(agreement.articles.values_list("identifier", flat=True))
                unknown = [a for a in evidence if a not in known]
                if unknown:
                    raise ImportFailed(f"articles not in this treaty: {', '.join(unknown)}", path=path, line=line, field="evidence")
            key = (agreement, coder)
            if code in rows[key]:
                raise ImportFailed(f"{coder} codes {code} of {ref} twice", path=path, line=line, field="indicator")
            rows[key][code] = (value, evidence, (row.get("note") or "").strip())
    return rows


@transaction.atomic
def codings_import_csv(*, path, version, reference=False, approved=False, user=None):
    """Codings of the file become submitted codings of their coders; with `approved` the values
    also become each agreement's approved coding. With `reference` the coders are reference
    sources (created if new, added to the reference group); without it existing users are used
    as they are and unknown names become ordinary coders who cannot log in."""
    rows = read_codings_csv(path, version=version)
    User = get_user_model()
    coders, created_coders = {}, []
    stats = {"codings": 0, "answers": 0, "approved": 0}
    approved_values = defaultdict(dict)
    for (agreement, coder_name), answers in rows.items():
        if coder_name not in coders:
            if reference:
                coders[coder_name] = reference_coder_get_or_create(coder_name)
            else:
                user_obj = User.objects.filter(username=coder_name).first()
                if user_obj is None:
                    user_obj = imported_coder_create(coder_name)
                    created_coders.append(coder_name)
                coders[coder_name] = user_obj
        coding, _ = Coding.objects.get_or_create(agreement=agreement, version=version, coder=coders[coder_name])
        if coding.state != Coding.State.SUBMITTED:
            coding.state = Coding.State.SUBMITTED
            coding.save()
        for code, (value, evidence, note) in answers.items():
            if value is None:
                continue
            indicator = version.indicators.get(code=code)
            answer = _answer_set(coding, indicator, value=value, note=note)
            if evidence != [e.article_identifier for e in answer.evidence.all()]:
                answer.evidence.all().delete()
                Evidence.objects.bulk_create(Evidence(answer=answer, article_identifier=a) for a in evidence)
            stats["answers"] += 1
            approved_values[agreement][code] = value
        stats["codings"] += 1
    if approved:
        for agreement, values in approved_values.items():
            approved_coding_set(agreement=agreement, version=version, values=values, user=user,
                                note=f"imported from {Path(path).name}")
            stats["approved"] += 1
    stats["created_coders"] = created_coders
    return stats


@transaction.atomic
def desta_codings_import(*, path, version, name="DESTA 2.1"):
    """DESTA 2.1's TBT variables as the reference coder "DESTA 2.1" for every linked agreement."""
    from ..models import Agreement

    path = Path(path)
    indicators = {i.code: i for i in version.indicators.all()}
    by_number = {a.desta_number: a for a in Agreement.objects.filter(desta_number__isnull=False)}
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailed(f"cannot open ({exc.strerror or exc})", path=path) from exc
    linked, unlinked, answers = 0, [], 0
    with handle:
        reader = csv.DictReader(handle)
        fieldnames = _fieldnames(reader, path)
        columns = [c for c in fieldnames if c in indicators]
        if not columns or "number" not in fieldnames:
            raise ImportFailed(f"expected 'number' and indicator columns of {version}", path=path, line=1)
        coder = reference_coder_get_or_create(name)
        for line, row in _rows(reader, path):
            agreement = by_number.get((row["number"] or "").strip())
            if agreement is None:
                unlinked.append(row["number"])
                continue
            coding, _ = Coding.objects.get_or_create(agreement=agreement, version=version, coder=coder)
            if coding.state != Coding.State.SUBMITTED:
                coding.state = Coding.State.SUBMITTED
                coding.save()
            for code in columns:
                try:
                    value = _parse_value(row[code])
                except ValueError as exc:
                    raise ImportFailed(f"'{row[code]}' is not an integer code", path=path, line=line, field=code) from exc
                if value is None:
                    continue
                if value not in indicators[code].values:
                    raise ImportFailed(f"{value} is not allowed for {code}", path=path, line=line, field=code)
                _answer_set(coding, indicators[code], value=value)
                answers += 1
            linked += 1
    return {"linked": linked, "unlinked": unlinked, "answers": answers}
