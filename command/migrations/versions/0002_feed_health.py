"""feed health

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:23:24.792393
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_health',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=64), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_heard_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=16), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('accepted_total', sa.Integer(), nullable=False),
    sa.Column('duplicate_total', sa.Integer(), nullable=False),
    sa.Column('rejected_total', sa.Integer(), nullable=False),
    sa.Column('lag_seconds', sa.Float(), nullable=True),
    sa.Column('silent_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('etag', sa.String(length=256), nullable=True),
    sa.Column('last_modified', sa.String(length=64), nullable=True),
    sa.Column('seen_ids', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_feed_health'))
    )


def downgrade() -> None:
    op.drop_table('feed_health')
