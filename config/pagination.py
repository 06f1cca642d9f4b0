from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """LimitOffsetPagination with a ceiling on `limit`: an unbounded limit such as 10**20 reaches
    the database as a LIMIT that PostgreSQL rejects (bigint out of range), a 500 instead of a page."""

    max_limit = 1000
