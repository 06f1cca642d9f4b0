"""The API's JSON parser (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's, with the bounds every
JSON body meets before it is parsed (analysis/pure/bounds.py, the page's spec field uses the same
json_loads). Python's parser recurses once per level of nesting, so a body nested 1000 deep was
a RecursionError (a 500) on every endpoint; and it reads 1e999 as infinity, which PostgreSQL
then refuses inside a JSON column. Both are a 400 naming the limit here."""

import codecs

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from analysis.pure import bounds


class BoundedJSONParser(JSONParser):
    """JSON bodies nested at most bounds.MAX_JSON_DEPTH levels, with finite numbers only."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return bounds.json_loads(text, "request body")
        except (bounds.BoundsError, ValueError) as exc:  # out of bounds, not JSON, or not text in the encoding
            raise ParseError(f"JSON parse error - {exc}") from exc
