"""agreement_report's rows for the machine pre-coder (--precoder [N]): the model's agreement
with its reference coder on treaties it was not trained on, with the approved (adjudicated)
values, and cross-validated, per indicator (n, Cohen's kappa, Krippendorff's alpha, accuracy)."""

from django.core.management.base import CommandError

from ...pure.csv_safe import SafeWriter
from ...selectors.precoder import PrecoderModelError, model_for, precoder_measurement

COMPARISONS = (
    ("reference", "vs {reference}, held out"),
    ("approved", "vs approved values"),
    ("cross_validation", "cross-validated vs {reference}"),
)


def precoder_report(*, version, number):
    try:
        model = model_for(version=version, number=number or None)
    except PrecoderModelError as exc:
        raise CommandError(str(exc)) from exc
    measurement = precoder_measurement(model=model)
    return {
        "model": model.number,
        "coder": model.coder_name,
        "reference_coder": model.reference,
        "held_out_agreements": measurement["n_reference_held_out"],
        "approved_agreements": measurement["n_approved"],
        **{name: measurement["results"][name] for name, _label in COMPARISONS},
    }


def precoder_rows(report):
    """(label, indicator, {n, kappa, alpha, accuracy}) for every comparison and indicator."""
    for name, label in COMPARISONS:
        for code, stats in report[name].items():
            yield f"{report['coder']} {label.format(reference=report['reference_coder'])}", code, stats


def write_precoder(stdout, report, fmt):
    def number(value):
        return f"{value:8.3f}" if value is not None else f"{'—':>8}"

    if fmt == "csv":  # in agreement_report's columns: n_units, cohen_kappa, krippendorff_alpha
        writer = SafeWriter(stdout)
        for label, code, stats in precoder_rows(report):
            writer.writerow(
                [f"{code} ({label})", stats["n"], None, None, stats["kappa"], None, stats["alpha"], None, None, None]
            )
        return
    current = None
    for label, code, stats in precoder_rows(report):
        if label != current:
            stdout.write(f"\n{label}")
            stdout.write(f"{'indicator':<34}{'n':>5}{'kappa':>8}{'alpha':>8}{'accuracy':>10}")
            current = label
        stdout.write(
            f"{code:<34}{stats['n']:>5}{number(stats['kappa'])}{number(stats['alpha'])}  {number(stats['accuracy'])}"
        )
