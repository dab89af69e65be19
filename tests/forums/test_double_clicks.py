"""Two requests that create the same row at once (a double click, two tabs): the second one's insert
meets the unique key after both found no row. It must end as if it came second, never as an error."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import CategoryWatch, ForumMember, Report
from ecommunity.forums.services import ForumError


@contextmanager
def another_request_inserts_first(table, **values):
    """Just before this session writes, another connection inserts and commits the same row."""

    def insert_first(session, flush_context, instances):
        with db.engine.begin() as connection:
            connection.execute(insert(table).values(**values))

    event.listen(Session, "before_flush", insert_first, once=True)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", insert_first)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_the_second_of_two_simultaneous_reports_is_told_it_was_already_reported(
        categories, member, other, make_topic):
    post = services.post_by_number(make_topic(categories["open"], other), 1)
    first_click = {"post_id": post.id, "reporter_id": member.id, "reason": "spam", "details": ""}

    with another_request_inserts_first(Report.__table__, **first_click), pytest.raises(ForumError) as refused:
        services.report_post(post, member, "spam")
    db.session.commit()

    assert refused.value.reason == "already-reported"
    assert count(Report) == 1


def test_watching_a_category_twice_at_once_keeps_one_watch(categories, member):
    with another_request_inserts_first(CategoryWatch.__table__, user_id=member.id,
                                       category_id=categories["open"].id):
        services.set_category_watch(member, categories["open"], True)
    db.session.commit()

    assert count(CategoryWatch) == 1
    assert services.is_watching_category(member, categories["open"])


def test_a_members_first_two_forum_requests_at_once_share_one_forum_row(categories, member):
    with another_request_inserts_first(ForumMember.__table__, user_id=member.id, digest="weekly",
                                       mention_mails=True, auto_watch=True, feed_version=1):
        row, changed = services.note_visit(member)
    db.session.commit()

    assert changed
    assert count(ForumMember) == 1
    assert row.digest == "weekly"  # the row the first request made, not a second one
    db.session.expire_all()
    assert db.session.get(ForumMember, member.id).last_seen_at is not None


def test_a_new_topic_whose_author_gets_a_forum_row_is_searchable_after_commit(app, categories, member):
    """The author's first topic creates their forum row in a savepoint; SQLAlchemy reports the
    savepoint's release as a commit, and the inline indexer must still wait for the real one."""
    from ecommunity.search import engine
    from tests.search.conftest import keys

    app.config["SEARCH_INDEXING"] = "inline"
    try:
        topic = services.create_topic(category=categories["open"], author=member, title="Saiga census",
                                      body="Counting in the steppe", notify=False)
        db.session.commit()
        assert keys(app, "steppe", member) == [f"forum-post:{topic.id}"]
    finally:
        engine.close_searchers()
