"""incident grading and log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:52:47.204577
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=True),
    sa.Column('before', sa.String(length=256), nullable=True),
    sa.Column('after', sa.String(length=256), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_log_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_log'))
    )
    with op.batch_alter_table('incident_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_log_incident_id'), ['incident_id'], unique=False)

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_by', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('grade', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('grade_proposed', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('grade_reason', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('deaths', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('serious_injuries', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('direct_loss_yuan', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('sensitive', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('sensitive')
        batch_op.drop_column('direct_loss_yuan')
        batch_op.drop_column('serious_injuries')
        batch_op.drop_column('deaths')
        batch_op.drop_column('grade_reason')
        batch_op.drop_column('grade_proposed')
        batch_op.drop_column('grade')
        batch_op.drop_column('updated_by')

    with op.batch_alter_table('incident_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_log_incident_id'))

    op.drop_table('incident_log')
