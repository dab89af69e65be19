"""The page number a list was asked for, the same on every paginated page of the site."""

from flask import request

# Far beyond any list here (two million topics at 20 a page), and small enough that the offset
# it makes fits every database's integer: a larger number was a 500, now it is an empty page.
MAX_PAGE = 100_000


def requested_page() -> int:
    """`?page=` as a number from 1 to MAX_PAGE; anything else (missing, 0, text) is page 1."""
    page = request.args.get("page", 1, type=int)
    return min(page, MAX_PAGE) if page and page > 0 else 1
