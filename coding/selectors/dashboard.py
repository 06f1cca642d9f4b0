"""Numbers for the supervisor dashboard and agreement reports: progress, reliability, accuracy.
Reads only; the statistics themselves are the pure coding/pure/reliability.py.

Agreement is measured on first answers unless asked otherwise: an answer given after the coder
saw the machine's suggestion is no longer an independent coding, so each answer counts as it
was before the suggestion was shown (Answer.first_answer); FINAL_ANSWERS counts them as saved."""

import pandas as pd
from django.db.models import Count, Q

from ..models import Adjudication, Agreement, Answer, CodebookVersion, Coding
from ..models.codings import changed_after_suggestion_q
from ..pure import reliability
from . import agreement_display
from .codings import adjudication_queue, coding_matrix, reference_coders

FIRST_ANSWERS, FINAL_ANSWERS = "first", "final"

# The reference pair the dashboard compares when both have coded the version: the source study
# against DESTA 2.1 (names as load_demo and import_desta_codings create them).
REFERENCE_PAIR = ("the study", "DESTA 2.1")


def agreements_coded_by(*, version, coders, at_least=2):
    """Agreements with submitted codings under `version` by at least `at_least` of `coders`
    (usernames). Agreement statistics over chosen coders use only these: a unit coded by one of
    them alone says nothing about agreement, yet would enter the category shares behind Fleiss'
    kappa and Gwet's AC (e.g. a reference that codes hundreds more agreements would dominate)."""
    coded = (
        Coding.objects.filter(version=version, state=Coding.State.SUBMITTED, coder__username__in=list(coders))
        .values("agreement_id")
        .annotate(n=Count("coder_id", distinct=True))
        .filter(n__gte=at_least)
    )
    return Agreement.objects.filter(pk__in=coded.values("agreement_id"))


def coders_with_codings(*, version):
    """Usernames of everyone with a coding (any state) under `version`, sorted."""
    return sorted(set(Coding.objects.filter(version=version).values_list("coder__username", flat=True)))


def answers_choice(raw):
    """The answers a page counts (its `?answers=`): FINAL_ANSWERS when asked for, else FIRST_ANSWERS."""
    return FINAL_ANSWERS if raw == FINAL_ANSWERS else FIRST_ANSWERS


def suggestion_changes(answers):
    """{"shown": answers whose machine suggestion the coder was shown, "changed": of those, the
    ones she changed afterwards} over an Answer queryset."""
    return answers.aggregate(
        shown=Count("pk", filter=Q(suggestion_shown_at__isnull=False)),
        changed=Count("pk", filter=changed_after_suggestion_q()),
    )


def reliability_by_indicator(
    *,
    version,
    coders=None,
    agreements=None,
    answers=FIRST_ANSWERS,
    intervals=False,
    replicates=agreement_display.PAGE_REPLICATES,
):
    """{indicator code: summary dict} over submitted codings of the chosen coders. `intervals`:
    each summary also holds its intervals, minimum sample and warnings ("intervals",
    agreement_display.with_intervals, bootstrapped with the pages' replicates)."""
    frame, _approved = coding_matrix(
        version=version, coders=coders, agreements=agreements, first_answers=answers == FIRST_ANSWERS
    )
    results = {}
    for indicator in version.indicators.all():
        part = frame[frame.indicator == indicator.code]
        matrix = part.pivot_table(index="agreement_id", columns="coder", values="value", aggfunc="first")
        if coders:
            matrix = matrix.reindex(columns=list(coders))
        summary = reliability.indicator_summary(matrix, level=indicator.level, categories=indicator.values)
        if intervals:
            summary = agreement_display.with_intervals(
                summary, matrix, level=indicator.level, categories=indicator.values, replicates=replicates
            )
        results[indicator.code] = summary
    return results


def score_agreement(*, version, coders=None, agreements=None, answers=FIRST_ANSWERS):
    """{"depth": summary, "tier": summary} of the additive depth score (interval alpha) and its
    tier (ordinal alpha) between the chosen coders, each with its intervals; {} when the codebook
    has no depth indicators."""
    frame, _approved = coding_matrix(
        version=version, coders=coders, agreements=agreements, first_answers=answers == FIRST_ANSWERS
    )
    matrices = agreement_display.score_matrices(frame, version=version)
    return {
        name: agreement_display.score_summary(
            matrix.reindex(columns=coders) if coders else matrix, level=agreement_display.SCORE_LEVELS[name]
        )
        for name, matrix in matrices.items()
    }


def pairwise_by_indicator(*, version, coders=None, agreements=None, answers=FIRST_ANSWERS):
    """{indicator code: [every coder pair's agreement]}."""
    frame, _approved = coding_matrix(
        version=version, coders=coders, agreements=agreements, first_answers=answers == FIRST_ANSWERS
    )
    results = {}
    for indicator in version.indicators.all():
        part = frame[frame.indicator == indicator.code]
        matrix = part.pivot_table(index="agreement_id", columns="coder", values="value", aggfunc="first")
        results[indicator.code] = reliability.pairwise_summary(
            matrix, level=indicator.level, categories=indicator.values
        )
    return results


