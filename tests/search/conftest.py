"""Search fixtures: indexing drained before commit() returns, forum categories, events, people."""

import pytest

from ecommunity.accounts.models import Role
from ecommunity.events.services import create_event
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from ecommunity.search import engine
from tests.events.conftest import event_data
from tests.forums.conftest import sign_in  # noqa: F401 - used by the tests


@pytest.fixture
def app_config(app_config):
    app_config["SEARCH_INDEXING"] = "inline"
    return app_config


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    engine.close_searchers()


@pytest.fixture
def categories(app):
    made = {
        "open": forums.save_category(None, slug="national-reporting", name="National reporting",
                                     position=1, access=Access.MEMBERS),
        "staff": forums.save_category(None, slug="staff-room", name="Staff room", position=2,
                                      access=Access.SECRETARIAT),
        "africa": forums.save_category(None, slug="africa", name="Africa", position=3, access=Access.REGION,
                                       region="africa"),
        "asia": forums.save_category(None, slug="asia", name="Asia", position=4, access=Access.REGION,
                                     region="asia"),
    }
    db.session.commit()
    return made


@pytest.fixture
def people(make_user):
    return {
        "member": make_user(full_name="Wanjiru Kamau", region="africa"),
        "asian": make_user(full_name="Aziz Karimov", region="asia", country="UZ"),
        "staff": make_user(role=Role.SECRETARIAT, full_name="Jonas Weber", region="europe"),
    }


@pytest.fixture
def make_topic(app):
    def make(category, author, title, body):
        topic = forums.create_topic(category=category, author=author, title=title, body=body, notify=False)
        db.session.commit()
        return topic

    return make


@pytest.fixture
def make_event(app):
    def make(**changes):
        event = create_event(event_data(**changes))
        db.session.commit()
        return event

    return make


@pytest.fixture
def index_dir(app):
    return app.config["SEARCH_INDEX_DIR"]


def keys(app, text, user=None, lang="en", **filters):
    """The keys of what `user` finds for `text` (first page)."""
    from ecommunity.search.services import search

    found = search(text, user, lang, {k: tuple(v) for k, v in filters.items()})
    assert found.results is not None, found.messages
    return [hit.key for hit in found.results.hits]


def doc_count(app) -> int:
    return engine.Searcher(app.config["SEARCH_INDEX_DIR"]).count()
