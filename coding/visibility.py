"""Who may see what: the one place that decides, for every page, API endpoint, export and job.

Blind coding is the rule behind all of it: a coder assigned to a treaty sees no other source's
values for it (other coders, reference codings such as DESTA 2.1 or the study, dataset releases,
panels built from those releases, model runs on those panels and their tables and plots) until
the treaty's adjudication under that codebook version is approved, nor any count or state that
depends on the other coders (how many submitted, that it is in adjudication). After approval
its coders may read all its codings, on the page and through the API alike. Supervisors and
admins code nothing blind and see everything.

The analysis app asks here with the agreement ids behind its objects (a release's rows, a
panel's release); this module knows nothing of releases, so the coding app never imports the
analysis app.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from .models import Adjudication, Assignment, Coding
from .roles import REFERENCE, is_supervisor

APPROVED_SOURCE = "approved"


def adjudication_approved():
    """Exists(): the row's agreement is approved under the row's codebook version (the end of
    the blind phase), for querysets of models with `agreement` and `version`."""
    return Exists(
        Adjudication.objects.filter(
            agreement=OuterRef("agreement"), version=OuterRef("version"), state=Adjudication.State.APPROVED
        )
    )


def sees_everything(user) -> bool:
    """Supervisors and admins: nothing is hidden from them (they code nothing blind)."""
    return user.is_authenticated and is_supervisor(user)


def codings_visible_to(user, *, agreement=None, version=None):
    """Codings `user` may see: the one rule the workspace page and `/api/codings/` (list, detail,
    submit) both ask, so they never answer differently. Supervisors: all. Coders: their own, and
    every other coding of a treaty (a colleague's, a reference coder's) once the treaty is over
    for her (`others_codings_open`). Nobody else: none."""
    qs = Coding.objects.select_related("coder", "agreement", "version")
    if agreement is not None:
        qs = qs.filter(agreement=agreement)
    if version is not None:
        qs = qs.filter(version=version)
    if not user.is_authenticated:
        return qs.none()
    if is_supervisor(user):
        return qs
    return qs.filter(Q(coder=user) | others_codings_open(user))


def others_codings_open(user):
    """Q(): a coding row whose treaty is over for coder `user`, so she may read it whoever made it:
    - its adjudication under the coding's codebook version is approved (the blind phase is over);
    - she is assigned to the treaty (its coders learn from each other's evidence and notes after
      approval; a coder of other treaties has no business reading one colleague's work, as the
      comparison page does not show her one coder's codings either: `source_visible_to`);
    - she codes no version of it blind (a newer codebook version restarts the blind phase, and
      the older codings would anchor her answers: `agreements_in_blind_coding`)."""
    # Subqueries of the same SQL statement: no extra query for the page or API that asks.
    assigned = Assignment.objects.filter(coder=user, agreement=OuterRef("agreement"))
    blind = assigned.exclude(adjudication_approved())  # agreements_in_blind_coding, for this row
    return Q(adjudication_approved()) & Q(Exists(assigned)) & ~Q(Exists(blind))


def coding_states_visible_to(user, agreement) -> bool:
    """Whether `user` may see how the coding of `agreement` stands beyond her own coding: how many
    coders submitted ("1 of 2 submitted"), that it is in adjudication or approved, whose coding is
    which. All of it depends on the other coders (that B submitted is why adjudication opened), so
    a coder blind on the treaty sees her own coding's state only, until its adjudication is
    approved. Everyone else signed in (supervisors, coders of other treaties) sees the states:
    they carry no values. Every page, badge and API that shows such a state asks here."""
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    agreement_id = getattr(agreement, "pk", agreement)
    return (
        not Assignment.objects.filter(coder=user, agreement_id=agreement_id).exclude(adjudication_approved()).exists()
    )


def feedback_codings_for(user):
    """Codings whose feedback (the coder's answers beside the final values and the adjudicator's
    rationale, her agreement with final values over time) `user` may see: a coder only her own,
    and only once the adjudication under that codebook version is approved (before, the final
    values would tell her what the other coders answered). Supervisors: every approved coding."""
    qs = Coding.objects.select_related("coder", "agreement", "version__codebook").filter(adjudication_approved())
    if not user.is_authenticated:
        return qs.none()
    if is_supervisor(user):
        return qs
    return qs.filter(coder=user)


def agreements_in_blind_coding(user):
    """Ids of the agreements `user` is assigned to code and whose adjudication under that
    codebook version is not approved yet. While an agreement is in this set the user sees no
    other source's values for it. Supervisors code nothing blind: empty set. Anonymous users see
    no values at all, so the question does not arise for them (empty set; pages require login)."""
    if not user.is_authenticated or is_supervisor(user):
        return set()
    return set(
        Assignment.objects.filter(coder=user).exclude(adjudication_approved()).values_list("agreement_id", flat=True)
    )


def source_visible_to(user, source):
    """Whether `user` may see values of a source: "approved" (the adjudicated codings) and
    reference coders (DESTA 2.1, the study) are open to every signed-in user; one human coder's
    codings only to that coder and to supervisors. Which agreements are still withheld is a
    separate question (`withheld_count`)."""
    if not user.is_authenticated:
        return False
    if source == APPROVED_SOURCE or is_supervisor(user) or source == user.get_username():
        return True
    return get_user_model().objects.filter(username=source, groups__name=REFERENCE).exists()


def withheld_count(user, agreement_ids, *, blind=None) -> int:
    """How many of `agreement_ids` `user` is still coding blind. A release (and anything built
    from it) is immutable and citable, so it is never shown with rows cut out: while this is
    above 0 the user cannot open it. Pass `blind` (agreements_in_blind_coding) when asking for
    many objects, to read the blind set once."""
    if blind is None:
        blind = agreements_in_blind_coding(user)
    return sum(1 for agreement_id in agreement_ids if agreement_id in blind) if blind else 0


def values_visible_to(user, *, source, agreement_ids, blind=None) -> bool:
    """The whole rule for an object that shows the values of `source` for `agreement_ids`
    (a release, a panel built from it, a model run on that panel)."""
    return source_visible_to(user, source) and withheld_count(user, agreement_ids, blind=blind) == 0


def suggestion_indicators_visible(user, coding, *, first=False):
    """The indicator codes whose machine suggestion `user` may see beside `coding`. The machine
    coder is a source like any other, so a coder sees none of its values for a treaty she codes
    blind, with one deliberate opening: an indicator she has already answered (a saved value), as
    her answer is then made without the suggestion (no anchoring). A treaty whose project shows
    suggestions first (`first`, SuggestionDisplay) opens them all to its coder. Supervisors, and
    everyone once the treaty is adjudicated, see every suggestion."""
    codes = set(coding.version.indicators.values_list("code", flat=True))
    if not user.is_authenticated:
        return set()
    if (
        sees_everything(user)
        or Adjudication.objects.filter(
            agreement_id=coding.agreement_id, version_id=coding.version_id, state=Adjudication.State.APPROVED
        ).exists()
    ):
        return codes
    if coding.coder_id != user.pk:
        return set()
    if first:
        return codes
    return set(coding.answers.filter(value__isnull=False).values_list("indicator__code", flat=True))
