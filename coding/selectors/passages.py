"""Every coder's cited passages in the treaty text, side by side, for the adjudication page
(supervisors: blindness does not apply to them). Reads only; the cutting is the pure
coding/pure/highlights.py."""

from collections import defaultdict

from django.utils.translation import gettext as _

from ..models import Article
from ..pure.highlights import passage_segments
from .agreements import article_url, citation_labels
from .codings import adjudication_detail, coding_text_version

# One colour per coder (legend and marks); a passage two coders cited shows both, striped.
PALETTE = ["#ffd54f", "#81d4fa", "#a5d6a7", "#f48fb1", "#ce93d8", "#ffab91"]


def _style(indices):
    colours = [PALETTE[i % len(PALETTE)] for i in indices]
    if len(colours) == 1:
        return f"background:{colours[0]}"
    step = 100 / len(colours)
    stops = ", ".join(f"{c} {i * step:.0f}% {(i + 1) * step:.0f}%" for i, c in enumerate(colours))
    return f"background:linear-gradient(to bottom, {stops})"


def adjudication_passages(*, codings, answers, codes, show_names=False):
    """The cited articles in text order, each with its text cut into pieces marked by the coders
    who cited them (passages with offsets) and the coders who cited the whole article.
    `answers` are Answer rows with their evidence prefetched, `codes` {indicator id: code}."""
    coders = []
    for index, coding in enumerate(codings):
        name = coding.coder.get_username() if show_names else _("Coder %(n)s") % {"n": index + 1}
        coders.append({"index": index, "name": name, "colour": PALETTE[index % len(PALETTE)], "coding": coding})
    index_of = {c["coding"].pk: c["index"] for c in coders}
    cited = defaultdict(list)  # (text version, article) -> [(start, end, coder index, code)]
    for answer in answers:
        coding = codings[index_of[answer.coding_id]]
        for item in answer.evidence.all():
            cited[(coding_text_version(coding), item.article_identifier)].append(
                (item.start, item.end, index_of[answer.coding_id], codes.get(answer.indicator_id, ""))
            )
    versions = {version for version, _identifier in cited}
    articles = []
    for version in versions:
        if version is None:
            continue
        labels = citation_labels(version)
        wanted = {identifier for v, identifier in cited if v == version}
        for article in Article.objects.filter(version=version, identifier__in=wanted).only(
            "identifier", "text", "position"
        ):
            spans = cited[(version, article.identifier)]
            segments = []
            for text, keys in passage_segments(article.text, [(s, e, (i, code)) for s, e, i, code in spans]):
                indices = sorted({i for i, _code in keys})
                segments.append(
                    {
                        "text": text,
                        "style": _style(indices) if indices else "",
                        "codes": " ".join(sorted({code for _i, code in keys})),
                        "title": " · ".join(
                            f"{coders[i]['name']}: {', '.join(sorted(c for j, c in keys if j == i))}" for i in indices
                        ),
                    }
                )
            whole = defaultdict(set)
            for start, _end, i, code in spans:
                if start is None:
                    whole[i].add(code)
            articles.append(
                {
                    "position": (version.number, article.position),
                    "identifier": article.identifier,
                    "label": labels.get(article.identifier, f"#{article.identifier}"),
                    "version": version,
                    "url": article_url(
                        agreement_id=version.agreement_id, version=version.number, identifier=article.identifier
                    ),
                    "segments": segments,
                    "whole": [{"coder": coders[i], "codes": ", ".join(sorted(c))} for i, c in sorted(whole.items())],
                    "codes": " ".join(sorted({code for *_rest, code in spans})),
                }
            )
    articles.sort(key=lambda a: a["position"])
    return {"coders": coders, "passages": articles}


def adjudication_page(*, adjudication, show_names=False):
    """What the adjudication page shows: every coder's answers per indicator (adjudication_detail)
    and their cited passages in the text."""
    detail = adjudication_detail(adjudication=adjudication)
    answers = [answer for row in detail["rows"] for _coding, answer in row["answers"] if answer is not None]
    codes = {row["indicator"].pk: row["indicator"].code for row in detail["rows"]}
    return {
        **detail,
        **adjudication_passages(codings=detail["codings"], answers=answers, codes=codes, show_names=show_names),
    }
