"""A corpus of malformed inputs: every one must be refused with an error that names the file and
the line or field, and leave the database exactly as it was (nothing half-written).

- `harness.py`: `Case` (one malformed input), the loader registry (one function per input kind,
  e.g. "codebook" runs `import_codebook` on the file) and `db_snapshot()`.
- `coding_cases.py`: the coding side's cases (codebooks, codings CSVs, DESTA lists and codings,
  treaty texts, ToTA XML); `files/` holds the ones kept as files.

To add cases (e.g. the analysis side): write a module with a `CASES` list of `Case`, register a
loader for each new kind with `@loader("kind")` in that module, list the module in
`harness.CASE_MODULES`, and run them from a test as tests/coding/test_bad_inputs.py does.
"""
