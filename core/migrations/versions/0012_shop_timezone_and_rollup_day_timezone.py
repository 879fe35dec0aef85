"""the shop's timezone, and the timezone each rolled-up day was counted in

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 10:00:00.000000

Rows already in analytics_daily were UTC days, and say so. Shops get no timezone here
(None: UTC days, as before) until the install job's daily profile read stores the one
their platform reports; from then on, their UTC rows of the last 90 days are stale and
the periodic rollup job rolls them up again in the shop's timezone, and no page reads
a stale row meanwhile (analytics/rollups.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )


def downgrade() -> None:
    # Without the column every row reads as a UTC day: the others go, to be rolled up again.
    op.execute("DELETE FROM analytics_daily WHERE timezone <> 'UTC'")
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.drop_column("timezone")
    with op.batch_alter_table("shop", schema=None) as batch_op:
        batch_op.drop_column("timezone")
