"""Every paged list costs the same number of queries with 3 rows as with 60 (issue 13):
the page, its count and what its rows show are loaded up front, never once a row. The big
page stays small (HTML ≤ 60 KB) and at most 12 queries; so does "Show more"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from esp_registry.accounts.models import AccountAction, AccountEvent, Role, User
from esp_registry.catalog.models import Offering
from esp_registry.certificates.models import Certificate
from esp_registry.extensions import db
from esp_registry.reference.models import Local, ReferenceAction, ReferenceEvent, ReferenceKind
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import Actions
from tests.integration.test_query_counts import counted

MAX_QUERIES = 12
MAX_BYTES = 60_000


@dataclass
class World:
    admin: User
    approver: User
    facilitator: User
    member: User
    certified: Offering
    ohio: int


def make_world() -> World:
    admin = factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    approver = factories.person(
        "approver.oh@example.org", name="OH Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    facilitator = factories.person(
        "fac@example.org", name="Fay Cilitator", roles=((Role.FACILITATOR, None),)
    )
    member = factories.person("pat@example.org", name="Pat Member")
    certified = factories.offering("Certified workshop", host="OH", starts_in=-timedelta(days=3))
    return World(admin, approver, facilitator, member, certified, factories.affiliate("OH").id)


def grow(world: World, start: int, stop: int) -> None:
    """Rows start..stop of every list: offerings (catalog, manage, facilitate), pending
    registrations (approvals), past trainings (My trainings), certificates, audit rows."""
    members = factories.bulk_people(f"m{start}x", stop - start)
    for i, member in zip(range(start, stop), members, strict=True):
        upcoming = factories.offering(
            f"Workshop {i:03}",
            host="OH" if i % 2 else "TX",
            sessions=2,
            audience=("paraeducators",) if i % 3 else (),
            facilitators=(world.facilitator,),
            requires_affiliate_approval=True,
            starts_in=timedelta(days=10 + i),
        )
        past = factories.offering(f"Past {i:03}", host="OH", starts_in=-timedelta(days=30 + i))
        mine = Registration(
            user_id=world.member.id, offering_id=past.id, status=RegistrationStatus.CONFIRMED
        )
        cancelled = Registration(
            user_id=world.member.id, offering_id=upcoming.id, status=RegistrationStatus.CANCELLED
        )
        pending = Registration(
            user_id=member.id, offering_id=upcoming.id, status=RegistrationStatus.PENDING_APPROVAL
        )
        attended = Registration(
            user_id=member.id, offering_id=world.certified.id, status=RegistrationStatus.CONFIRMED
        )
        db.session.add_all([mine, cancelled, pending, attended])
        db.session.flush()
        db.session.add_all(
            [
                Certificate(
                    registration_id=attended.id,
                    code=f"TESTCODE{i:06}",
                    member_name=member.full_name,
                    hours=Decimal("5"),
                ),
                AccountEvent(
                    user_id=world.member.id,
                    actor_id=world.admin.id,
                    action=AccountAction.ROLE_GRANTED,
                    role=Role.FACILITATOR,
                    affiliate_id=world.ohio,
                    note=f"Change {i}",
                ),
                ReferenceEvent(
                    kind=ReferenceKind.AFFILIATE,
                    subject_id=world.ohio,
                    affiliate_id=world.ohio,
                    actor_id=world.admin.id,
                    action=ReferenceAction.EDITED,
                    changes={"name": ["Ohio", f"Ohio {i}"]},
                ),
                Local(affiliate_id=world.ohio, name=f"Local {i:03}"),
            ]
        )
    db.session.commit()


def pages(world: World) -> dict[str, tuple[str, str]]:
    """Each paged page, as whom it is seen (e-mail, or "" for a visitor)."""
    return {
        "catalog": ("", "/"),
        "catalog filtered": ("", "/?job_family=paraeducators&host=OH&q=Workshop"),
        "job family page": ("", "/job-families/paraeducators"),
        "manage": ("admin@example.org", "/manage"),
        "manage search": ("admin@example.org", "/manage?q=workshop"),
        "manage as approver": ("approver.oh@example.org", "/manage"),
        "approvals": ("approver.oh@example.org", "/approvals"),
        "approvals search": ("admin@example.org", "/approvals?q=m"),
        "facilitate": ("fac@example.org", "/facilitate"),
        "facilitate as admin": ("admin@example.org", "/facilitate"),
        "my trainings": ("pat@example.org", "/my-trainings"),
        "certificates": ("admin@example.org", f"/offerings/{world.certified.id}/certificates"),
        "an offering's registrations": (
            "admin@example.org",
            f"/manage/offerings/{world.certified.id}",
        ),
        "person's audit trail": ("admin@example.org", f"/people/{world.member.id}"),
        "people": ("admin@example.org", "/people?q=m"),
        "affiliate: locals and history": (
            "admin@example.org",
            f"/admin/reference/affiliates/{world.ohio}",
        ),
    }


def measure(clients: dict[str, FlaskClient], world: World) -> dict[str, tuple[int, int]]:
    found = {}
    for name, (email, url) in pages(world).items():
        with counted() as statements:
            response = clients[email].get(url)
        assert response.status_code == 200, (name, response.status_code)
        found[name] = (len(statements), len(response.data))
    return found


def signed_in(app: Flask) -> dict[str, FlaskClient]:
    clients = {"": app.test_client()}
    for email in (
        "admin@example.org",
        "approver.oh@example.org",
        "fac@example.org",
        "pat@example.org",
    ):
        clients[email] = app.test_client()
        assert Actions(clients[email]).sign_in(email).status_code == 302
    return clients


def test_no_paged_page_grows_with_its_rows(ctx):
    world = make_world()
    grow(world, 0, 3)
    clients = signed_in(ctx)
    small = measure(clients, world)
    grow(world, 3, 60)
    large = measure(clients, world)
    grew = {
        name: (small[name][0], large[name][0]) for name in small if small[name][0] != large[name][0]
    }
    assert not grew, f"queries (3 rows, 60 rows): {grew}"
    heavy = {name: queries for name, (queries, _size) in large.items() if queries > MAX_QUERIES}
    assert not heavy, heavy
    big = {name: size for name, (_queries, size) in large.items() if size > MAX_BYTES}
    assert not big, big


LISTS = {
    "catalog": "catalog-rows",
    "manage": "manage-rows",
    "approvals": "approvals",
    "facilitate": "facilitate-rows",
    "my trainings": "past-rows",
    "certificates": "certificate-rows",
    "an offering's registrations": "registration-rows",
    "person's audit trail": "history-rows",
    "people": "people-rows",
}


def test_show_more_costs_what_the_first_page_costs(ctx):
    """The second page, asked for by htmx with its bookmark, is rows only, and as cheap."""
    world = make_world()
    grow(world, 0, 60)
    clients = signed_in(ctx)
    for name, rows_id in LISTS.items():
        email, url = pages(world)[name]
        client = clients[email]
        with counted() as first:
            page = client.get(url).get_data(as_text=True)
        more = html_attr(page, rows_id)
        with counted() as second:
            response = client.get(more, headers={"HX-Request": "true", "HX-Target": rows_id})
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200 and "<h1" not in fragment and "<li" in fragment, name
        assert f'id="{rows_id}-pager"' in fragment and 'hx-swap-oob="true"' in fragment, name
        # htmx moves focus to the first new row (autofocus), and only there.
        assert fragment.count(" autofocus") == 1, name
        assert len(second) <= len(first) <= MAX_QUERIES, (name, len(first), len(second))


def html_attr(page: str, rows_id: str) -> str:
    import html
    import re

    found = re.search(rf'hx-get="([^"]+)"\s+hx-target="#{rows_id}"', page)
    assert found, f"no Show more for #{rows_id}"
    return html.unescape(found.group(1))
