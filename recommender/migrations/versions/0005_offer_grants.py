"""Offer grants and their redemption: an accepted offer keeps its terms, cap and expiry, and an
order records the discount it got from one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Money = sa.Numeric(precision=12, scale=2, asdecimal=False)


def upgrade() -> None:
    """Apply this revision (nullable columns: earlier answers grant nothing; earlier orders had no discount)."""
    with op.batch_alter_table('offer_events') as batch:
        batch.add_column(sa.Column('max_discount', Money, nullable=True))
        batch.add_column(sa.Column('discount_type', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('discount_value', sa.Float(), nullable=True))
        batch.add_column(sa.Column('min_spend', Money, nullable=True))
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('redeemed_order_id', sa.String(length=64), nullable=True))
        # the showing a grant came from: one grant per showing, even for two racing accepts
        batch.add_column(sa.Column('granted_showing_id', sa.Integer(), nullable=True))
        batch.create_index('ix_offer_events_redeemed_order', ['redeemed_order_id'], unique=True)
        batch.create_index('ix_offer_events_granted_showing', ['granted_showing_id'], unique=True)
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('discount', Money, nullable=False, server_default='0'))
        batch.add_column(sa.Column('offer_code', sa.String(length=64), nullable=True))
    with op.batch_alter_table('offers') as batch:
        # how long an accepted offer stays redeemable (None: the service's default)
        batch.add_column(sa.Column('valid_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Revert this revision (the discounts and grants recorded are dropped).

    ``recreate='never'``: SQLite (3.35+) drops the columns in place. Recreating ``orders`` the
    batch way would drop the table with foreign keys on, which deletes every order line.
    """
    with op.batch_alter_table('offers', recreate='never') as batch:
        batch.drop_column('valid_days')
    with op.batch_alter_table('orders', recreate='never') as batch:
        batch.drop_column('offer_code')
        batch.drop_column('discount')
    with op.batch_alter_table('offer_events', recreate='never') as batch:
        batch.drop_index('ix_offer_events_granted_showing')
        batch.drop_index('ix_offer_events_redeemed_order')
        batch.drop_column('granted_showing_id')
        batch.drop_column('redeemed_order_id')
        batch.drop_column('expires_at')
        batch.drop_column('min_spend')
        batch.drop_column('discount_value')
        batch.drop_column('discount_type')
        batch.drop_column('max_discount')
