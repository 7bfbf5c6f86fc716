"""People and roles (issue 12, point 5): the directory, a person's page, grants scoped by
role and affiliate, deactivation, the audit trail; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import AccountAction, AccountEvent, Role, RoleGrant, User
from esp_registry.extensions import db
from esp_registry.registrations import rules
from tests import factories
from tests.conftest import Actions
from tests.integration.test_query_counts import queries_for


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    admin = factories.person(
        "admin@example.org", name="Ada Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    ohio = factories.person(
        "oh@example.org", name="Olga Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    member = factories.person("pat@example.org", name="Pat Ohio")
    texan = factories.person("tex@example.org", name="Tex Member", state="TX")
    return {"admin": admin, "ohio": ohio, "member": member, "texan": texan}


def signed_in(ctx, email: str) -> Actions:  # type: ignore[no-untyped-def]
    actions = Actions(ctx.test_client())
    assert actions.sign_in(email).status_code == 302
    return actions


def grants(email: str) -> set[tuple[str, str | None]]:
    db.session.expire_all()
    person = db.session.scalar(sa.select(User).where(User.email == email))
    return {(g.role.value, g.affiliate.code if g.affiliate else None) for g in person.role_grants}


def test_the_directory_is_for_staff_and_an_approver_sees_their_own_affiliate(ctx, world):
    assert signed_in(ctx, "pat@example.org").client.get("/people").status_code == 404
    assert ctx.test_client().get("/people").status_code == 302  # sign in first
    ohio = signed_in(ctx, "oh@example.org").client.get("/people").get_data(as_text=True)
    assert "Pat Ohio" in ohio and "Tex Member" not in ohio
    everyone = signed_in(ctx, "admin@example.org").client.get("/people").get_data(as_text=True)
    assert "Pat Ohio" in everyone and "Tex Member" in everyone
    # Asking for Texas by hand shows an Ohio approver nobody from Texas.
    texas = factories.affiliate("TX").id
    forced = signed_in(ctx, "oh@example.org").client.get(f"/people?affiliate={texas}")
    assert forced.status_code == 422 and "Tex Member" not in forced.get_data(as_text=True)
    tex_page = signed_in(ctx, "oh@example.org").client.get(f"/people/{world['texan'].id}")
    assert tex_page.status_code == 404


def test_search_filters_and_pages_keep_each_other(ctx, world):
    factories.bulk_people("para", 30)
    db.session.commit()
    admin = signed_in(ctx, "admin@example.org").client
    page = admin.get("/people?q=PARA").get_data(as_text=True)
    assert "1\u201325 of 30" in page and 'href="/people?q=PARA&amp;page=2&amp;cursor=' in page
    second = admin.get("/people?q=PARA&page=2").get_data(as_text=True)
    assert "26\u201330 of 30" in second and "Previous" in second and 'rel="next"' not in second
    by_email = admin.get("/people?q=tex@example").get_data(as_text=True)
    assert "Tex Member" in by_email and "Pat Ohio" not in by_email
    admins = admin.get("/people?role=national_admin").get_data(as_text=True)
    assert "Ada Admin" in admins and "Pat Ohio" not in admins
    literal = admin.get("/people?q=%25").get_data(as_text=True)
    assert "Nobody matches" in literal  # % is searched for, not a wildcard


@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "page=0",
        "page=99999999999999999999",
        "affiliate=abc",
        "role=wizard",
        "q=" + "x" * 101,
        "job_family=-1",
        "affiliate=2147483648",
    ],
)
def test_bad_query_strings_are_refused_plainly(ctx, world, query):
    response = signed_in(ctx, "admin@example.org").client.get(f"/people?{query}")
    assert response.status_code == 422


def test_the_directory_and_a_persons_page_do_not_query_per_row(ctx, world):
    admin = signed_in(ctx, "admin@example.org").client
    offering = factories.offering()
    rules.register(world["member"], offering)
    few = queries_for(admin, "/people")
    person_few = queries_for(admin, f"/people/{world['member'].id}")
    factories.bulk_people("many", 60)
    for number in range(8):
        rules.register(factories.person(f"x{number}@example.org"), factories.offering(f"T{number}"))
        rules.register(world["member"], factories.offering(f"Mine {number}"))
    db.session.commit()
    assert queries_for(admin, "/people") == few
    assert queries_for(admin, f"/people/{world['member'].id}") == person_few


def test_admin_grants_an_approver_role_and_that_person_sees_approvals(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    member = signed_in(ctx, "pat@example.org")
    assert member.client.get("/approvals").status_code == 404
    page = admin.client.get(f"/people/{world['member'].id}").get_data(as_text=True)
    assert "Member only." in page and "Grant role" in page
    response = admin.post(
        f"/people/{world['member'].id}/roles",
        {"role": "affiliate_approver", "affiliate_id": factories.affiliate("OH").id},
    )
    assert response.status_code == 302
    assert grants("pat@example.org") == {("affiliate_approver", "OH")}
    assert member.client.get("/approvals").status_code == 200
    history = admin.client.get(f"/people/{world['member'].id}").get_data(as_text=True)
    assert "role granted: Affiliate approver (Ohio)" in history and "by Ada Admin" in history
    missing = admin.post(f"/people/{world['member'].id}/roles", {"role": "affiliate_approver"})
    assert "Choose the state affiliate" in admin.client.get(missing.headers["Location"]).get_data(
        as_text=True
    )


def test_an_approver_grants_only_facilitator_and_only_in_their_affiliate(ctx, world):
    ohio = signed_in(ctx, "oh@example.org")
    for role in ("national_admin", "affiliate_approver", "reviewer"):
        response = ohio.post(
            f"/people/{world['member'].id}/roles",
            {"role": role, "affiliate_id": factories.affiliate("OH").id},
        )
        assert response.status_code == 422, role  # not among their choices
    assert grants("pat@example.org") == set()
    assert (
        ohio.post(f"/people/{world['texan'].id}/roles", {"role": "facilitator"}).status_code == 404
    )
    assert (
        ohio.post(f"/people/{world['member'].id}/roles", {"role": "facilitator"}).status_code == 302
    )
    assert grants("pat@example.org") == {("facilitator", None)}
    # The approver cannot take away roles they could not give.
    admin_grant = db.session.scalar(
        sa.select(RoleGrant).where(RoleGrant.user_id == world["ohio"].id)
    )
    ohio.post(f"/people/{world['ohio'].id}/roles/{admin_grant.id}/revoke")
    assert grants("oh@example.org") == {("affiliate_approver", "OH")}
    facilitator = db.session.scalar(
        sa.select(RoleGrant).where(RoleGrant.user_id == world["member"].id)
    )
    # Another person's grant id under this person's URL is not found.
    assert ohio.post(f"/people/{world['ohio'].id}/roles/{facilitator.id}/revoke").status_code == 404
    assert (
        ohio.post(f"/people/{world['member'].id}/roles/{facilitator.id}/revoke").status_code == 302
    )
    assert grants("pat@example.org") == set()
    actions = [
        e.action for e in db.session.scalars(sa.select(AccountEvent).order_by(AccountEvent.id))
    ]
    assert actions == [AccountAction.ROLE_GRANTED, AccountAction.ROLE_REVOKED]


def test_a_deactivated_person_cannot_sign_in_and_is_signed_out(ctx, world):
    member = signed_in(ctx, "pat@example.org")
    admin = signed_in(ctx, "admin@example.org")
    response = admin.post(
        f"/people/{world['member'].id}/deactivate", {"reason": "Left the district"}
    )
    assert response.status_code == 302
    assert member.client.get("/my-trainings").status_code == 302  # signed out
    refused = Actions(ctx.test_client()).sign_in("pat@example.org")
    assert refused.status_code == 422 and "do not match" in refused.get_data(as_text=True)
    page = admin.client.get(f"/people/{world['member'].id}").get_data(as_text=True)
    assert "cannot sign in" in page and "Left the district" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4  # nothing deleted
    admin.post(f"/people/{world['member'].id}/reactivate")
    assert Actions(ctx.test_client()).sign_in("pat@example.org").status_code == 302


def test_nobody_locks_themselves_out(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    admin.post(f"/people/{world['admin'].id}/deactivate", {"reason": ""})
    assert db.session.get(User, world["admin"].id).deactivated_at is None
    own = db.session.scalar(sa.select(RoleGrant).where(RoleGrant.user_id == world["admin"].id))
    response = admin.post(f"/people/{world['admin'].id}/roles/{own.id}/revoke")
    assert "ask another admin" in admin.client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert grants("admin@example.org") == {("national_admin", None)}


def test_staff_forms_refuse_bad_input_without_a_500(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    url = f"/people/{world['member'].id}"
    assert admin.post(f"{url}/roles", {"role": "²", "affiliate_id": "²"}).status_code == 422
    assert (
        admin.post(f"{url}/roles", {"role": "reviewer", "affiliate_id": "9" * 30}).status_code
        == 422
    )
    assert admin.post(f"{url}/deactivate", {"reason": "x" * 501}).status_code == 422
    assert db.session.get(User, world["member"].id).deactivated_at is None
    assert grants("pat@example.org") == set()


def test_an_approver_cannot_lock_out_staff_of_their_own_affiliate(ctx, world):
    ohio_admin = factories.person(
        "ohio.admin@example.org", name="Ohio Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    ohio = signed_in(ctx, "oh@example.org")
    page = ohio.client.get(f"/people/{ohio_admin.id}").get_data(as_text=True)
    assert "Only a national admin may deactivate" in page and "Deactivate this account" not in page
    response = ohio.post(f"/people/{ohio_admin.id}/deactivate", {"reason": "coup"})
    assert "Only a national admin" in ohio.client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(User, ohio_admin.id).deactivated_at is None
    assert signed_in(ctx, "ohio.admin@example.org").client.get("/people").status_code == 200
    # A plain member of Ohio, the approver may deactivate.
    assert ohio.post(f"/people/{world['member'].id}/deactivate", {"reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world["member"].id).deactivated_at is not None
