"""Column types and helpers shared by every feature's models."""

import re
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import DateTime, event
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A datetime stored in UTC that always comes back timezone-aware.

    SQLite drops the offset of `DateTime(timezone=True)`; this keeps both databases
    returning the same aware values, so comparisons never mix naive and aware times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# A request that only read ends its transaction with COMMIT rather than ROLLBACK: psycopg
# forgets its prepared statements on every ROLLBACK, and without them PostgreSQL plans each
# listing query again on every request (1-5 ms for a six-table join, ten times its execution).
@event.listens_for(Session, "after_flush")
def _remember_write(session, flush_context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


def end_read_only_transaction(session) -> None:
    """Commit the session's transaction when it wrote nothing and holds no unflushed change."""
    if (session.in_transaction() and not session.info.get("wrote")
            and not (session.new or session.dirty or session.deleted)):
        # The session is closed next: expiring every loaded object on the way would only cost time.
        expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire_on_commit


# PostgreSQL: the driver runs in autocommit mode (config.engine_options) and a transaction begins
# just before the first statement that writes or locks. Under READ COMMITTED, which every request
# uses, a transaction's statements each see a fresh snapshot anyway, so reads before the first write
# see what they would have seen inside it; what a transaction adds is atomic writes and row locks
# held to the end, and those still get one. A page that only reads then sends neither BEGIN nor
# COMMIT: two of a topic page's five round trips to the database.
_TAKES_A_LOCK = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|pg_advisory_xact|set_config",
                           re.IGNORECASE)


@lru_cache(maxsize=2048)
def _is_plain_read(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT" and not _TAKES_A_LOCK.search(statement)


def begin_transactions_when_needed(engine) -> None:
    """Make an autocommit PostgreSQL engine open a transaction before any statement but a plain read.

    A connection that asks for autocommit itself (`execution_options(isolation_level="AUTOCOMMIT")`)
    gets none: VACUUM and other maintenance cannot run inside a transaction.
    """
    import psycopg
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(conn, cursor, statement, parameters, context, executemany):
        driver = cursor.connection
        if driver.pgconn.transaction_status == TransactionStatus.IDLE and (
                isinstance(cursor, psycopg.ServerCursor) or not _is_plain_read(statement)) and (
                conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"):
            driver.execute("BEGIN", prepare=False)


def take_sqlite_write_lock(session) -> None:
    """On SQLite, start the transaction with the database write lock (`BEGIN IMMEDIATE`).

    A transaction that reads and then writes can be refused at once ("database is locked") when
    another writer got in between; taking the lock first lets the busy timeout apply (see
    `config.engine_options`). No-op on other databases, or when this transaction already began.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def sql_list(values) -> str:
    """Values (or an enum's members) as an SQL list for a CHECK constraint: "'a', 'b'"."""
    return ", ".join(f"'{getattr(value, 'value', value)}'" for value in values)
