"""The API's error answers, described once so that every operation documents those it really
gives (drf-spectacular) and produced once (api_exception_handler, REST_FRAMEWORK's
EXCEPTION_HANDLER), and the check of query parameters against what the schema says.

    400  bad input: a field or query parameter, named, with what is wrong
    401  a wrong token or password
    403  not signed in, or a role the operation needs (supervisors)
    404  absent, or not visible to you (blind coding)
    409  stale: the revision you loaded is no longer the current one
    429  too many failed logins: wait (Retry-After)
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

DETAIL = {"type": "string", "description": "what went wrong, in words"}
ERROR = {"type": "object", "properties": {"detail": DETAIL}, "required": ["detail"]}
# A 400 names each field: {"field": ["message", ...]} (DRF's shape), or says it in `detail`.
INVALID = {
    "type": "object",
    "properties": {"detail": DETAIL},
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
            {"type": "integer"},
        ]
    },
}
DESCRIPTIONS = {
    400: "Bad input: each field or query parameter that is wrong is named with what is wrong.",
    401: "A wrong token or password.",
    403: "Not signed in, or an operation for supervisors.",
    404: "Absent, or not visible to you (blind coding).",
    409: "Stale: the revision you loaded is no longer the current one; reload and try again.",
    429: "Too many failed logins for this username from this address: wait (Retry-After seconds).",
}
SIGNED_IN = (401, 403, 429)  # what every operation may answer about who is asking


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """{code: documented answer} for `codes` and the answers every operation may give about
    credentials, for an operation's extend_schema(responses=...)."""
    return {
        code: OpenApiResponse(response=INVALID if code == 400 else ERROR, description=DESCRIPTIONS[code])
        for code in sorted({*codes, *SIGNED_IN})
    }


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The query parameters as `serializer_class` reads them (the same class documents them in the
    schema); a 400 naming the parameter otherwise: `?year=null` is not a year."""
    # A plain dict, not the QueryDict: DRF reads an empty form value as "not given", but the
    # schema says `?has_text=` is not one of its values.
    given = serializer_class(data=request.query_params.dict())
    given.is_valid(raise_exception=True)
    return given.validated_data


# Domain errors -> the HTTP status they answer. Each app's API package registers its own
# (coding/apis/__init__.py, analysis/apis/__init__.py), so this module knows neither app; Django's
# ValidationError, raised by every service for bad input, is a 400 everywhere.
DOMAIN_ERRORS: dict[type[Exception], int] = {DjangoValidationError: 400}


def answer_with(status: int, *exception_classes: type[Exception]) -> None:
    """Register domain errors that answer `status` (400, 404 or 409) when an API view lets them out."""
    if status not in (400, 404, 409):
        raise ValueError(f"domain errors answer 400, 404 or 409, not {status}")
    DOMAIN_ERRORS.update(dict.fromkeys(exception_classes, status))


def domain_error_body(exc: Exception) -> dict[str, Any]:
    """What a domain error says: a ValidationError names each field ({"detail": "field: message",
    "errors": {"field": [...]}}); a stale revision (409) gives the revision to reload
    (`current_revision`, when the error carries it); anything else its message in `detail`."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = exc.message_dict
            return {
                "detail": "; ".join(f"{key}: {' '.join(messages)}" for key, messages in fields.items()),
                "errors": fields,
            }
        return {"detail": " ".join(exc.messages)}
    body: dict[str, Any] = {"detail": str(exc)}
    if getattr(exc, "current_revision", None) is not None:
        body["current_revision"] = exc.current_revision  # type: ignore[attr-defined]
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: DRF's own answers (its 400s naming each field, 401,
    403 for PermissionDenied, 404 for Http404), then the registered domain errors; anything else
    stays a 500. The API views catch nothing themselves."""
    response = exception_handler(exc, context)
    if response is not None:
        return response
    status = next((code for cls, code in DOMAIN_ERRORS.items() if isinstance(exc, cls)), None)
    if status is None:
        return None
    set_rollback()  # as DRF does for its own errors: nothing of a refused request is kept
    return Response(domain_error_body(exc), status=status)
