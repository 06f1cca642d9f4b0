"""Writes of the machine pre-coder: training a model (file under MEDIA_ROOT/precoder/ and a
PrecoderModel row), storing its suggestions as the codings of the reference coder
"machine (model N)" with the passage that supports each (coding/precoder/evidence.py), and the
per-treaty choice of when coders see them. Keyword-only. A batch pre-codes the treaties it can
read (English, Spanish, French: coding/precoder/languages.py) and lists the others with the
reason; strict, it checks every treaty first and stores all or nothing."""

import hashlib
import platform
import time
from importlib.metadata import version as package_version
from pathlib import Path

import joblib
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from ..models import (
    Answer,
    Coding,
    Evidence,
    PrecoderModel,
    Suggestion,
    SuggestionDisplay,
)
from ..models.codings import SUGGESTION_SHOWN
from ..precoder.evidence import cite, tbt_section
from ..precoder.languages import SUPPORTED, gloss_treaty, hint_patterns, treaty_language
from ..precoder.model import Precoder, cross_validate, training_hash
from ..selectors.precoder import (
    LANGUAGE_NAMES,
    agreement_ref,
    indicator_specs,
    model_for,
    suggestions_for_coding,
    suggestions_shown,
    training_set,
    treaty_articles,
)
from .history import history_user
from .users import reference_coder_get_or_create

PACKAGES = ("scikit-learn", "numpy", "scipy", "joblib")
MIN_TRAINING = 10


class PrecoderError(ValueError):
    """Bad input for training or pre-coding: the message says what, and nothing was stored."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def precoder_train(*, version, reference, exclude=(), user=None, folds=5, progress=None, with_approved=False, **params):
    """Train on the texts of the agreements `reference` coded under `version` (less `exclude`,
    agreement ids), report `folds`-fold cross-validated kappa and alpha per indicator, store the
    model file and its row, and make its machine coder. Returns the PrecoderModel."""
    started = time.perf_counter()
    # with_approved: approved final values over the reference's (retraining, precoder_training.py)
    items, left_out = training_set(
        version=version, reference=reference, exclude_ids=set(exclude), with_approved=with_approved
    )
    if len(items) < max(MIN_TRAINING, folds):
        raise PrecoderError(
            f"only {len(items)} agreements with an English text and codings of '{reference}' under "
            f"{version}; at least {max(MIN_TRAINING, folds)} are needed to train"
            + (f" (left out: {', '.join(f'{k} {len(v)}' for k, v in left_out.items())})" if left_out else "")
        )
    specs = indicator_specs(version)
    treaties, labels = [item[2] for item in items], [item[3] for item in items]
    report = cross_validate(specs, treaties, labels, folds=folds, progress=progress, **params)
    model = Precoder(specs, **params).fit(treaties, labels)
    folder = Path(settings.MEDIA_ROOT) / "precoder"
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        number = (PrecoderModel.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        relative = f"precoder/model_{number}.joblib"
        joblib.dump(model, Path(settings.MEDIA_ROOT) / relative, compress=3)
        row = PrecoderModel.objects.create(
            number=number,
            version=version,
            codebook_hash=version.content_hash,
            reference=reference,
            training_hash=training_hash((a.pk, tv.text_hash or tv.pk, lab) for a, tv, _arts, lab in items),
            training_agreements=[item[0].pk for item in items],
            excluded=sorted(set(exclude)),
            left_out=left_out,
            indicators=[
                {"code": s.code, "level": s.level, "values": list(s.values), "hints": list(s.hints)} for s in specs
            ],
            params=model.params,
            packages={"python": platform.python_version(), **{p: package_version(p) for p in PACKAGES}},
            cross_validation=report,
            file=relative,
            file_hash=_sha256(Path(settings.MEDIA_ROOT) / relative),
            created_by=user,
        )
        row.coder = reference_coder_get_or_create(row.coder_name)
        row.seconds = round(time.perf_counter() - started, 1)
        row.save(update_fields=["coder", "seconds"])
    return row


_LOADED: dict[tuple[int, str], Precoder] = {}  # (model id, file hash) -> the unpickled Precoder


def precoder_load(model):
    """The fitted Precoder of a model row, checked against its stored sha256 before unpickling
    (a changed or foreign file is refused); kept in memory per process."""
    key = (model.pk, model.file_hash)
    if key not in _LOADED:
        path = Path(settings.MEDIA_ROOT) / model.file
        if not path.exists():
            raise PrecoderError(f"the file of model {model.number} ({path}) is missing; train a new model")
        if _sha256(path) != model.file_hash:
            raise PrecoderError(f"the file of model {model.number} ({path}) has changed since training; not loaded")
        _LOADED.clear()  # one model in memory at a time
        _LOADED[key] = joblib.load(path)
    return _LOADED[key]


def reading_problem(agreement, articles):
    """(language, None) when the pre-coder can read this treaty; (None, why not) otherwise: no
    text, or a language it has no term list for (languages.SUPPORTED)."""
    ref = agreement_ref(agreement)
    if not articles:
        return None, f"{ref} ({agreement.name}) has no text: import one first; nothing to pre-code"
    language = treaty_language(agreement.language, articles)
    if language not in SUPPORTED:
        named = LANGUAGE_NAMES.get(language or "", language) or "a language it could not recognise"
        readable = ", ".join(LANGUAGE_NAMES[code] for code in SUPPORTED)
        return None, f"{ref} ({agreement.name}) is a text in {named}; the pre-coder reads {readable}"
    return language, None


def precodable_agreements(agreements):
    """(agreements the pre-coder can read, [why not] for the others)."""
    ok, problems = [], []
    for agreement in agreements:
        _language, problem = reading_problem(agreement, treaty_articles(agreement.current_text))
        (problems.append(problem) if problem else ok.append(agreement))
    return ok, problems


def _cited(specs, treaty, language, suggestions):
    """The suggestions with the evidence a coder would cite (coding/precoder/evidence.py) in
    place of the model's nearest articles, and for a 0 the chapters searched."""
    section = tbt_section(treaty)
    rows = []
    for s in suggestions:
        citation = cite(
            treaty,
            value=s.value,
            patterns=hint_patterns(specs[s.indicator].hints, language),
            model_evidence=s.evidence,
            section=section,
        )
        s.evidence = citation.evidence
        rows.append((s, citation.chapters_searched))
    return rows


