"""Write a dataset release as CSV, XLSX, Stata .dta or JSON, per agreement or per country pair,
with the evidence behind its codes (an Excel sheet, a JSON list per agreement, a companion CSV or
Stata file) and as a per-agreement coding report. The formats, their extensions and content
types are registered in analysis/pure/formats.py. Pure (analysis/pure): stored rows and plain
dicts in, bytes out; no Django.

Works on the release's stored rows and a plain description of the codebook, so every export of a
release is the same bytes of data whenever it is made.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import permutations
from typing import Any

import pandas as pd

from coding.pure.csv_safe import frame_csv, sheet_cells_as_text

from .panel_exports import stata_frame
from .release_agreement_readme import reliability_readme
from .variable_labels import description, fit_label

SHAPES = {"agreement", "dyad"}
ID_COLUMNS = [
    "agreement_id",
    "desta_number",
    "tota_id",
    "wto_rta_id",
    "name",
    "parties",
    "entry_into_force_year",
    "membership",
]
Record = dict[str, Any]
IRT_README = [
    "Latent depth (irt): depth is the expected a-posteriori score on a N(0, 1) scale (Rasch / partial credit",
    "model, marginal maximum likelihood); depth_se its posterior SD; tier is the tier of the additive score.",
]


# Ids from other lists: whole numbers, one missing where the treaty is not in that list.
IDENTIFIERS = frozenset({"tota_id", "wto_rta_id"})


def release_frame(
    rows: Sequence[Mapping[str, Any]], indicator_codes: Sequence[str], shape: str = "agreement"
) -> pd.DataFrame:
    """Per agreement: one row each. Per dyad: one row per ordered pair (i, j) of different
    parties, so a bilateral agreement gives two rows, ready to merge into a pair-year panel."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {sorted(SHAPES)}")
    # A latent-depth (IRT) release's rows carry depth_se, the posterior SD of each depth.
    latent = ["depth_se"] if any("depth_se" in row for row in rows) else []
    value_columns = [*indicator_codes, "depth", *latent, "tier"]
    records: list[Record] = []
    for row in rows:
        base = {c: row.get(c) for c in ID_COLUMNS}
        base["parties"] = ";".join(row.get("parties") or [])
        values = {c: row.get(c) for c in value_columns}
        if shape == "agreement":
            records.append({**base, **values})
        else:
            for exporter, importer in permutations(row.get("parties") or [], 2):
                records.append(
                    {"iso3_i": exporter, "iso3_j": importer, **base, "year": row.get("entry_into_force_year"), **values}
                )
    columns = (
        (["iso3_i", "iso3_j"] if shape == "dyad" else [])
        + ID_COLUMNS
        + (["year"] if shape == "dyad" else [])
        + value_columns
    )
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in [*value_columns[:-1], "tota_id", "wto_rta_id", "entry_into_force_year", "agreement_id"] + (
        ["year"] if shape == "dyad" else []
    ):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().all() and (frame[column] % 1 == 0).all():
            frame[column] = frame[column].astype("int64")
        elif column in IDENTIFIERS and (frame[column].dropna() % 1 == 0).all():
            frame[column] = frame[column].astype("Int64")  # a missing id stays empty, not 69.0 beside it
    return frame


def readme_lines(meta: Mapping[str, Any]) -> list[str]:
    return [
        f"Dataset release {meta['number']}: {meta['name']}",
        f"Cite as: {meta['citation']}",
        f"Codebook: {meta['codebook']} version {meta['version']} ({meta['codebook_title']})",
        f"Source of the codes: {meta['source']}",
        f"Depth score: {meta['method']} over {', '.join(meta['depth_indicators'])}; totals recomputed from the codes",
        f"Content hash (sha256): {meta['content_hash']}",
        f"Released by {meta['created_by']} on {meta['created_at']}",
        "Missing codes are left empty (Stata: .), never 0. Agreements missing a depth indicator have no depth.",
        *(IRT_README if meta.get("method") == "irt" else []),
        "Shapes: one row per agreement, or one row per ordered country pair (iso3_i, iso3_j) with the",
        "agreement's entry-into-force year (column year) for merging into a pair-year panel.",
        *evidence_readme(meta),
        *reliability_readme(meta),
    ]


# --- the evidence behind the codes ----------------------------------------------------------

