"""sessions end everywhere at logout: people.session_epoch; a person's page language

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 21:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('page_language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('page_language')
        batch_op.drop_column('session_epoch')
