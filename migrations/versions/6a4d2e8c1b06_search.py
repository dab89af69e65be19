"""search

Revision ID: 6a4d2e8c1b06
Revises: 5e1d4a7c9b20
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '6a4d2e8c1b06'
down_revision = '5e1d4a7c9b20'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