EVIDENCE_COLUMNS = [
    "agreement_id",
    "desta_number",
    "agreement",
    "indicator",
    "value",
    "kind",
    "article",
    "article_heading",
    "article_id",
    "text_version",
    "quote",
    "chapters_searched",
    "coder",
    "rationale",
]
EVIDENCE_LABELS = {
    "agreement_id": "workbench agreement id",
    "desta_number": "DESTA number",
    "agreement": "agreement name",
    "indicator": "indicator code",
    "value": "released value of the indicator",
    "kind": "citation, not_found (searched, not found) or rationale (adjudication only)",
    "article": "article as the treaty numbers it (#id: no number)",
    "article_heading": "article heading",
    "article_id": "article identifier (stable key; ToTA article_identifier)",
    "text_version": "treaty text version the coding cites",
    "quote": "quoted passage (empty: the whole article)",
    "chapters_searched": "chapters searched when not found",
    "coder": "who coded it",
    "rationale": "adjudication rationale of the released value",
}


def evidence_readme(meta: Mapping[str, Any]) -> list[str]:
    if not meta.get("evidence_kept", True):
        return ["Evidence: this release was made before releases kept their evidence; release again to include it."]
    return [
        "Evidence: one row per article or passage a coder cited for a released value, per 'searched, not found'",
        "statement (with the chapters searched) and per adjudication rationale without a citation; approved values",
        "carry the citations of the coders whose answer is that value. Captured when the release was made.",
        "Excel: sheet 'evidence'; JSON: 'evidence' per agreement; CSV and Stata: the companion file",
        f"release-{meta['number']}-evidence.csv / release-{meta['number']}-evidence.dta.",
    ]


def article_label(record: Mapping[str, Any]) -> str:
    """How a record cites its article: 'Art. 4.3' by the treaty's own number, '#11808' by the
    identifier when the text gives no number; '' for a record without an article."""
    if record.get("article_number"):
        return f"Art. {record['article_number']}"
    return f"#{record['article_id']}" if record.get("article_id") else ""


def evidence_items(evidence: Sequence[Mapping[str, Any]] | None) -> dict[int, list[Record]]:
    """{agreement id: [evidence of that agreement, as exported]}: records without the agreement id,
    with the article label."""
    grouped: dict[int, list[Record]] = defaultdict(list)
    for e in evidence or []:
        grouped[e["agreement_id"]].append(
            {
                "indicator": e["indicator"],
                "value": e["value"],
                "kind": e["kind"],
                "article": article_label(e),
                "article_number": e["article_number"],
                "article_heading": e["article_heading"],
                "article_id": e["article_id"],
                "text_version": e["text_version"],
                "quote": e["quote"],
                "chapters_searched": list(e["searched"]),
                "coder": e["coder"],
                "rationale": e["rationale"],
            }
        )
    return grouped


