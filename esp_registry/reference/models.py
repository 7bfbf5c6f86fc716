"""Reference data of PRODUCT §2: job families, state affiliates and programs.

Accounts and the catalog both build on these; they reference them by id, so renaming one
never breaks an offering or a certificate (certificates store what they printed).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.extensions import db


class JobFamily(db.Model):
    __tablename__ = "job_families"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")


class Affiliate(db.Model):
    """A state affiliate: the 50 states plus DC and Puerto Rico."""

    __tablename__ = "affiliates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class Program(db.Model):
    """What is taught; offerings are its scheduled runs."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    job_family_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="SET NULL")
    )

    job_family: Mapped[JobFamily | None] = relationship()
