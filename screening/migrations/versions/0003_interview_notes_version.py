"""interview notes carry a version (optimistic lock, like answers)

Revision ID: 0003_interview_notes_version
Revises: 0002_audit_append_only
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_interview_notes_version"
down_revision = "0002_audit_append_only"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes_version", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("notes_version")
