"""The A/B experiment each logged list belongs to, so a report counts only that experiment's lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (a nullable column: existing lists belong to no experiment)."""
    with op.batch_alter_table('recommendation_log') as batch:
        batch.add_column(sa.Column('experiment', sa.String(length=64), nullable=True))
        batch.create_index('ix_recommendation_log_experiment', ['experiment', 'created_at'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('recommendation_log') as batch:
        batch.drop_index('ix_recommendation_log_experiment')
        batch.drop_column('experiment')
