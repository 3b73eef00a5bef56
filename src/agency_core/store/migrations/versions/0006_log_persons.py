"""Decision log: personal fields are kept as salted pseudonyms; the salts live in ``log_persons``.

Entries logged from now on hold, for each person they name, ``sha256(salt || id)`` instead of the
id; ``log_persons`` keeps id <-> salt (and the pseudonym, for lookups) and is the only thing erasure
deletes. Entries logged before keep their clear ids, so their bodies, hashes and verification are
unchanged. Downgrade drops the table (the pseudonyms already logged can then no longer be linked).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_persons",
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("person", name=op.f("pk_log_persons")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_log_persons_pseudonym")),
    )


def downgrade() -> None:
    op.drop_table("log_persons")
