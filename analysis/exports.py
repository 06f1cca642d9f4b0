"""Write a dataset release as CSV, XLSX, Stata .dta or JSON, per agreement or per country pair.

Works on the release's stored rows and a plain description of the codebook, so every export of a
release is the same bytes of data whenever it is made.
"""
import io
import json
from itertools import permutations

import pandas as pd

FORMATS = {"csv", "xlsx", "dta", "json"}
SHAPES = {"agreement", "dyad"}
ID_COLUMNS = ["agreement_id", "desta_number", "tota_id", "wto_rta_id", "name", "parties", "entry_into_force_year", "membership"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dta": "application/x-stata-dta",
    "json": "application/json",
}


def release_frame(rows, indicator_codes, shape="agreement"):
    """Per agreement: one row each. Per dyad: one row per ordered pair (i, j) of different
    parties, so a bilateral agreement gives two rows, ready to merge into a pair-year panel."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {sorted(SHAPES)}")
    value_columns = [*indicator_codes, "depth", "tier"]
    records = []
    for row in rows:
        base = {c: row.get(c) for c in ID_COLUMNS}
        base["parties"] = ";".join(row.get("parties") or [])
        values = {c: row.get(c) for c in value_columns}
        if shape == "agreement":
            records.append({**base, **values})
        else:
            for exporter, importer in permutations(row.get("parties") or [], 2):
                records.append({"iso3_i": exporter, "iso3_j": importer, **base, "year": row.get("entry_into_force_year"), **values})
    columns = (["iso3_i", "iso3_j"] if shape == "dyad" else []) + ID_COLUMNS + (["year"] if shape == "dyad" else []) + value_columns
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in [*indicator_codes, "depth", "tota_id", "wto_rta_id", "entry_into_force_year", "agreement_id"] + (["year"] if shape == "dyad" else []):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().all() and (frame[column] % 1 == 0).all():
            frame[column] = frame[column].astype("int64")
    return frame


def readme_lines(meta):
    return [
        f"Dataset release {meta['number']}: {meta['name']}",
        f"Cite as: {meta['citation']}",
        f"Codebook: {meta['codebook']} version {meta['version']} ({meta['codebook_title']})",
        f"Source of the codes: {meta['source']}",
        f"Depth score: {meta['method']} over {', '.join(meta['depth_indicators'])}; totals recomputed from the codes",
        f"Content hash (sha256): {meta['content_hash']}",
        f"Released by {meta['created_by']} on {meta['created_at']}",
        "Missing codes are left empty (Stata: .), never 0. Agreements missing a depth indicator have no depth.",
        "Shapes: one row per agreement, or one row per ordered country pair (iso3_i, iso3_j) with the",
        "agreement's entry-into-force year (column year) for merging into a pair-year panel.",
    ]


def codebook_frame(indicators):
    return pd.DataFrame([
        {"code": i["code"], "level": i["level"], "question_en": i["question_en"], "question_zh": i["question_zh"],
         "values": "; ".join(f"{v['value']} = {v['label_en']}" for v in i["allowed_values"])}
        for i in indicators
    ])


def to_bytes(frame, fmt, *, meta, indicators):
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}")
    if fmt == "csv":
        # UTF-8 with a byte-order mark, so Excel opens Chinese names correctly.
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    if fmt == "json":
        return json.dumps({"release": meta, "rows": json.loads(frame.to_json(orient="records", force_ascii=False))},
                          ensure_ascii=False, indent=1).encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "xlsx":
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="data", index=False)
            codebook_frame(indicators).to_excel(writer, sheet_name="codebook", index=False)
            pd.DataFrame({"README": readme_lines(meta)}).to_excel(writer, sheet_name="README", index=False)
        return buffer.getvalue()
    return _stata_bytes(frame, meta=meta, indicators=indicators)


def _stata_bytes(frame, *, meta, indicators):
    by_code = {i["code"]: i for i in indicators}
    data = frame.copy()
    for column in data.columns:
        if data[column].dtype == object:
            data[column] = data[column].fillna("").astype(str)
    variable_labels = {c: by_code[c]["question_en"][:80] for c in data.columns if c in by_code}
    variable_labels.update({"depth": f"depth score ({meta['method']})", "tier": "depth tier",
                            "entry_into_force_year": "year the agreement entered into force",
                            "iso3_i": "party i (ISO3)", "iso3_j": "party j (ISO3)", "year": "entry-into-force year"})
    variable_labels = {k: v for k, v in variable_labels.items() if k in data.columns}
    value_labels = {c: {float(v["value"]): v["label_en"][:80] for v in by_code[c]["allowed_values"]}
                    for c in data.columns if c in by_code}
    buffer = io.BytesIO()
    data.to_stata(buffer, write_index=False, version=118, variable_labels=variable_labels, value_labels=value_labels,
                  data_label=f"Release {meta['number']}: {meta['name']}"[:80])
    return buffer.getvalue()
