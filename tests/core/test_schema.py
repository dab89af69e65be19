"""The schema comes only from migrations, and the models never drift from them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from ecommunity.extensions import db


def test_models_and_migrations_describe_the_same_schema(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ; run `flask db migrate`: {differences}"


def test_migrations_go_down_to_empty_and_up_again(app):
    downgrade(revision="base")
    db.engine.dispose()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    db.engine.dispose()
    assert {"user_account", "outbox_message"} <= set(inspect(db.engine).get_table_names())
