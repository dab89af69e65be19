"""The library's pages run a fixed number of SQL queries, however many documents there are."""

import pytest

from ecommunity.accounts.models import Role
from tests.events.test_queries import counting_queries

PAGES = ["/library", "/library?kind=guideline", "/library?language=fr&year=2001", "/library?page=2"]


def counts(client, pages):
    result = {}
    for page in pages:
        with counting_queries() as statements:
            response = client.get(page)
        assert response.status_code == 200, page
        result[page] = len(statements)
    return result


def seed(make_document, count, offset=0):
    for n in range(offset, offset + count):
        make_document(title=f"Guide {n}", kind="guideline" if n % 2 else "training-kit", year=2000 + n % 3,
                      language="fr" if n % 3 else "en", members_only=n % 4 == 0, content=b"Some text",
                      filename="guide.txt")


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.SECRETARIAT])
def test_the_same_queries_for_25_and_120_documents(client, make_document, as_role, role):
    as_role(role)
    seed(make_document, 25)
    first = counts(client, [*PAGES, "/library/2"])
    seed(make_document, 95, offset=25)

    assert counts(client, [*PAGES, "/library/2"]) == first
