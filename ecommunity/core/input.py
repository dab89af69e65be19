"""Input no page of the site can use, refused before it reaches a view or the database."""

from flask import abort, request
from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer` columns: a larger number in a URL cannot name a row, and sent to the
# database it fails ("integer out of range"; SQLite overflows at 2**63) instead of finding nothing.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number the database can hold, else the route does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_id(value: str) -> int:
    """A query or form value as an id: plain digits up to MAX_ID, else ValueError.

    For `request.args.get(name, type=database_id)`, which then gives None for anything else.
    """
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise ValueError(f"not an id: {value[:20]!r}")
    return int(value)


def ids_from(values) -> list[int]:
    """The values that are ids (see database_id), in order; the others are left out."""
    ids = []
    for value in values:
        try:
            ids.append(database_id(value))
        except ValueError:
            continue
    return ids


def refuse_unusable_input():
    """Before every request: 415 for a JSON body (every form here is a browser form, and Flask-WTF
    would read the JSON into it), 400 for a NUL character in the address or a form, which no text
    here may hold and PostgreSQL refuses to store."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json:
        abort(415)
    if "\x00" in request.path or _holds_nul(request.args):
        abort(400)
    if request.method == "POST" and _holds_nul(request.form):
        abort(400)


def _holds_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))
