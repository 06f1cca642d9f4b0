"""The whole ToTA import (450 files, 40,993 articles) against plain lxml parsing of the same files.

Run: .venv/bin/python bench/bench_tota_import.py   (or `make bench`)
Prints wall times and the ratio import / parse. Goal: the import <= 30 s here.
"""

import time

from _django import setup

SHARED = setup()

from lxml import etree

from coding.models import Article
from coding.services import agreements_import_tota


def main():
    folder = SHARED / "data" / "tota"
    if not folder.is_dir():
        print(f"skipped: {folder} not found")
        return
    files = sorted(folder.glob("*.xml"))

    started = time.perf_counter()
    n_articles = sum(len(etree.parse(str(path)).getroot().findall("body/chapter/article")) for path in files)
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result = agreements_import_tota(paths=[folder])
    import_seconds = time.perf_counter() - started
    assert Article.objects.count() == n_articles

    started = time.perf_counter()
    again = agreements_import_tota(paths=[folder])
    rerun_seconds = time.perf_counter() - started
    assert again.unchanged == len(files)

    print(f"files: {len(files)}, articles: {n_articles}, created: {result.created}")
    print(f"baseline lxml parse only:     {parse_seconds:6.2f} s")
    print(
        f"import_tota (parse + write):  {import_seconds:6.2f} s   ratio {import_seconds / parse_seconds:5.1f}x baseline"
    )
    print(
        f"second run (nothing changes): {rerun_seconds:6.2f} s   ratio {rerun_seconds / parse_seconds:5.1f}x baseline"
    )


if __name__ == "__main__":
    main()
