"""Evaluations, their questions, who has answered (for the certificate) and the answers
(for the aggregates) — the last two in separate tables that share no key.

Anonymity: an answer row holds the offering, the question and the value, under a random
id, with no member, no registration and no time. Whether a member answered is a receipt
keyed by their registration. No key joins the two, so no page, report or export can tell
who gave which answer. A database administrator still could, from PostgreSQL's physical
traces (the receipt and the answers are written in one transaction: same xmin, neighbouring
ctid); closing that needs the answers written later in shuffled batches (not done)."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.catalog.models import Offering
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Program

MAX_QUESTIONS = 10
PROMPT_MAX = 200
LABEL_MAX = 60
TEXT_ANSWER_MAX = 2000
RATING_MIN, RATING_MAX = 1, 5


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1 to 5 between two labelled ends
    TEXT = "text"  # free text, optional to answer


def random_answer_id() -> str:
    """Random, so the order of answer rows says nothing about the order people answered."""
    return secrets.token_hex(16)


class Evaluation(db.Model):
    """A program's evaluation (for all its offerings) or an offering's (replacing the
    program's for that offering)."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    offering_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), unique=True
    )
    required_for_certificate: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    program: Mapped[Program | None] = relationship()
    offering: Mapped[Offering | None] = relationship()
    questions: Mapped[list[EvaluationQuestion]] = relationship(
        back_populates="evaluation",
        order_by="EvaluationQuestion.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(program_id IS NULL) <> (offering_id IS NULL)", name="program_or_offering"
        ),
    )


class EvaluationQuestion(db.Model):
    __tablename__ = "evaluation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "evaluation_question_kind"))
    prompt: Mapped[str] = mapped_column(sa.String(PROMPT_MAX))
    low_label: Mapped[str] = mapped_column(sa.String(LABEL_MAX), default="")
    high_label: Mapped[str] = mapped_column(sa.String(LABEL_MAX), default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="questions")

    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "position", name="uq_evaluation_question_position"),
    )


class EvaluationReceipt(db.Model):
    """That a registration's member has answered: what the certificate waits for. No time,
    no answers."""

    __tablename__ = "evaluation_receipts"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )


class EvaluationAnswer(db.Model):
    """One answer to one question, for one offering; whose it is is not recorded."""

    __tablename__ = "evaluation_answers"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_answer_id)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_questions.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger())
    text: Mapped[str | None] = mapped_column(sa.Text())

    __table_args__ = (
        sa.Index("ix_evaluation_answers_offering_question", "offering_id", "question_id"),
        sa.CheckConstraint("(rating IS NULL) <> (text IS NULL)", name="rating_or_text"),
        sa.CheckConstraint(
            f"rating IS NULL OR (rating >= {RATING_MIN} AND rating <= {RATING_MAX})",
            name="rating_range",
        ),
        # SQLite's hidden rowid would number the rows in the order people answered.
        {"sqlite_with_rowid": False},
    )
