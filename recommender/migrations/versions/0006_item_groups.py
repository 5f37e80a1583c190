"""Item groups: variants of one product (pack sizes, colours) share a ``group_id``, so a list
shows one card per product instead of three pack sizes of the same snack.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (nullable: items imported before it are each their own group)."""
    with op.batch_alter_table('items') as batch:
        batch.add_column(sa.Column('group_id', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_items_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    """Revert this revision (the groups are dropped; the items stay).

    ``recreate='never'``: SQLite (3.35+) drops the column in place; recreating ``items`` the
    batch way would drop the table with foreign keys on, which deletes every interaction.
    """
    with op.batch_alter_table('items', recreate='never') as batch:
        batch.drop_index(batch.f('ix_items_group_id'))
        batch.drop_column('group_id')
