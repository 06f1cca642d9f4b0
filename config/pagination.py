from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """LimitOffsetPagination that checks its parameters as the schema documents them: `limit` a
    whole number from 1 (above max_limit it is cut to max_limit: an unbounded limit such as 10**20
    reaches the database as a LIMIT that PostgreSQL rejects), `offset` from 0 to MAX_OFFSET.
    Anything else is a 400 naming the parameter, not a silent default."""

    max_limit = 1000

    def get_limit(self, request):
        if self.limit_query_param not in request.query_params:
            return self.default_limit
        return min(self._whole_number(request, self.limit_query_param, minimum=1), self.max_limit)

    def get_offset(self, request):
        if self.offset_query_param not in request.query_params:
            return 0
        return self._whole_number(request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET)

    @staticmethod
    def _whole_number(request, name, *, minimum, maximum=None):
        text = request.query_params[name].strip()
        # Digits only ('-1', '1.5', '١٢' are not), and no int() of thousands of digits.
        digits = text.lstrip("0") if text.isascii() and text.isdigit() else None
        # Over 18 digits is above any maximum: a huge limit is cut, a huge offset refused.
        number = None if digits is None else int(digits or "0") if len(digits) <= 18 else 10**18
        if number is None or number < minimum or (maximum is not None and number > maximum):
            bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else "")
            raise ValidationError({name: [f"a whole number {bounds}"]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1)
                parameter["description"] = f"Number of results to return per page (at most {self.max_limit})."
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0, maximum=MAX_OFFSET)
        return parameters
