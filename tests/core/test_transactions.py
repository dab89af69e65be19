"""On PostgreSQL a transaction begins at the first write or lock; reads run without one."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from ecommunity.accounts.models import User
from ecommunity.database import _is_plain_read
from ecommunity.extensions import db

postgresql_only = pytest.mark.usefixtures("_postgresql")


@pytest.fixture
def _postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the driver's autocommit mode is PostgreSQL's (SQLite keeps its own transactions)")


@pytest.fixture
def transaction_states():
    """After each statement: was a transaction open on its connection?"""
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append((statement.split()[0].upper(), TransactionStatus(cursor.connection.pgconn.transaction_status).name))

    event.listen(db.engine, "after_cursor_execute", record)
    yield seen
    event.remove(db.engine, "after_cursor_execute", record)


@pytest.mark.parametrize(("statement", "plain"), [
    ("SELECT user_account.id FROM user_account WHERE user_account.id = %(id)s", True),
    ("  select 1", True),
    ("SELECT outbox.id FROM outbox LIMIT 5 FOR UPDATE SKIP LOCKED", False),
    ("SELECT workshop.id FROM workshop FOR NO KEY UPDATE", False),
    ("select id from topic for share", False),
    ("SELECT pg_advisory_xact_lock(42)", False),
    ("WITH moved AS (DELETE FROM t RETURNING id) SELECT count(*) FROM moved", False),
    ("UPDATE forum_topic SET post_count = post_count + 1", False),
    ("INSERT INTO forum_post (topic_id) VALUES (1)", False),
])
def test_only_plain_reads_run_outside_a_transaction(statement, plain):
    assert _is_plain_read(statement) is plain


@postgresql_only
def test_a_page_that_only_reads_holds_no_transaction(app, client, login_as, transaction_states):
    login_as()
    client.get("/forums/")  # the first visit notes it (a write); the next is a plain read
    transaction_states.clear()
    assert client.get("/forums/").status_code == 200
    assert transaction_states and all(state == "IDLE" for _, state in transaction_states), transaction_states


@postgresql_only
def test_writes_are_still_one_transaction(app, make_user, transaction_states):
    member = make_user()
    db.session.commit()
    member.position = "Focal point"
    db.session.flush()
    assert ("UPDATE", "INTRANS") in transaction_states
    db.session.rollback()
    assert db.session.get(User, member.id).position != "Focal point"


@postgresql_only
def test_a_row_lock_is_held_until_the_commit(app, make_user, database_url):
    member = make_user()
    db.session.commit()
    db.session.execute(db.select(User.id).where(User.id == member.id).with_for_update()).all()
    other = create_engine(database_url)
    try:
        with other.connect() as conn, pytest.raises(OperationalError, match="could not obtain lock"):
            conn.execute(text("SELECT id FROM user_account WHERE id = :id FOR UPDATE NOWAIT"), {"id": member.id})
    finally:
        other.dispose()
    db.session.commit()


@postgresql_only
def test_a_connection_that_asks_for_autocommit_runs_maintenance(app, transaction_states):
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE forum_topic")  # refused inside a transaction block
    assert ("VACUUM", "IDLE") in transaction_states
