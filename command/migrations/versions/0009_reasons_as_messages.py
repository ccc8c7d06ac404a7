"""reasons the system writes are stored as messages (a key and values), rendered in the reader's language

incidents.grade_reason (English text) becomes incidents.grade_basis (JSON message); incident_log gains
reason_message for the system's own reasons (expiry). Existing English reasons are read once, here,
into messages; anything not recognised is kept as text. The duty log is not touched: its entries are
hash-chained and stay exactly as written.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00
"""
import json
import re

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_HARM_ITEM = re.compile(r"^(deaths|serious injuries|direct loss yuan) (\d+) ≥ (\d+)$")
_GRADE = {"harm below grade III thresholds": "grade.harm_below_iii", "no harm threshold reached":
          "grade.no_harm_threshold", "severity unknown and no harm figures yet": "grade.severity_unknown"}
_SEVERITY = re.compile(r"^warning severity (\w+)$")
_EXPIRED_AT = re.compile(r"^message expired at (\S+)$")
_EXPIRED_TTL = re.compile(r"^no all-clear within the source's time to live \(([\d.e+]+) s\)$")


def grade_basis(text):
    """The message for a grade reason the core wrote as English, or None."""
    if not text:
        return None
    if text in _GRADE:
        return {"msg": _GRADE[text]}
    found = _SEVERITY.match(text)
    if found:
        return {"msg": "grade.severity", "severity": {"msg": f"level.{found[1]}"}}
    if text.startswith("harm: "):
        items = [_HARM_ITEM.match(part) for part in text[len("harm: "):].split(", ")]
        if all(items):
            return {"msg": "grade.harm", "reached": [
                {"msg": "grade.harm_item", "name": {"msg": "harm." + m[1].replace(" ", "_")},
                 "value": int(m[2]), "limit": int(m[3])} for m in items]}
    return {"msg": "text", "text": text}


def system_reason(text):
    """The message for an expiry reason, or None for anything else."""
    found = _EXPIRED_AT.match(text or "")
    if found:
        return {"msg": "reason.expired_message", "at": found[1]}
    found = _EXPIRED_TTL.match(text or "")
    if found:
        return {"msg": "reason.expired_ttl", "seconds": found[1]}
    return None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade_basis', sa.JSON(), nullable=True))
    with op.batch_alter_table('incident_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_message', sa.JSON(), nullable=True))
    bind = op.get_bind()
    incidents = sa.table('incidents', sa.column('id'), sa.column('grade_reason'), sa.column('grade_basis', sa.JSON))
    for row in bind.execute(sa.select(incidents.c.id, incidents.c.grade_reason)
                            .where(incidents.c.grade_reason.is_not(None))).all():
        bind.execute(incidents.update().where(incidents.c.id == row.id)
                     .values(grade_basis=grade_basis(row.grade_reason)))
    log = sa.table('incident_log', sa.column('id'), sa.column('actor'), sa.column('reason'),
                   sa.column('reason_message', sa.JSON))
    for row in bind.execute(sa.select(log.c.id, log.c.reason).where(log.c.actor.like('system:%'))).all():
        converted = system_reason(row.reason)
        if converted:
            bind.execute(log.update().where(log.c.id == row.id).values(reason_message=converted, reason=None))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('grade_reason')


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade_reason', sa.String(length=256), nullable=True))
    bind = op.get_bind()
    incidents = sa.table('incidents', sa.column('id'), sa.column('grade_reason'), sa.column('grade_basis', sa.JSON))
    for row in bind.execute(sa.select(incidents.c.id, incidents.c.grade_basis)
                            .where(incidents.c.grade_basis.is_not(None))).all():
        bind.execute(incidents.update().where(incidents.c.id == row.id)
                     .values(grade_reason=json.dumps(row.grade_basis, ensure_ascii=False)[:256]))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('grade_basis')
    with op.batch_alter_table('incident_log', schema=None) as batch_op:
        batch_op.drop_column('reason_message')