def precode_batch(*, version, agreements, model=None, store=True, user=None, strict=False):
    """Pre-code what can be: {"rows": [{"agreement", "indicator", "value", "confidence",
    "evidence": [{"article", "number", "score", "sentence", "start", "end", ...}],
    "chapters_searched", "language"}], "refused": [{"agreement", "reason"}]}. A treaty without a
    text or in a language the pre-coder does not read is refused with the reason; the others are
    pre-coded (Spanish and French through languages.py's term lists). With `strict` any refusal
    raises PrecoderError naming them all and nothing is stored. With `store` the suggestions
    become the codings of the model's machine coder."""
    if model is None:
        model = model_for(version=version)
    elif model.version_id != version.pk or model.codebook_hash != version.content_hash:
        raise PrecoderError(f"model {model.number} was trained for codebook {model.version}, not {version}")
    readable, refused = [], []
    for agreement in agreements:
        articles = treaty_articles(agreement.current_text)
        language, problem = reading_problem(agreement, articles)
        if problem:
            refused.append({"agreement": agreement_ref(agreement), "reason": problem})
        else:
            readable.append((agreement, language, articles))
    if strict and refused:
        raise PrecoderError("; ".join(r["reason"] for r in refused) + ". Nothing was stored.")
    fitted = precoder_load(model)
    specs = {spec.code: spec for spec in fitted.indicators}
    glossed = [gloss_treaty(articles, language) for _a, language, articles in readable]
    results = fitted.predict_many(glossed) if readable else []
    cited = [
        _cited(specs, articles, language, suggestions)
        for (_a, language, articles), suggestions in zip(readable, results)
    ]
    if store:
        with transaction.atomic(), history_user(user):
            for (agreement, _l, _t), rows in zip(readable, cited):
                _store(model, agreement, rows)
    return {
        "rows": [
            {
                "agreement": agreement_ref(agreement),
                **s.as_dict(),
                **({"chapters_searched": searched} if not s.evidence else {}),
                "language": language,
            }
            for (agreement, language, _t), rows in zip(readable, cited)
            for s, searched in rows
        ],
        "refused": refused,
    }


def precode(*, version, agreements, model=None, store=True, user=None):
    """Suggestions for `agreements` with `model` (default: the newest trained for `version`), all
    or nothing: every agreement is checked first (a text, in a language the pre-coder reads), any
    problem raises PrecoderError naming them all, and nothing is stored. The rows are
    precode_batch's."""
    return precode_batch(version=version, agreements=agreements, model=model, store=store, user=user, strict=True)[
        "rows"
    ]


