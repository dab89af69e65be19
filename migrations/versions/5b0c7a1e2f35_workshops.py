"""workshops

Revision ID: 5b0c7a1e2f35
Revises: c25e4e7997bf
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '5b0c7a1e2f35'
down_revision = 'c25e4e7997bf'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
