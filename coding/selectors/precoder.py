"""Reads of the machine pre-coder: treaty texts as the pure model reads them, the training set,
the model for a codebook, suggestions for the workspace and adjudication (visibility asked of
coding/visibility.py), and the honest measurement of a model. Reads only."""

from ..models import (
    Adjudication,
    Agreement,
    Answer,
    Article,
    Coding,
    FinalValue,
    PrecodeJob,
    PrecoderModel,
    Suggestion,
    SuggestionDisplay,
)
from ..precoder.features import TreatyArticle, looks_english
from ..precoder.model import IndicatorSpec, agreement_statistics
from ..pure.ids import MAX_DATABASE_ID
from ..visibility import suggestion_indicators_visible
from .agreements import article_url, citation_labels

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "zh": "Chinese",
    "ar": "Arabic",
    "ru": "Russian",
    "de": "German",
}


class PrecoderModelError(LookupError):
    """No model answers this codebook (the message says which models there are)."""


def agreement_ref(agreement):
    """How output names an agreement: desta:N, else tota:N, else wto:N, else its id."""
    refs = agreement.references
    return next((r for prefix in ("desta:", "tota:", "wto:") for r in refs if r.startswith(prefix)), refs[0])


def treaty_articles(text_version):
    """One text version as the pure model reads it: [TreatyArticle] in reading order."""
    if text_version is None:
        return []
    labels = citation_labels(text_version)
    rows = (
        Article.objects.filter(version=text_version)
        .order_by("position")
        .values_list("identifier", "chapter__name", "heading", "text")
    )
    return [
        TreatyArticle(identifier=i, chapter=c or "", heading=h or "", text=t, label=labels.get(i, ""))
        for i, c, h, t in rows
    ]


def text_language_problem(agreement, articles, *, language="en"):
    """Why the model (reading `language`) cannot read this treaty, or None: no text, or a text
    in another language (metadata first, the words when the metadata says nothing)."""
    ref = agreement_ref(agreement)
    if not articles:
        return f"{ref} ({agreement.name}) has no text: import one first; nothing to pre-code"
    declared = (agreement.language or "").strip().lower()
    if declared and not declared.startswith(language):
        name = LANGUAGE_NAMES.get(declared[:2], declared)
        return (
            f"{ref} ({agreement.name}) is a text in {name} ({declared}); the model reads "
            f"{LANGUAGE_NAMES.get(language, language)} only"
        )
    if not declared and not looks_english(articles):
        return (
            f"{ref} ({agreement.name}): its text does not read as {LANGUAGE_NAMES.get(language, language)}; "
            "the model reads English only"
        )
    return None


def indicator_specs(version):
    return [
        IndicatorSpec(code=i.code, level=i.level, values=tuple(sorted(i.values)), hints=tuple(i.keyword_hints))
        for i in version.indicators.all()
    ]


def approved_labels(*, version):
    """{agreement id: {code: final value}} of the approved adjudications under `version`."""
    labels = {}
    for agreement_id, code, value in FinalValue.objects.filter(
        adjudication__version=version, adjudication__state=Adjudication.State.APPROVED
    ).values_list("adjudication__agreement_id", "indicator__code", "value"):
        labels.setdefault(agreement_id, {})[code] = value
    return labels


def training_set(*, version, reference, exclude_ids=(), with_approved=False):
    """(items, left_out): items are (agreement, text version, articles, {code: value}) for every
    agreement `reference` has a submitted coding of under `version` (`with_approved`: and every
    approved one, whose final values take the place of the reference's); left_out maps a reason
    to the agreement refs not used (excluded on request, no text, not English)."""
    codings = (
        Coding.objects.filter(version=version, coder__username=reference, state=Coding.State.SUBMITTED)
        .select_related("agreement__current_text")
        .order_by("agreement_id")
    )
    labels = {}
    for coding_id, code, value in Answer.objects.filter(coding__in=codings, value__isnull=False).values_list(
        "coding_id", "indicator__code", "value"
    ):
        labels.setdefault(coding_id, {})[code] = value
    sources = [(coding.agreement, labels.get(coding.pk, {})) for coding in codings]
    if with_approved:
        approved = approved_labels(version=version)
        sources = [(a, {**lab, **approved.pop(a.pk, {})}) for a, lab in sources]
        sources += [
            (a, approved[a.pk]) for a in Agreement.objects.filter(pk__in=approved).select_related("current_text")
        ]
    items, left_out = [], {}
    for agreement, agreement_labels in sorted(sources, key=lambda pair: pair[0].pk):
        if agreement.pk in set(exclude_ids):
            left_out.setdefault("excluded", []).append(agreement_ref(agreement))
            continue
        articles = treaty_articles(agreement.current_text)
        problem = text_language_problem(agreement, articles)
        if problem:
            left_out.setdefault("no text" if not articles else "not English", []).append(agreement_ref(agreement))
            continue
        items.append((agreement, agreement.current_text, articles, agreement_labels))
    return items, left_out