def supervisor_dashboard(*, version=None, answers=FIRST_ANSWERS):
    versions = list(CodebookVersion.objects.select_related("codebook").order_by("codebook__code", "-number"))
    if version is None:
        with_codings = [v for v in versions if v.codings.filter(coder__groups__name="coder").exists()]
        version = with_codings[0] if with_codings else (versions[0] if versions else None)
    context = {"versions": versions, "version": version, "queue_size": adjudication_queue().count(), "answers": answers}
    if version is None:
        return context
    per_coder = Coding.objects.filter(version=version).exclude(coder__groups__name="reference")
    context["suggestions"] = suggestion_changes(Answer.objects.filter(coding__in=per_coder))
    context["per_coder"] = list(
        per_coder.values("coder__username")
        .annotate(total=Count("id"), submitted=Count("id", filter=Q(state=Coding.State.SUBMITTED)))
        .order_by("coder__username")
    )
    for row in context["per_coder"]:
        row["percent"] = round(100 * row["submitted"] / row["total"]) if row["total"] else 0
    human = [r["coder__username"] for r in context["per_coder"]]
    double_coded = agreements_coded_by(version=version, coders=human)
    context["agreement"] = (
        reliability_by_indicator(
            version=version,
            coders=human,
            agreements=double_coded,
            answers=answers,
            intervals=True,
        )
        if len(human) >= 2
        else {}
    )
    context["agreement_rows"] = agreement_display.interval_rows(context["agreement"])
    context["chart"] = agreement_display.bar_chart(context["agreement_rows"])
    context["score_rows"] = (
        agreement_display.score_rows(
            score_agreement(version=version, coders=human, agreements=double_coded, answers=answers)
        )
        if len(human) >= 2
        else []
    )
    context["replicates"] = agreement_display.PAGE_REPLICATES
    context["accuracy"] = accuracy_by_coder(version=version, coders=human, answers=answers)
    context["approved"] = Adjudication.objects.filter(version=version, state=Adjudication.State.APPROVED).count()
    references = [u.username for u in reference_coders() if Coding.objects.filter(version=version, coder=u).exists()]
    context["references"] = references
    if len(references) >= 2:
        pair = list(REFERENCE_PAIR) if set(REFERENCE_PAIR) <= set(references) else references[:2]
        context["reference_pair"] = pair
        # Only the agreements both sources code (see agreements_coded_by).
        both = agreements_coded_by(version=version, coders=pair)
        context["reference_agreement"] = reliability_by_indicator(
            version=version, coders=pair, agreements=both, intervals=True
        )
        context["reference_rows"] = agreement_display.interval_rows(context["reference_agreement"])
        context["reference_score_rows"] = agreement_display.score_rows(
            score_agreement(version=version, coders=pair, agreements=both)
        )
    return context


def accuracy_by_coder(*, version, coders, answers=FIRST_ANSWERS):
    """Per coder and indicator: share of approved agreements where the coder's value is the
    approved (adjudicated) one, with n."""
    frame, approved = coding_matrix(version=version, coders=coders, first_answers=answers == FIRST_ANSWERS)
    if frame.empty or approved.empty:
        return []
    rows = []
    for coder in coders:
        row = {"coder": coder, "indicators": []}
        for indicator in version.indicators.all():
            mine = frame[(frame.coder == coder) & (frame.indicator == indicator.code)].set_index("agreement_id")[
                "value"
            ]
            truth = approved[approved.indicator == indicator.code].set_index("agreement_id")["value"]
            result = reliability.accuracy_against(mine.to_frame(coder), truth)[coder]
            row["indicators"].append({"code": indicator.code, **result})
        rows.append(row)
    return rows


def adjudication_agreement(*, rows, answers=FIRST_ANSWERS):
    """The adjudication page's count of indicators on which every coder gave the same answer,
    first or final (`rows` of adjudication_detail), and how many answers changed after a
    suggestion: {"agreed", "indicators", "shown", "changed", "answers"}. Supervisors only."""

    def value(answer):
        return answer.first_answer if answers == FIRST_ANSWERS else answer.value

    agreed, given = 0, [answer for row in rows for _coding, answer in row["answers"] if answer is not None]
    for row in rows:
        values = [value(answer) if answer is not None else None for _coding, answer in row["answers"]]
        agreed += bool(values) and None not in values and len(set(values)) == 1
    return {
        "agreed": agreed,
        "indicators": len(rows),
        "answers": answers,
        "shown": sum(answer.suggestion_shown_at is not None for answer in given),
        "changed": sum(answer.changed_after_suggestion for answer in given),
    }


def double_coding_plan(*, version, coders_per_agreement=2):
    """The assignment page's planner: how many double-coded treaties the reliability sample needs
    for the lower bound of alpha to reach .667 and .800 (agreement_display.sample_plan), given the
    values the (human) coders have submitted so far under `version`; before any, the values the
    reference sources coded (say DESTA 2.1 imported as a reference: its prevalences are a far
    better guess than equal shares, and the plan names them in "prevalence_sources"); with
    neither, equal shares. None without a version."""
    if version is None:
        return None
    coders = sorted(
        set(
            Coding.objects.filter(version=version, state=Coding.State.SUBMITTED)
            .exclude(coder__groups__name="reference")
            .values_list("coder__username", flat=True)
        )
    )
    sources = []
    if not coders:
        coders = sources = sorted(
            set(
                Coding.objects.filter(version=version, state=Coding.State.SUBMITTED, coder__groups__name="reference")
                .exclude(coder__precoder_model__isnull=False)  # a model's guesses are not a source's prevalences
                .values_list("coder__username", flat=True)
            )
        )
    if coders:
        frame, _approved = coding_matrix(version=version, coders=coders)
    else:  # nothing coded yet: the planner assumes equal shares (coding_matrix would read every coder)
        frame = pd.DataFrame(columns=["agreement_id", "coder", "indicator", "value"])
    plan = agreement_display.sample_plan(frame, version=version, coders=coders_per_agreement)
    return {"version": version, **plan, "prevalence_sources": sources if plan["observed"] else []}
