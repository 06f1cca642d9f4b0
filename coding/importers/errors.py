"""The one error every importer raises on bad input. Pure: no Django."""

import os


class ImportFailed(Exception):
    """Bad input. The message names the file and the line or field, so a user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message, self.path, self.line, self.field = message, path, line, field
        where = ", ".join(
            part
            for part in (
                str(path) if path else "",
                f"line {line}" if line else "",
                f"field {field}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