def precoder_models():
    """Every trained model, newest first."""
    return PrecoderModel.objects.select_related("version__codebook").order_by("-number")


def precoder_model_get(number=None):
    """Model `number` (None: the newest trained), or None when there is no such model."""
    if number and number > MAX_DATABASE_ID:  # an address's number larger than any row's
        return None
    models = precoder_models()
    return models.filter(number=number).first() if number else models.first()


def precode_jobs_recent(*, limit=10):
    """The latest pre-coding jobs, newest first, with their model."""
    return list(PrecodeJob.objects.select_related("model").order_by("-created_at")[:limit])


def precode_job_get(pk):
    return PrecodeJob.objects.filter(pk=pk).first()


def model_for(*, version, number=None):
    """The model to pre-code `version` with: model `number`, else the newest trained for it."""
    if number is not None:
        model = PrecoderModel.objects.select_related("version__codebook", "coder").filter(number=number).first()
        if model is None:
            raise PrecoderModelError(f"no pre-coder model {number}")
        if model.version_id != version.pk or model.codebook_hash != version.content_hash:
            raise PrecoderModelError(
                f"model {number} was trained for codebook {model.version}, not {version}: "
                "its suggestions would answer other questions"
            )
        return model
    model = (
        PrecoderModel.objects.select_related("version__codebook", "coder")
        .filter(version=version, codebook_hash=version.content_hash)
        .order_by("-number")
        .first()
    )
    if model is None:
        known = ", ".join(
            f"model {m.number} ({m.version})" for m in PrecoderModel.objects.select_related("version__codebook")
        )
        raise PrecoderModelError(
            f"no pre-coder model was trained for codebook {version}; trained: {known or 'none (run train_precoder)'}"
        )
    return model


def _suggestion_rows(codings_qs, *, codes=None):
    """{indicator code: row} of the machine codings in `codings_qs` (one per agreement)."""
    suggestions = Suggestion.objects.filter(answer__coding__in=codings_qs).select_related(
        "answer__indicator", "answer__coding__text_version", "answer__coding__agreement", "model"
    )
    rows = {}
    for s in suggestions:
        code = s.answer.indicator.code
        if codes is not None and code not in codes:
            continue
        best = s.evidence[0] if s.evidence else None
        coding = s.answer.coding
        rows[code] = {
            "code": code,
            "value": s.answer.value,
            "confidence": round(s.confidence, 2),
            "label": dict(s.answer.indicator.value_labels()).get(s.answer.value, ""),
            "article": best["article"] if best else None,
            "number": best["number"] if best else "",
            "sentence": best.get("sentence", "") if best else "",  # the cited passage (precoder/evidence.py)
            "chapters_searched": [] if best else list(s.chapters_searched or []),  # a 0: searched, not found
            "url": article_url(
                agreement_id=coding.agreement_id,
                identifier=best["article"],
                version=coding.text_version.number if coding.text_version else None,
            )
            if best
            else None,
            "model": s.model.number,
        }
    return rows


def machine_codings(*, agreement, version):
    """The newest model's machine coding of this agreement under `version`, as a queryset."""
    model = (
        PrecoderModel.objects.filter(version=version, coder__codings__agreement=agreement).order_by("-number").first()
    )
    if model is None:
        return Coding.objects.none()
    return Coding.objects.filter(agreement=agreement, version=version, coder_id=model.coder_id)


def suggestions_for_coding(*, coding, user):
    """The machine's suggestions `user` may see beside `coding` ({code: row}); which ones is
    coding/visibility.py's decision (after answering, unless the treaty shows them first)."""
    first = SuggestionDisplay.objects.filter(agreement_id=coding.agreement_id, first=True).exists()
    codes = set(suggestion_indicators_visible(user, coding, first=first))
    if coding.coder_id == user.pk:
        # Once shown, always shown: a suggestion her own coding was shown (Answer.suggestion_shown_at)
        # stays beside it, even once she empties the answer; it tells her nothing she has not seen.
        codes |= suggestions_shown(coding=coding)
    if not codes:
        return {}
    return _suggestion_rows(machine_codings(agreement=coding.agreement, version=coding.version), codes=codes)


