"""The outside-training lists (the member's, the approvers' queue) and the transcript cost
the same number of queries with 3 rows as with 40; "Show more" too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from esp_registry.accounts.models import Role, User
from esp_registry.columns import utcnow
from esp_registry.credit.outside.models import (
    OutsideKind,
    OutsideStatus,
    OutsideTraining,
)
from esp_registry.extensions import db
from tests import factories
from tests.conftest import Actions
from tests.integration.test_query_counts import counted

MAX_QUERIES = 12


def add_requests(members: list[User], start: int, stop: int, approver: User) -> None:
    """Rows without files (pre-approvals and approved ones): the pages never open a file."""
    today = utcnow().date()
    for i in range(start, stop):
        member = members[i % len(members)]
        decided = i % 3 == 0
        db.session.add(
            OutsideTraining(
                user_id=member.id,
                affiliate_id=member.affiliate_id,
                kind=OutsideKind.PRE_APPROVAL,
                status=OutsideStatus.APPROVED if decided else OutsideStatus.PENDING,
                provider=f"Provider {i}",
                title=f"Training {i:03}",
                starts_on=today + timedelta(days=i),
                ends_on=today + timedelta(days=i),
                hours=Decimal(3),
                approved_hours=Decimal(3) if decided else None,
                decided_at=utcnow() if decided else None,
                decided_by_id=approver.id if decided else None,
            )
        )
    db.session.commit()


def queries(client, url: str, headers: dict[str, str] | None = None) -> int:  # type: ignore[no-untyped-def]
    with counted() as statements:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, url
    return len(statements)


def test_outside_lists_do_not_grow_with_rows(ctx):
    approver = factories.person(
        "approver.oh@example.org", name="OH Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    pat = factories.person("pat@example.org", name="Pat Member")
    others = factories.bulk_people("m", 5)
    db.session.commit()
    members = [pat, *others]
    add_requests(members, 0, 6, approver)
    pages = {
        "pat@example.org": ["/credit/outside/", "/transcript"],
        "approver.oh@example.org": [
            "/credit/outside/queue",
            "/credit/outside/queue?status=approved",
            "/credit/outside/queue?q=training",
        ],
    }
    clients = {}
    for email in pages:
        clients[email] = ctx.test_client()
        assert Actions(clients[email]).sign_in(email).status_code == 302
    few = {url: queries(clients[e], url) for e, urls in pages.items() for url in urls}
    add_requests(members, 6, 150, approver)
    many = {url: queries(clients[e], url) for e, urls in pages.items() for url in urls}
    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many
    more = {"HX-Request": "true", "HX-Target": "queue-rows"}
    assert queries(clients["approver.oh@example.org"], "/credit/outside/queue?page=2", more) <= (
        MAX_QUERIES
    )
    mine = {"HX-Request": "true", "HX-Target": "outside-rows"}
    assert queries(clients["pat@example.org"], "/credit/outside/?page=2", mine) <= MAX_QUERIES


def test_transcript_queries_do_not_grow_with_outside_credit(ctx):
    approver = factories.person(
        "approver.oh@example.org", name="OH Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    pat = factories.person("pat@example.org", name="Pat Member")
    client = ctx.test_client()
    assert Actions(client).sign_in("pat@example.org").status_code == 302

    def approve_some(start: int, stop: int) -> None:
        today = utcnow().date()
        for i in range(start, stop):
            db.session.add(
                OutsideTraining(
                    user_id=pat.id,
                    affiliate_id=pat.affiliate_id,
                    kind=OutsideKind.COMPLETED,
                    status=OutsideStatus.APPROVED,
                    provider="P",
                    title=f"Outside {i}",
                    starts_on=today - timedelta(days=400 + i * 7),
                    ends_on=today - timedelta(days=400 + i * 7),
                    hours=Decimal(2),
                    approved_hours=Decimal(2),
                    proof_key=f"{i:032x}.pdf",
                    decided_at=utcnow(),
                    decided_by_id=approver.id,
                )
            )
        db.session.commit()

    approve_some(0, 2)
    few = queries(client, "/transcript")
    approve_some(2, 60)
    assert queries(client, "/transcript") == few
    page = client.get("/transcript").get_data(as_text=True)
    assert page.count("Outside training, approved by Ohio") == 60
