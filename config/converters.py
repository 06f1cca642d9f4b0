"""Path converters of the URL confs. `id`: a database id, 0 to 2**31 - 1 (coding.pure.ids); a longer
number matches no URL (a 404) instead of reaching the database as an integer it cannot hold."""

from coding.pure.ids import MAX_DATABASE_ID


class IdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_DATABASE_ID:
            raise ValueError(f"{value} is larger than any id")
        return number

    def to_url(self, value):
        return str(value)
