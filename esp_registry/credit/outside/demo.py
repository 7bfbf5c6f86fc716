"""Outside PD credit demo: member@ (Ohio) has one outside training approved by
approver.oh@ (hours adjusted, with a note; it is on her transcript) and one waiting in the
Ohio queue with a small PDF certificate as proof."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from weasyprint import HTML

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.credit.outside import rules
from esp_registry.credit.outside.models import OutsideKind, OutsideTraining
from esp_registry.demo_builders import expect_ok, find_by
from esp_registry.extensions import db

CERTIFICATE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: letter landscape; margin: 1in; }}
body {{ font-family: "DejaVu Serif", serif; text-align: center; color: #1d2733; }}
h1 {{ font-size: 28pt; margin-top: 1in; }} p {{ font-size: 14pt; }}
</style></head><body>
<p>{provider}</p><h1>Certificate of Completion</h1>
<p>This certifies that</p><p><strong>{name}</strong></p>
<p>completed <em>{title}</em> on {day}: {hours} contact hours.</p>
</body></html>"""


def certificate_pdf(name: str, provider: str, title: str, day: str, hours: str) -> bytes:
    """A small, plain PDF certificate like the ones members photograph or download."""
    html = CERTIFICATE.format(name=name, provider=provider, title=title, day=day, hours=hours)
    return HTML(string=html).write_pdf()


def seed_outside_demo() -> None:
    """Added once: nothing is added when member@ already has outside training."""
    member = find_by(User, email="member@example.org")
    approver = find_by(User, email="approver.oh@example.org")
    if not isinstance(member, User) or not isinstance(approver, User):
        return  # part of the demo world: seed_demo() makes the people first
    mine = sa.select(sa.func.count()).where(OutsideTraining.user_id == member.id)
    if db.session.scalar(mine):
        return
    now = utcnow()
    today = now.date()

    first_day = today - timedelta(days=45)
    approved = rules.record(
        member,
        rules.Details(
            provider="American Red Cross",
            title="Pediatric First Aid and CPR",
            description="Blended course: online modules, then a skills session in Columbus.",
            starts_on=first_day,
            ends_on=first_day + timedelta(days=1),
            hours=Decimal("7"),
        ),
        OutsideKind.COMPLETED,
        certificate_pdf(
            member.full_name,
            "American Red Cross",
            "Pediatric First Aid and CPR",
            first_day.isoformat(),
            "7",
        ),
        now=now - timedelta(days=40),
    )
    expect_ok(approved.result)
    decided = rules.decide(
        approved.result.subject,
        approver,
        approve=True,
        hours=Decimal("6.5"),
        note="The online module's quiz time is not contact time: 6.5 hours.",
        now=now - timedelta(days=38),
    )
    expect_ok(decided.result)

    day = today - timedelta(days=5)
    pending = rules.record(
        member,
        rules.Details(
            provider="Columbus State Community College",
            title="Supporting Students with Autism in the Classroom",
            description="Evening workshop for paraeducators.",
            starts_on=day,
            ends_on=day,
            hours=Decimal("3"),
        ),
        OutsideKind.COMPLETED,
        certificate_pdf(
            member.full_name,
            "Columbus State Community College",
            "Supporting Students with Autism in the Classroom",
            day.isoformat(),
            "3",
        ),
        now=now - timedelta(days=2),
    )
    expect_ok(pending.result)
