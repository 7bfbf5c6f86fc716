"""People and roles (PRODUCT §1, §12): grant and revoke roles, deactivate and reactivate
accounts, every change kept in the audit trail; the paged people directory.

National admins grant any role (an approver's role names its affiliate). An affiliate
approver grants and revokes only the facilitator role, only for members of their own
affiliate; they then assign them to the offerings their affiliate hosts.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from esp_registry.accounts import sessions
from esp_registry.accounts.models import AccountAction, AccountEvent, Role, RoleGrant, User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.reference.models import Affiliate
from esp_registry.results import Result, done, refused

PAGE_SIZE = 25


def role_name(role: Role) -> str:
    return {
        Role.NATIONAL_ADMIN: _("National admin"),
        Role.AFFILIATE_APPROVER: _("Affiliate approver"),
        Role.FACILITATOR: _("Facilitator"),
        Role.REVIEWER: _("Leaders for Tomorrow reviewer"),
        Role.ASSESSOR: _("Micro-credential assessor"),
    }[role]


def grantable_roles(actor: User) -> list[Role]:
    """The roles this person may grant or revoke."""
    if actor.is_national_admin:
        return list(Role)
    if actor.approver_affiliate_ids:
        return [Role.FACILITATOR]
    return []


def may_grant(actor: User, person: User, role: Role, affiliate_id: int | None) -> bool:
    if role not in grantable_roles(actor):
        return False
    if actor.is_national_admin:
        return True
    return person.affiliate_id in actor.approver_affiliate_ids and affiliate_id is None


def _record(
    person: User,
    actor: User,
    action: AccountAction,
    *,
    role: Role | None = None,
    affiliate_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> None:
    db.session.add(
        AccountEvent(
            user_id=person.id,
            actor_id=actor.id,
            action=action,
            role=role,
            affiliate_id=affiliate_id,
            note=note[:500],
            created_at=now or utcnow(),
        )
    )


def grant_role(actor: User, person: User, role: Role, affiliate_id: int | None = None) -> Result:
    """Give `person` a role; an approver's role is for one affiliate."""
    if role != Role.AFFILIATE_APPROVER:
        affiliate_id = None
    elif affiliate_id is None or db.session.get(Affiliate, affiliate_id) is None:
        return refused(_("Choose the state affiliate this person approves for."))
    if not may_grant(actor, person, role, affiliate_id):
        return refused(_("You may not grant this role."))
    if any(g.role == role and g.affiliate_id == affiliate_id for g in person.role_grants):
        return refused(_("%(name)s already has this role.", name=person.full_name))
    person.role_grants.append(RoleGrant(role=role, affiliate_id=affiliate_id))
    _record(person, actor, AccountAction.ROLE_GRANTED, role=role, affiliate_id=affiliate_id)
    db.session.commit()
    return done(_("%(name)s is now: %(role)s.", name=person.full_name, role=role_name(role)))


def revoke_role(actor: User, grant: RoleGrant) -> Result:
    person = grant.user
    if not may_grant(actor, person, grant.role, grant.affiliate_id):
        return refused(_("You may not revoke this role."))
    if person.id == actor.id and grant.role == Role.NATIONAL_ADMIN:
        return refused(_("You cannot remove your own national admin role: ask another admin."))
    role, affiliate_id = grant.role, grant.affiliate_id
    person.role_grants.remove(grant)
    _record(person, actor, AccountAction.ROLE_REVOKED, role=role, affiliate_id=affiliate_id)
    db.session.commit()
    return done(_("%(name)s is no longer: %(role)s.", name=person.full_name, role=role_name(role)))


def may_change_account(actor: User, person: User) -> bool:
    """Admins deactivate anyone else; an approver only people whose every role they could
    grant themselves (members and facilitators), never an admin, approver or reviewer."""
    if person.id == actor.id:
        return False
    allowed = set(grantable_roles(actor))
    return actor.is_national_admin or all(g.role in allowed for g in person.role_grants)


def deactivate(actor: User, person: User, reason: str, now: datetime | None = None) -> Result:
    """A deactivated person cannot sign in and is signed out everywhere; nothing of theirs
    is deleted and their certificates stay verifiable."""
    if person.id == actor.id:
        return refused(_("You cannot deactivate your own account."))
    if not may_change_account(actor, person):
        return refused(_("Only a national admin may deactivate this account."))
    if person.is_deactivated:
        return refused(_("This account is already deactivated."))
    now = now or utcnow()
    person.deactivated_at = now
    _record(person, actor, AccountAction.DEACTIVATED, note=reason.strip(), now=now)
    db.session.commit()
    sessions.end_other_sessions(person, keep_token=None, now=now)
    return done(_("%(name)s can no longer sign in.", name=person.full_name))


def reactivate(actor: User, person: User, now: datetime | None = None) -> Result:
    if not person.is_deactivated:
        return refused(_("This account is active."))
    if not may_change_account(actor, person):
        return refused(_("Only a national admin may reactivate this account."))
    person.deactivated_at = None
    _record(person, actor, AccountAction.REACTIVATED, now=now)
    db.session.commit()
    return done(_("%(name)s can sign in again.", name=person.full_name))


# ---------------------------------------------------------------- the directory


def people_page(
    scope: set[int] | None,
    *,
    search: str = "",
    affiliate_id: int | None = None,
    job_family_id: int | None = None,
    role: Role | None = None,
    at: PageRequest | None = None,
) -> Page[User]:
    """One page of the directory, by name, within the viewer's scope (None: everyone).
    Two queries whatever the page size (count, then the page; roles come with the join)."""
    query = sa.select(User)
    if scope is not None:
        query = query.where(User.affiliate_id.in_(scope or {-1}))
    if search.strip():
        pattern = contains(search)
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if affiliate_id:
        query = query.where(User.affiliate_id == affiliate_id)
    if job_family_id:
        query = query.where(User.job_family_id == job_family_id)
    if role is not None:
        query = query.where(User.role_grants.any(RoleGrant.role == role))
    return paginate(query, User.full_name, User.id, at=at, size=PAGE_SIZE, seek=True)


TRAIL_PAGE_SIZE = 25


def audit_trail(person: User, at: PageRequest | None = None) -> Page[AccountEvent]:
    """One page of a person's role and account changes, latest first."""
    query = (
        sa.select(AccountEvent)
        .where(AccountEvent.user_id == person.id)
        .options(sa.orm.joinedload(AccountEvent.actor), sa.orm.joinedload(AccountEvent.affiliate))
    )
    order = (AccountEvent.created_at.desc(), AccountEvent.id.desc())
    return paginate(query, *order, size=TRAIL_PAGE_SIZE, at=at, seek=True)


def event_text(event: AccountEvent) -> str:
    """One line of a person's history, in the reader's language."""
    role = role_name(event.role) if event.role else ""
    if event.affiliate is not None:
        role = f"{role} ({event.affiliate.name})"
    return {
        AccountAction.ROLE_GRANTED: lambda: _("role granted: %(role)s", role=role),
        AccountAction.ROLE_REVOKED: lambda: _("role revoked: %(role)s", role=role),
        AccountAction.DEACTIVATED: lambda: _("account deactivated"),
        AccountAction.REACTIVATED: lambda: _("account reactivated"),
    }[event.action]()
