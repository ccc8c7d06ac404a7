"""correlation proposals, merges and edit leases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 16:57:34.324534
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('correlation_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_a', sa.Integer(), nullable=False),
    sa.Column('incident_b', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.Column('minutes_apart', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_a'], ['incidents.id'], name=op.f('fk_correlation_proposals_incident_a_incidents')),
    sa.ForeignKeyConstraint(['incident_b'], ['incidents.id'], name=op.f('fk_correlation_proposals_incident_b_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correlation_proposals')),
    sa.UniqueConstraint('incident_a', 'incident_b', name=op.f('uq_correlation_proposals_incident_a_incident_b'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lease_holder', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_incidents_merged_into_id_incidents'), 'incidents', ['merged_into_id'], ['id'])
        batch_op.create_index('ix_incidents_lat_lon', ['lat', 'lon'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_lat_lon')
        batch_op.drop_constraint(batch_op.f('fk_incidents_merged_into_id_incidents'), type_='foreignkey')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_holder')
        batch_op.drop_column('merged_into_id')

    op.drop_table('correlation_proposals')