def _store(model, agreement, cited):
    """The machine coder's coding of one agreement: one answer per indicator, the top-scoring
    article as its evidence, the rest on the Suggestion row (with, for a 0, the chapters
    searched). `cited`: [(suggestion, chapters searched)]. Running it again changes nothing."""
    suggestions = [s for s, _searched in cited]
    searched_for = {s.indicator: searched for s, searched in cited}
    coding, created = Coding.objects.get_or_create(
        agreement=agreement,
        version=model.version,
        coder=model.coder,
        defaults={"state": Coding.State.SUBMITTED, "text_version": agreement.current_text},
    )
    if not created and coding.text_version_id != agreement.current_text_id:
        coding.text_version, coding.revision = agreement.current_text, coding.revision + 1
        coding.save(update_fields=["text_version", "revision", "updated_at"])
    indicators = {i.code: i for i in model.version.indicators.all()}
    for s in suggestions:
        answer, _ = Answer.objects.get_or_create(coding=coding, indicator=indicators[s.indicator])
        if answer.value != s.value:
            answer.value = s.value
            answer.save(update_fields=["value"])
        # The cited sentence becomes the answer's evidence passage, as a coder's would be.
        top = [(e["article"], e.get("start"), e.get("end"), e.get("sentence", "")) for e in s.evidence[:1]]
        if [(e.article_identifier, e.start, e.end, e.quote) for e in answer.evidence.all()] != top:
            answer.evidence.all().delete()
            for article, start, end, quote in top:
                Evidence.objects.create(answer=answer, article_identifier=article, start=start, end=end, quote=quote)
        Suggestion.objects.update_or_create(
            answer=answer,
            defaults={
                "model": model,
                "confidence": s.confidence,
                "probabilities": {str(k): v for k, v in s.probabilities.items()},
                "evidence": s.evidence,
                "chapters_searched": [] if s.evidence else list(searched_for.get(s.indicator) or []),
            },
        )


@transaction.atomic
def suggestion_display_set(*, agreement, first, user):
    """Whether coders of `agreement` see suggestions before answering; the history records who
    changed it and when (agreement history page)."""
    display, _created = SuggestionDisplay.objects.get_or_create(agreement=agreement)
    if display.first != bool(first):
        display.first, display.changed_by = bool(first), user
        with history_user(user):
            display.save()
    return display


def suggestions_show(*, coding, user):
    """The machine's suggestions `user` may see beside `coding` ({code: row}, as
    selectors/precoder.py reads them), every one shown to the coding's own coder for the first
    time recorded before it leaves the server (suggestions_record_shown). Every path that shows a
    coder a suggestion goes through here; supervisors' views are not recorded (they code nothing)."""
    rows = suggestions_for_coding(coding=coding, user=user)
    # The workspace asks after every save: write (and lock) only when something is shown anew.
    if rows and coding.coder_id == user.pk and set(rows) - suggestions_shown(coding=coding):
        suggestions_record_shown(coding=coding, codes=set(rows), user=user)
    return rows


@transaction.atomic
def suggestions_record_shown(*, coding, codes, user):
    """Record that `user` (the coder) was shown the suggestions for `codes` beside `coding`: on
    each answer not yet marked, when (suggestion_shown_at) and her value at that moment
    (first_value), with a history record under her name and the reason SUGGESTION_SHOWN (the
    history page shows it). An indicator she has not touched gets an empty answer to carry the
    mark. Marks are written once and never cleared. Returns the codes newly recorded."""
    # The coding's row, locked as a save locks it (services/revisions.py), so the value read here
    # is the one stored when the suggestion is shown, and no save creates the same answer meanwhile.
    list(Coding.objects.select_for_update().filter(pk=coding.pk).values_list("pk", flat=True))
    answers = {
        a.indicator.code: a
        for a in Answer.objects.filter(coding=coding, indicator__code__in=codes).select_related("indicator")
    }
    now = timezone.now()
    shown = [a for a in answers.values() if a.suggestion_shown_at is None]
    for answer in shown:
        answer.first_value, answer.suggestion_shown_at = answer.value, now
    if shown:
        bulk_update_with_history(
            shown,
            Answer,
            ["first_value", "suggestion_shown_at"],
            default_user=user,
            default_change_reason=SUGGESTION_SHOWN,
        )
    untouched = list(coding.version.indicators.filter(code__in=set(codes) - set(answers)))
    for indicator in untouched:  # rare (suggestions shown first): a save() each, with its history record
        answer = Answer(coding=coding, indicator=indicator, suggestion_shown_at=now)
        answer._history_user, answer._change_reason = user, SUGGESTION_SHOWN
        answer.save()
    return sorted({a.indicator.code for a in shown} | {i.code for i in untouched})
