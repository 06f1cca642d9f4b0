"""The API's error answers, described once so that every operation documents those it really
gives (drf-spectacular), and the check of query parameters against what the schema says.

    400  bad input: a field or query parameter, named, with what is wrong
    401  a wrong token or password
    403  not signed in, or a role the operation needs (supervisors)
    404  absent, or not visible to you (blind coding)
    409  stale: the revision you loaded is no longer the current one
    429  too many failed logins: wait (Retry-After)
"""
from drf_spectacular.utils import OpenApiResponse

DETAIL = {"type": "string", "description": "what went wrong, in words"}
ERROR = {"type": "object", "properties": {"detail": DETAIL}, "required": ["detail"]}
# A 400 names each field: {"field": ["message", ...]} (DRF's shape), or says it in `detail`.
INVALID = {"type": "object", "properties": {"detail": DETAIL},
           "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"},
                                              {"type": "object"}, {"type": "integer"}]}}
DESCRIPTIONS = {
    400: "Bad input: each field or query parameter that is wrong is named with what is wrong.",
    401: "A wrong token or password.",
    403: "Not signed in, or an operation for supervisors.",
    404: "Absent, or not visible to you (blind coding).",
    409: "Stale: the revision you loaded is no longer the current one; reload and try again.",
    429: "Too many failed logins for this username from this address: wait (Retry-After seconds).",
}
SIGNED_IN = (401, 403, 429)  # what every operation may answer about who is asking


def errors(*codes):
    """{code: documented answer} for `codes` and the answers every operation may give about
    credentials, for an operation's extend_schema(responses=...)."""
    return {code: OpenApiResponse(response=INVALID if code == 400 else ERROR, description=DESCRIPTIONS[code])
            for code in sorted({*codes, *SIGNED_IN})}


def query_params(serializer_class, request):
    """The query parameters as `serializer_class` reads them (the same class documents them in the
    schema); a 400 naming the parameter otherwise: `?year=null` is not a year."""
    # A plain dict, not the QueryDict: DRF reads an empty form value as "not given", but the
    # schema says `?has_text=` is not one of its values.
    given = serializer_class(data=request.query_params.dict())
    given.is_valid(raise_exception=True)
    return given.validated_data
