"""evaluations

Revision ID: 5e1d4a7c9b20
Revises: 5b0c7a1e2f35
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '5e1d4a7c9b20'
down_revision = '5b0c7a1e2f35'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
