"""The member's own data (PRODUCT §12): everything the registry holds about them, as one
JSON file; and closing the account, which anonymises the person and keeps the record.

Closing keeps: registrations, attendance and hours (so a training's numbers and reports
stay true), LFT decisions, mentoring pairings and hours, and every issued certificate,
which keeps verifying under the name printed on it. It removes: name, e-mail, password,
local, job title, start date, LFT essays and answers, mentoring notes, sign-ins, roles,
outside-training descriptions and proof files (what still waited is declined), and the
personal e-mail badges name.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from esp_registry.accounts import sessions
from esp_registry.accounts.models import SignInSession, User
from esp_registry.attendance.models import Attendance
from esp_registry.badges import rules as badges
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.credit.outside import own_data as outside
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
    MentorStatus,
    RequestStatus,
)
from esp_registry.registrations.models import Registration

FORMER_MEMBER = "Former member"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if hasattr(value, "value"):  # StrEnum
        return value.value
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def export(user: User) -> dict[str, Any]:
    """Everything held about `user`, in a fixed number of queries."""
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.user_id == user.id)
            .options(joinedload(Registration.offering))
            .order_by(Registration.created_at)
        )
    )
    ids = [r.id for r in registrations] or [-1]
    attendance = list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.registration_id.in_(ids))
            .options(joinedload(Attendance.session))
        )
    )
    pairings = list(
        db.session.scalars(
            sa.select(MentoringPairing).where(
                sa.or_(MentoringPairing.mentor_id == user.id, MentoringPairing.mentee_id == user.id)
            )
        )
    )
    pairing_ids = [p.id for p in pairings] or [-1]
    certificates = list(
        db.session.scalars(
            sa.select(Certificate)
            .where(
                sa.or_(
                    Certificate.registration_id.in_(ids),
                    Certificate.mentoring_pairing_id.in_(pairing_ids),
                )
            )
            .order_by(Certificate.issued_at)
        )
    )
    by_registration: dict[int, list[dict[str, Any]]] = {}
    for mark in attendance:
        by_registration.setdefault(mark.registration_id, []).append(
            {
                "session": mark.session.title,
                "starts_at": _plain(mark.session.starts_at),
                "status": _plain(mark.status),
                "credited_hours": _plain(mark.credited_hours),
            }
        )
    profile = db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == user.id))
    return {
        "exported_at": _plain(utcnow()),
        "profile": {
            **_row(
                user,
                ["full_name", "email", "local_name", "job_title", "started_job_on"],
            ),
            "state_affiliate": user.affiliate.name,
            "job_family": user.job_family.name,
            "preferred_language": user.preferred_language,
            "account_created_at": _plain(user.created_at),
            "email_confirmed_at": _plain(user.email_confirmed_at),
            "roles": [
                {"role": g.role.value, "affiliate": g.affiliate.name if g.affiliate else None}
                for g in user.role_grants
            ],
        },
        "registrations": [
            {
                "training": r.offering.title,
                "starts_at": _plain(r.offering.starts_at),
                **_row(r, ["status", "created_at", "waitlisted_at", "decided_at", "reason"]),
                "attendance": by_registration.get(r.id, []),
            }
            for r in registrations
        ],
        "certificates": [
            _row(c, ["code", "member_name", "hours", "issued_at", "revoked_at", "mentoring_role"])
            for c in certificates
        ],
        "leaders_for_tomorrow": [
            _row(
                a,
                [
                    "status",
                    "leadership_experience",
                    "essay_why",
                    "essay_vision",
                    "years_as_esp",
                    "president_name",
                    "president_email",
                ],
            )
            for a in db.session.scalars(
                sa.select(LftApplication).where(LftApplication.user_id == user.id)
            )
        ],
        "mentoring": {
            "mentor_profile": _row(profile, ["status", "capacity", "local_name", "note"])
            if profile
            else None,
            "requests": [
                _row(m, ["status", "started_job_on", "local_name", "created_at"])
                for m in db.session.scalars(
                    sa.select(MentoringRequest).where(MentoringRequest.user_id == user.id)
                )
            ],
            "pairings": [
                {
                    "as": "mentor" if p.mentor_id == user.id else "mentee",
                    **_row(p, ["status", "starts_on", "ends_on"]),
                }
                for p in pairings
            ],
            "activity_logs": [
                _row(log, ["activity", "on_date", "hours", "note"])
                for log in db.session.scalars(
                    sa.select(MentoringLog).where(MentoringLog.user_id == user.id)
                )
            ],
        },
        "outside_training": outside.exported(user, _row),
        "badge_email": badges.exported(user),
        "sign_ins": [
            _row(s, ["created_at", "last_seen_at", "ended_at", "user_agent"])
            for s in db.session.scalars(
                sa.select(SignInSession).where(SignInSession.user_id == user.id)
            )
        ],
    }


def close_account(user: User, now: datetime | None = None) -> None:
    """Anonymise the person and end every sign-in; the record of what happened stays."""
    now = now or utcnow()
    user.full_name = FORMER_MEMBER
    user.email = f"closed-{user.id}-{secrets.token_hex(4)}@closed.invalid"
    user.password_hash = "!"  # no password hash has this form: nobody can sign in
    user.local_name = ""
    user.job_title = ""
    user.started_job_on = None
    user.closed_at = now
    user.deactivated_at = now
    user.role_grants.clear()
    for application in db.session.scalars(
        sa.select(LftApplication).where(LftApplication.user_id == user.id)
    ):
        application.leadership_experience = ""
        application.essay_why = ""
        application.essay_vision = ""
        application.president_name = ""
        application.president_email = ""
    db.session.execute(
        sa.update(MentorProfile)
        .where(MentorProfile.user_id == user.id)
        .values(note="", local_name="", status=MentorStatus.WITHDRAWN)
    )
    db.session.execute(
        sa.update(MentoringRequest)
        .where(MentoringRequest.user_id == user.id, MentoringRequest.status == RequestStatus.OPEN)
        .values(status=RequestStatus.WITHDRAWN)
    )
    db.session.execute(
        sa.update(MentoringLog).where(MentoringLog.user_id == user.id).values(note="")
    )
    proofs = outside.forget(user, now)
    badges.forget(user)
    db.session.commit()
    outside.delete_proofs(proofs)
    sessions.end_other_sessions(user, keep_token=None, now=now)
