"""Offer events: offers shown to shoppers and their answers (the offer bandit's memory).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('offer_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('shopper_id', sa.String(length=128), nullable=True),
    sa.Column('offer_code', sa.String(length=64), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_events'))
    )
    with op.batch_alter_table('offer_events', schema=None) as batch_op:
        batch_op.create_index('ix_offer_events_segment_code', ['segment', 'offer_code', 'event'], unique=False)
        batch_op.create_index('ix_offer_events_shopper_created', ['shopper_id', 'created_at'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('offer_events', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_events_shopper_created')
        batch_op.drop_index('ix_offer_events_segment_code')

    op.drop_table('offer_events')
