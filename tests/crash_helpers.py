"""A real crash of the estimator process, for the tests of the crash path.

pyfixest 0.60's Rust demeaner panics, aborting the whole process with SIGABRT, on samples of
singletons (one pair in one year under pair effects, for instance). Since issue 22 every such
sample is refused before the fit ("the outcome trade does not vary: ..."), so no specification
reaches that panic any more. The crash path must still hold for what nobody foresaw, so these
tests make the estimator process really abort: the panel file it loads calls os.abort() when
unpickled. The child dies with SIGABRT exactly as it did on the panic. A real panic's own text is
tested on pyfixest itself (`real_panic_stderr`)."""

import os
import pickle
import subprocess
import sys
from pathlib import Path


class _AbortOnLoad:
    def __reduce__(self):
        return (os.abort, ())


def make_panel_file_abort(path: Path) -> None:
    """Replace the stored panel file at `path` by one whose loading aborts the loading process."""
    path.write_bytes(pickle.dumps(_AbortOnLoad()))


PANIC_SCRIPT = """
import pandas as pd, pyfixest as pf
frame = pd.DataFrame({"trade": [1.0, 2.0, 3.0], "fta": [0, 1, 1], "pair_id": ["p", "q", "r"]})
pf.fepois("trade ~ fta | pair_id", data=frame)  # three singletons: the demeaner panics
"""


def real_panic_stderr(tmp_path: Path) -> tuple[int, Path]:
    """(exit code, stderr file) of a process in which pyfixest's Rust demeaner really panics."""
    stderr_path = tmp_path / "panic.stderr"
    with open(stderr_path, "wb") as stderr:
        code = subprocess.run([sys.executable, "-c", PANIC_SCRIPT], stderr=stderr, timeout=120).returncode
    return code, stderr_path
