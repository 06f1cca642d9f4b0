"""Each specification is fitted in a child process (analysis/services/estimation.py): an abort of
the estimator fails the run with the signal, a cancel or a time limit kills the child at once,
NaN and inf in a result become null with a warning, and the pages show such a result."""

import functools
import os
import time

import pytest

from analysis.pure import plots, tables
from analysis.services import estimation
from analysis.services.panels import panel_file, panel_store
from analysis.services.runs import model_run_create, model_run_execute
from tests.analysis.test_gravity import small_panel
from tests.crash_helpers import make_panel_file_abort, real_panic_stderr
from tests.test_job_faults import ABORTS, SPEC


@functools.cache
def slow_panel_path(folder):
    from analysis.pure.gravity import prepare_panel
    from analysis.pure.simulate import simulate

    path = os.path.join(folder, "slow.pkl")
    prepare_panel(simulate(countries=80, years=range(1990, 2020))).to_pickle(path)
    return path


@pytest.fixture
def slow(tmp_path_factory):
    from analysis.pure.presets import preset

    return slow_panel_path(str(tmp_path_factory.getbasetemp())), dict(preset("structural-ppml")[0])


def estimator_children():
    """Live processes forked by this process's forkserver."""
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid
    found = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server and fields[0] != "Z":
            found.add(int(entry))
    return found


def test_clean_numbers_replaces_nan_and_inf_and_says_where():
    cleaned = estimation.clean_numbers(
        {
            "coefficients": {"x": {"estimate": 1.0, "t": float("inf"), "p": float("nan")}},
            "r2": float("-inf"),
            "n_obs": 3,
            "label": "a",
            "list": [1.5, float("nan")],
        }
    )
    assert cleaned["coefficients"]["x"] == {"estimate": 1.0, "t": None, "p": None}
    assert cleaned["r2"] is None and cleaned["list"] == [1.5, None] and cleaned["n_obs"] == 3
    assert cleaned["warnings"] == [
        "not a finite number, stored as empty: coefficients.x.t (inf), coefficients.x.p (nan), r2 (-inf), list[1] (nan)"
    ]
    assert "warnings" not in estimation.clean_numbers({"r2": 0.5})


def test_an_aborting_estimator_is_a_crash_with_the_signal_and_the_next_fit_works(tmp_path):
    good, aborting = tmp_path / "small.pkl", tmp_path / "aborts.pkl"
    small_panel().to_pickle(good)
    make_panel_file_abort(aborting)
    with pytest.raises(estimation.EstimatorCrashed) as crash:
        estimation.fit_isolated(aborting, SPEC)
    assert crash.value.exitcode == -6
    assert str(crash.value).startswith("the estimator crashed (signal 6, SIGABRT)")
    assert estimation.fit_isolated(good, SPEC)["n_obs"] == len(small_panel())  # and the next fit works


def test_a_real_rust_panic_is_reported_by_its_line(tmp_path):
    """pyfixest's own panic (three singletons, which the workbench now refuses before the fit):
    the crash detail is the panic's line, not the last line of a traceback."""
    code, stderr_path = real_panic_stderr(tmp_path)
    assert code == -6
    assert estimation._crash_detail(stderr_path).startswith("panicked at src/demean.rs")


def test_the_sample_that_made_pyfixest_panic_is_refused_before_the_fit(tmp_path):
    path = tmp_path / "small.pkl"
    small_panel().to_pickle(path)
    with pytest.raises(Exception, match="does not vary"):
        estimation.fit_isolated(path, ABORTS)


def test_a_stop_or_a_deadline_kills_the_child_at_once(slow):
    path, spec = slow
    # Stop (and the deadline) at the first poll, 0.25 s in: the fit takes longer than that even
    # on a fast idle machine (0.6 s or more), which is not true of 0.5 s.
    # Timed from the first time it is asked to stop: a fresh process first starts its forkserver.
    asked, said_stop = time.monotonic(), []

    def should_stop():
        if time.monotonic() - asked > 0.1:
            said_stop.append(said_stop[0] if said_stop else time.monotonic())
            return True
        return False

    with pytest.raises(estimation.EstimationStopped):
        estimation.fit_isolated(path, spec, should_stop=should_stop)
    assert time.monotonic() - said_stop[0] < 1 and not estimator_children()
    started = time.monotonic()
    with pytest.raises(estimation.EstimationTimeout, match=r"^time limit of 1 s exceeded$"):
        estimation.fit_isolated(path, spec, deadline=time.monotonic() + 0.1, time_limit=1)
    assert time.monotonic() - started < 2 and not estimator_children()


