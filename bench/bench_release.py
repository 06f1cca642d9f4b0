"""Release + all four exports (CSV, XLSX, DTA, JSON; per agreement) for ~780 agreements coded by
DESTA 2.1, against bare pandas writes of the same frame. Ratio in the closing note.

Run: .venv/bin/python bench/bench_release.py
"""

import io
import time

from _django import setup

SHARED = setup()

from analysis.pure import exports
from analysis.selectors.releases import release_export, release_indicators
from analysis.services.releases import release_create
from coding.services import agreements_import_desta_list, codebook_import
from coding.services.coding_import import desta_codings_import


def main():
    desta = SHARED / "data" / "desta"
    if not desta.is_dir():
        print(f"skipped: {desta} not found")
        return
    version = codebook_import(path=SHARED / "codebook" / "desta_tbt.yaml").version
    agreements_import_desta_list(path=desta / "desta_list_of_treaties_02_01.csv")
    desta_codings_import(path=desta / "desta_tbt_02_01.csv", version=version)

    started = time.perf_counter()
    release, _ = release_create(version=version, name="DESTA 2.1", source="DESTA 2.1")
    release_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sizes = {fmt: len(release_export(release, fmt=fmt)[0]) for fmt in ("csv", "xlsx", "dta", "json")}
    export_seconds = time.perf_counter() - started

    indicators = release_indicators(release)
    frame = exports.release_frame(release.rows, [i["code"] for i in indicators])
    started = time.perf_counter()
    frame.to_csv(io.BytesIO(), index=False)
    frame.to_excel(io.BytesIO(), index=False, engine="openpyxl")
    frame.assign(**{c: frame[c].fillna("").astype(str) for c in frame.columns if frame[c].dtype == object}).to_stata(
        io.BytesIO(), write_index=False, version=118
    )
    frame.to_json(orient="records")
    bare_seconds = time.perf_counter() - started

    total = release_seconds + export_seconds
    print(f"agreements in the release: {release.summary['n_agreements']}; export sizes: {sizes}")
    print(f"bare pandas writes (csv, xlsx, dta, json): {bare_seconds * 1000:7.1f} ms")
    print(f"release (read codes, score, hash, store):  {release_seconds * 1000:7.1f} ms")
    print(f"four exports with labels and README:       {export_seconds * 1000:7.1f} ms")
    print(f"release + exports / bare writes: {total / bare_seconds:4.2f}x")


if __name__ == "__main__":
    main()
