"""manual and library

Revision ID: 7c9f3b7d2a16
Revises: 6a4d2e8c1b06
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '7c9f3b7d2a16'
down_revision = '6a4d2e8c1b06'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
