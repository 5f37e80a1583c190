"""Initial schema: shoppers, items, interactions, orders, offers, recommendation log, handoffs.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('handoffs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('shopper_id', sa.String(length=128), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('last_message', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoffs_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index('ix_handoffs_status_created', ['status', 'created_at'], unique=False)

    op.create_table('items',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('vertical', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('title_zh', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('brand', sa.String(length=64), nullable=True),
    sa.Column('colour', sa.String(length=32), nullable=True),
    sa.Column('sizes', sa.JSON(), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('tastes', sa.JSON(), nullable=False),
    sa.Column('dietary', sa.JSON(), nullable=False),
    sa.Column('allergens', sa.JSON(), nullable=False),
    sa.Column('occasions', sa.JSON(), nullable=False),
    sa.Column('slot', sa.String(length=16), nullable=True),
    sa.Column('risk_level', sa.Integer(), nullable=True),
    sa.Column('horizon_months', sa.Integer(), nullable=True),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_vertical'), ['vertical'], unique=False)

    op.create_table('offers',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title_zh', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('discount_type', sa.String(length=16), nullable=False),
    sa.Column('discount_value', sa.Float(), nullable=False),
    sa.Column('min_spend', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_segment'), ['segment'], unique=False)

    op.create_table('recommendation_log',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('shopper_id', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('algorithm', sa.String(length=32), nullable=False),
    sa.Column('variant', sa.String(length=8), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('personalised', sa.Boolean(), nullable=False),
    sa.Column('fallback', sa.Boolean(), nullable=False),
    sa.Column('query', sa.Text(), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_log'))
    )
    with op.batch_alter_table('recommendation_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_recommendation_log_shopper_created', ['shopper_id', 'created_at'], unique=False)

    op.create_table('shoppers',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('consent_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shoppers'))
    )
    op.create_table('interactions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('shopper_id', sa.String(length=128), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('recommendation_id', sa.String(length=40), nullable=True),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('used_for_personalisation', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_interactions_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_interactions_shopper_id_shoppers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interactions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_interactions_order_item', ['order_id', 'item_id'], unique=False)
        batch_op.create_index('ix_interactions_personalisation', ['used_for_personalisation', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index('ix_interactions_shopper_created', ['shopper_id', 'created_at'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shopper_id', sa.String(length=128), nullable=False),
    sa.Column('recommendation_id', sa.String(length=40), nullable=True),
    sa.Column('total', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_orders_shopper_id_shoppers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_shopper_ordered', ['shopper_id', 'ordered_at'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_order_lines_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines')),
    sa.UniqueConstraint('order_id', 'item_id', name='uq_order_lines_order_item')
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_item_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_shopper_ordered')

    op.drop_table('orders')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_shopper_created')
        batch_op.drop_index(batch_op.f('ix_interactions_recommendation_id'))
        batch_op.drop_index('ix_interactions_personalisation')
        batch_op.drop_index('ix_interactions_order_item')
        batch_op.drop_index(batch_op.f('ix_interactions_item_id'))
        batch_op.drop_index(batch_op.f('ix_interactions_created_at'))

    op.drop_table('interactions')
    op.drop_table('shoppers')
    with op.batch_alter_table('recommendation_log', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_log_shopper_created')
        batch_op.drop_index(batch_op.f('ix_recommendation_log_created_at'))

    op.drop_table('recommendation_log')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_segment'))

    op.drop_table('offers')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_vertical'))
        batch_op.drop_index(batch_op.f('ix_items_updated_at'))
        batch_op.drop_index(batch_op.f('ix_items_category'))

    op.drop_table('items')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_handoffs_status_created')
        batch_op.drop_index(batch_op.f('ix_handoffs_shopper_id'))

    op.drop_table('handoffs')
