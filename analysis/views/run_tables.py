"""A run's regression table beside the study's published column, and the table of a run whose
specifications partly failed: the finished ones' columns, each unfinished one marked with why
(shown on the run page and downloaded in every table format). Thin: run_outcome and
run_panel_facts read; analysis/pure/tables.py and published.py build."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from ..pure import formats, published, tables
from ..selectors.runs import RunStatus, run_get, run_outcome, run_panel_facts
from ..templatetags.analysis_labels import preset_label, table_in_reader_language
from .common import attachment_response


def published_text():
    """The published column's labels and note in the active language (published.py is Django-free)."""
    return {key: _(value) for key, value in published.TEXT.items()} | {"not_estimated": _("Not estimated")}


def beside_published(table, results, facts, *, text=None):
    """`table` with the study's published column after each study preset's column (else unchanged).
    `text`: the table's labels in the reader's language, or None for a file in English."""
    return published.beside(table, results, facts=facts, text=None if text is None else {**text, **published_text()})


def run_facts(run, count):
    """Per result of `run` (in specification order), the panel facts the published note names."""
    specs = list(run.specs or [])
    return [run_panel_facts(run, specs[index] if index < len(specs) else None) for index in range(count)]


def failed_run_table(run, *, text):
    """A failed run's table, or None when no specification finished: the finished specifications'
    columns, a column per unfinished one marked with its reason (failed) or its state, and the
    study's published column beside each study column. `text`: the table's labels (translated)."""
    outcome = run_outcome(run)
    finished = outcome["finished"]
    if run.status != RunStatus.FAILED or not finished:
        return None
    statuses = {**dict(RunStatus.choices), "NOT_STARTED": _("not started")}

    def label(item):
        return f"({item['position']}) {preset_label(item['label'])}" if item["label"] else f"({item['position']})"

    table = tables.build([item["result"] for item in finished], [label(item) for item in finished], text=text)
    unfinished = [
        {
            "position": item["position"],
            "label": label(item),
            "why": ": ".join(filter(None, [str(statuses.get(item["status"], item["status"])), item.get("error")])),
        }
        for item in outcome["unfinished"]
    ]
    text = {**(text or {}), **published_text()}
    table = tables.with_unfinished(table, [item["position"] for item in finished], unfinished, text=text)
    by_position = {item["position"]: item["result"] for item in finished}
    positions = sorted([*by_position, *(item["position"] for item in unfinished)])
    specs = list(run.specs or [])
    facts = [run_panel_facts(run, specs[p - 1] if p - 1 < len(specs) else None) for p in positions]
    return published.beside(table, [by_position.get(p, {}) for p in positions], facts=facts, text=text)


@login_required
def run_finished_table(request, pk, fmt):
    """A failed run's table of its finished specifications, the failed ones marked with their
    reason: /analysis/runs/3/finished.docx. LaTeX, Markdown and CSV in English (files for a
    paper), Word and Excel in the reader's language, as for a finished run's table."""
    from .runs import table_text  # the one set of footer labels of every run table

    run = run_get(request.user, pk)
    if run is None or fmt not in formats.TABLES:
        raise Http404(f"no such run, or format not one of {', '.join(formats.TABLES)}")
    reader = fmt in formats.READER_LANGUAGE_TABLES
    with translation.override(translation.get_language() if reader else "en"):
        table = failed_run_table(run, text=table_text())
        if table is None:
            raise Http404("not a failed run with finished specifications")
        if reader:
            table_in_reader_language(table)
    output = formats.TABLES[fmt]
    filename = f"gravity-{run.pk}-finished.{output.extension}"
    return attachment_response(output.write(table), content_type=output.content_type, filename=filename)