@pytest.mark.django_db
def test_inline_runs_end_failed_with_the_crash_or_done_with_warnings(settings, tmp_path, client_for, users):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(small_panel().assign(rta=1.0), name="constant rta")
    aborting, _ = panel_store(small_panel().assign(rta=2.0), name="aborts on load")
    make_panel_file_abort(panel_file(aborting))
    crashed = model_run_execute(run_id=model_run_create(panel=aborting, specs=[SPEC], dispatch=False).pk)
    assert crashed.status == "FAILED" and crashed.error.startswith("the estimator crashed (signal 6, SIGABRT)")
    assert crashed.results in (None, []) and crashed.finished_at
    done = model_run_execute(
        run_id=model_run_create(panel=panel, specs=[{"estimator": "ols", "formula": "rta ~ 1"}], dispatch=False).pk
    )
    # A constant outcome is refused before the fit, naming the column (it used to end DONE with an
    # infinite t statistic stored as null: a number nobody should read).
    assert done.status == "FAILED" and "rta does not vary" in done.error, done.error
    assert done.worker and done.attempts == 1 and done.heartbeat_at


@pytest.mark.django_db
def test_an_inline_run_over_its_time_limit_fails_with_the_limit(settings, tmp_path, slow):
    import pandas as pd

    settings.MEDIA_ROOT = tmp_path / "media"
    path, spec = slow
    panel, _ = panel_store(pd.read_pickle(path), name="slow")
    run = model_run_execute(run_id=model_run_create(panel=panel, specs=[spec] * 3, dispatch=False).pk, time_limit=1)
    assert run.status == "FAILED" and run.error == "time limit of 1 s exceeded" and not estimator_children()


def test_tables_and_plots_show_an_empty_number_as_empty():
    result = {
        "coefficients": {"x": {"estimate": 0.5, "se": None, "t": None, "p": None, "ci_low": None, "ci_high": None}},
        "n_obs": 10,
        "estimator": "ols",
        "vcov": "hetero",
        "r2": None,
        "fixed_effects": {},
    }
    table = tables.build([result])
    markdown = tables.to_markdown(table)
    # No standard error: a blank cell under the estimate, never "()" or "nan"; no R²: blank too.
    assert "| x | 0.500 |\n| |  |" in markdown and "()" not in markdown and "nan" not in markdown
    assert "| R² / pseudo R² |  |" in markdown
    assert "0.500" in tables.to_latex(table) and "x" in tables.to_csv(table)
    assert plots.coefficient_plot([result], labels=["(1)"]).startswith(b"<?xml")


def test_fixed_effect_rows_follow_the_formula_not_the_stored_key_order():
    # PostgreSQL's jsonb hands the dict back shortest key first; the table reads the formula.
    result = {
        "coefficients": {"x": {"estimate": 0.5, "se": 0.1, "t": 5.0, "p": 0.0, "ci_low": 0.3, "ci_high": 0.7}},
        "n_obs": 10,
        "estimator": "ppml",
        "vcov": "hetero",
        "pseudo_r2": 0.0,
        "formula": "trade ~ x | exporter^year + importer^year + pair_id",
        "fixed_effects": {"pair_id": 3, "exporter^year": 4, "importer^year": 4},
    }
    footer = [label for label, _cells in tables.build([result])["footer"]]
    assert [label for label in footer if label.startswith("FE: ")] == [
        "FE: exporter^year",
        "FE: importer^year",
        "FE: pair_id",
    ]
    assert dict(tables.build([result])["footer"])["R² / pseudo R²"] == ["0.000"]  # 0 is a number, not blank