def suggestions_shown(*, coding):
    """The indicator codes whose machine suggestion `coding`'s coder has been shown."""
    return set(coding.answers.filter(suggestion_shown_at__isnull=False).values_list("indicator__code", flat=True))


def suggestions_for_adjudication(*, adjudication):
    """Every suggestion for an adjudication (supervisors' page): [row] in indicator order."""
    rows = _suggestion_rows(machine_codings(agreement=adjudication.agreement, version=adjudication.version))
    return [rows[i.code] for i in adjudication.version.indicators.all() if i.code in rows]


def suggestion_display_first(agreement):
    return SuggestionDisplay.objects.filter(agreement=agreement, first=True).exists()


def _pairs(frame_a, frame_b):
    """[(a, b)] over the agreements both have, per indicator: {code: [(a, b)]}."""
    pairs = {}
    for (agreement_id, code), value in frame_a.items():
        if (agreement_id, code) in frame_b:
            pairs.setdefault(code, []).append((frame_b[(agreement_id, code)], value))
    return pairs


def _values(**filters):
    return {
        (a, c): v
        for a, c, v in Answer.objects.filter(value__isnull=False, **filters).values_list(
            "coding__agreement_id", "indicator__code", "value"
        )
    }


def precoder_measurement(*, model):
    """The honest figures of one model, per indicator (n, kappa, alpha, accuracy): cross-validated
    on its training set; its stored suggestions against the reference coder on the treaties it
    did NOT train on; and against the approved (adjudicated) values. Reliability-diagram points
    (confidence, correct) for each."""
    specs = [IndicatorSpec(code=i["code"], level=i["level"], values=tuple(i["values"])) for i in model.indicators]
    machine = _values(coding__coder_id=model.coder_id, coding__version_id=model.version_id)
    confidence = dict(Suggestion.objects.filter(model=model).values_list("answer_id", "confidence"))
    answer_ids = {
        (a, c): pk
        for pk, a, c in Answer.objects.filter(coding__coder_id=model.coder_id).values_list(
            "pk", "coding__agreement_id", "indicator__code"
        )
    }
    trained = set(model.training_agreements)
    reference = {
        k: v
        for k, v in _values(
            coding__coder__username=model.reference,
            coding__version_id=model.version_id,
            coding__state=Coding.State.SUBMITTED,
        ).items()
        if k[0] not in trained
    }
    approved = {
        (a, c): v
        for a, c, v in FinalValue.objects.filter(
            adjudication__version_id=model.version_id, adjudication__state=Adjudication.State.APPROVED
        ).values_list("adjudication__agreement_id", "indicator__code", "value")
    }
    result = {"cross_validation": {}, "reference": {}, "approved": {}}
    points = {"cross_validation": [], "reference": [], "approved": []}
    for name, truth in (("reference", reference), ("approved", approved)):
        pairs = _pairs(machine, truth)
        for spec in specs:
            result[name][spec.code] = agreement_statistics(pairs.get(spec.code, []), spec)
        points[name] = [
            [confidence.get(answer_ids[key], 0), int(value == truth[key])]
            for key, value in machine.items()
            if key in truth and key in answer_ids
        ]
    for spec in specs:
        cv = model.cross_validation.get(spec.code, {})
        result["cross_validation"][spec.code] = {k: cv.get(k) for k in ("n", "kappa", "alpha", "accuracy")}
        points["cross_validation"] += cv.get("points", [])
    return {
        "model": model,
        "indicators": [s.code for s in specs],
        "results": result,
        "points": points,
        "machine_coder": model.coder_name,
        "reference": model.reference,
        "n_reference_held_out": len({a for a, _c in reference if any((a, s.code) in machine for s in specs)}),
        "n_approved": len({a for a, _c in approved if any((a, s.code) in machine for s in specs)}),
    }


def precodable(agreements, *, language="en"):
    """(agreements the model can read, [why not] for the others)."""
    ok, problems = [], []
    for agreement in agreements:
        problem = text_language_problem(agreement, treaty_articles(agreement.current_text), language=language)
        (problems.append(problem) if problem else ok.append(agreement))
    return ok, problems
