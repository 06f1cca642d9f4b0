"""Parsers of input files (ToTA XML, DESTA CSV, codebook YAML, plain text and PDF) into plain data.
Pure: no Django, no database; bad input raises ImportFailed naming the file and line or field."""
