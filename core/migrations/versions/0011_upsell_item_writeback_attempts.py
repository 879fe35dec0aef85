"""upsell item tries recorded as writeback attempts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OUTCOMES = ("running", "lost", "written", "retrying", "failed")
OUTCOMES_WITH_ALREADY_THERE = (*OUTCOMES, "already_there")


def _outcome(values: tuple[str, ...]) -> sa.Enum:
    """The outcome column's type, a VARCHAR with a CHECK constraint of these values
    (core.models.enum_column); Alembic replaces the constraint when the type changes."""
    return sa.Enum(
        *values,
        name="attempt_outcome",
        native_enum=False,
        create_constraint=True,
        length=20,
    )


def upgrade() -> None:
    with op.batch_alter_table("writeback_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_offer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_writeback_attempt_shown_offer_id_shown_offer"),
            "shown_offer",
            ["shown_offer_id"],
            ["id"],
        )
        batch_op.alter_column(
            "outcome",
            existing_type=_outcome(OUTCOMES),
            type_=_outcome(OUTCOMES_WITH_ALREADY_THERE),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Without the column an item's tries would read as the order's own: they go.
    op.execute("DELETE FROM writeback_attempt WHERE shown_offer_id IS NOT NULL")
    with op.batch_alter_table("writeback_attempt", schema=None) as batch_op:
        batch_op.alter_column(
            "outcome",
            existing_type=_outcome(OUTCOMES_WITH_ALREADY_THERE),
            type_=_outcome(OUTCOMES),
            existing_nullable=False,
        )
        batch_op.drop_constraint(
            batch_op.f("fk_writeback_attempt_shown_offer_id_shown_offer"), type_="foreignkey"
        )
        batch_op.drop_column("shown_offer_id")