def evidence_frame(evidence: Sequence[Mapping[str, Any]] | None, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per evidence record, with the agreement's name and DESTA number from `rows`."""
    facts = {r["agreement_id"]: r for r in rows}
    records = [
        {
            "agreement_id": agreement_id,
            "desta_number": facts.get(agreement_id, {}).get("desta_number"),
            "agreement": facts.get(agreement_id, {}).get("name"),
            **item,
            "chapters_searched": "; ".join(item["chapters_searched"]),
        }
        for agreement_id, items in evidence_items(evidence).items()
        for item in items
    ]
    frame = pd.DataFrame.from_records(records, columns=EVIDENCE_COLUMNS)
    for column in ("agreement_id", "value", "text_version"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        # whole numbers, a missing one empty (a text version is 1, not 1.0, beside an article cited "not found")
        frame[column] = frame[column].astype("int64" if frame[column].notna().all() else "Int64")
    return frame


def evidence_csv(frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes:
    """The companion evidence file of a CSV export: a quote or rationale starting with "=" is
    text, not a formula (coding/pure/csv_safe.py)."""
    return frame_csv(frame)


def evidence_stata(frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes:
    """The companion evidence file of a Stata export."""
    data = frame.copy()
    for column in data.columns:
        if data[column].dtype == object:
            data[column] = data[column].fillna("").astype(str)
    buffer = io.BytesIO()
    # Quotes and rationales can exceed Stata's 2045-byte str: strL holds any length.
    data.to_stata(
        buffer,
        write_index=False,
        version=118,
        convert_strl=["quote", "rationale", "chapters_searched"],
        variable_labels={c: fit_label(EVIDENCE_LABELS[c]) for c in data.columns},
        data_label=fit_label(f"Release {meta['number']}: evidence"),
    )
    return buffer.getvalue()


def coding_report(
    rows: Sequence[Mapping[str, Any]], evidence: Sequence[Mapping[str, Any]] | None, indicator_codes: Sequence[str]
) -> list[Record]:
    """The printable coding report: per agreement (in release order) its facts, depth and tier,
    and per indicator the released value, the rationale, the citations (with article labels) and
    the 'searched, not found' statements behind it."""
    by_code: dict[tuple[int, str], list[Record]] = defaultdict(list)
    for agreement_id, items in evidence_items(evidence).items():
        for item in items:
            by_code[agreement_id, item["indicator"]].append(item)
    report = []
    for row in rows:
        indicators = []
        for code in indicator_codes:
            items = by_code.get((row["agreement_id"], code), [])
            indicators.append(
                {
                    "code": code,
                    "value": row.get(code),
                    "rationale": next((i["rationale"] for i in items if i["rationale"]), ""),
                    "citations": [i for i in items if i["kind"] == "citation"],
                    "not_found": [i for i in items if i["kind"] == "not_found"],
                }
            )
        report.append({**{k: row.get(k) for k in (*ID_COLUMNS, "depth", "tier")}, "indicators": indicators})
    return report


def codebook_frame(indicators: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": i["code"],
                "level": i["level"],
                "question_en": i["question_en"],
                "question_zh": i["question_zh"],
                "values": "; ".join(f"{v['value']} = {v['label_en']}" for v in i["allowed_values"]),
            }
            for i in indicators
        ]
    )


# One writer per dataset format, registered with its file extension and content type in
# analysis/pure/formats.py. Excel and JSON carry the evidence (`evidence`, the release's stored
# records; `rows` name its agreements); CSV and Stata have a companion file (evidence_csv, evidence_stata).


def csv_bytes(
    frame: pd.DataFrame,
    *,
    meta: Mapping[str, Any],
    indicators: list[dict[str, Any]],
    evidence: list[dict[str, Any]] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese names correctly; text neutralised."""
    return frame_csv(frame)


def json_bytes(
    frame: pd.DataFrame,
    *,
    meta: Mapping[str, Any],
    indicators: list[dict[str, Any]],
    evidence: list[dict[str, Any]] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    grouped = evidence_items(evidence)
    document = {"release": meta, "rows": records}
    if "iso3_i" in frame.columns:  # one row per pair: the evidence once per agreement, not per pair
        document["evidence"] = [
            {"agreement_id": r["agreement_id"], "name": r.get("name"), "evidence": grouped.get(r["agreement_id"], [])}
            for r in rows
        ]
    else:
        for record in records:
            record["evidence"] = grouped.get(record["agreement_id"], [])
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    meta: Mapping[str, Any],
    indicators: list[dict[str, Any]],
    evidence: list[dict[str, Any]] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="data", index=False)
        evidence_frame(evidence, rows).to_excel(writer, sheet_name="evidence", index=False)
        codebook_frame(indicators).to_excel(writer, sheet_name="codebook", index=False)
        pd.DataFrame({"README": readme_lines(meta)}).to_excel(writer, sheet_name="README", index=False)
        # A treaty name, quote, rationale or question starting with "=" is text on every sheet.
        sheet_cells_as_text(writer.sheets.values())
    return buffer.getvalue()


def stata_bytes(
    frame: pd.DataFrame,
    *,
    meta: Mapping[str, Any],
    indicators: list[dict[str, Any]],
    evidence: list[dict[str, Any]] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """Value labels from the codebook's allowed values, variable labels from its questions; every
    variable labelled in at most 80 characters between words, `tier` a labelled number
    (analysis/pure/panel_exports.py: stata_frame, the same as a panel's Stata file)."""
    by_code = {i["code"]: i for i in indicators}
    known = {c: by_code[c]["question_en"] for c in frame.columns if c in by_code}
    known.update(
        {
            "depth": f"depth score ({meta['method']})",
            "depth_se": description("depth_se"),
            "entry_into_force_year": "year the agreement entered into force",
            "iso3_i": "party i (ISO3)",
            "iso3_j": "party j (ISO3)",
            "year": "entry-into-force year",
        }
    )
    data, options = stata_frame(frame, known)
    options["value_labels"] = {
        **options.get("value_labels", {}),
        **{
            c: {float(v["value"]): fit_label(v["label_en"]) for v in by_code[c]["allowed_values"]}
            for c in data.columns
            if c in by_code
        },
    }
    buffer = io.BytesIO()
    data.to_stata(
        buffer,
        write_index=False,
        version=118,
        data_label=fit_label(f"Release {meta['number']}: {meta['name']}"),
        **options,
    )
    return buffer.getvalue()
