"""What the mentoring pages show, each built in one place and loaded up front (no query
per row)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import mentoring_certificates
from esp_registry.extensions import db
from esp_registry.mentoring.matching import Candidate, Seeker, Suggestion, rank_mentors
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.mentoring.rules import holds_valid_soo_certificate
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.reference.models import Affiliate

SUGGESTIONS_SHOWN = 5  # per request in the queue; the request's page shows them all

# A person on a row: name, job family and affiliate (joined by User), not their roles.
PERSON = (lazyload(User.role_grants),)

PAIRING_OPTIONS = (
    joinedload(MentoringPairing.mentor).options(*PERSON),
    joinedload(MentoringPairing.mentee).options(*PERSON),
    joinedload(MentoringPairing.request).options(
        joinedload(MentoringRequest.affiliate), joinedload(MentoringRequest.job_family)
    ),
)

REQUEST_OPTIONS = (
    joinedload(MentoringRequest.user).options(*PERSON),
    joinedload(MentoringRequest.job_family),
    joinedload(MentoringRequest.affiliate),
)


def _active_pairings() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .where(
            MentoringPairing.mentor_profile_id == MentorProfile.id,
            MentoringPairing.status == PairingStatus.ACTIVE,
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class MentorPool:
    """Every active mentor, as plain data for the ranking and as profiles for the page."""

    candidates: list[Candidate]
    profiles: dict[int, MentorProfile]


def mentor_pool() -> MentorPool:
    """Every active mentor profile with its load and eligibility, in one query."""
    rows = db.session.execute(
        sa.select(
            MentorProfile,
            User.full_name,
            _active_pairings(),
            holds_valid_soo_certificate(MentorProfile.user_id),
        )
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.status == MentorStatus.ACTIVE)
        .options(joinedload(MentorProfile.job_family), joinedload(MentorProfile.affiliate))
    ).all()
    candidates = [
        Candidate(
            profile_id=profile.id,
            user_id=profile.user_id,
            name=name,
            job_family_id=profile.job_family_id,
            affiliate_id=profile.affiliate_id,
            local_name=profile.local_name,
            capacity=profile.capacity,
            active_pairings=active,
            available=profile.status == MentorStatus.ACTIVE,
            eligible=bool(eligible),
        )
        for profile, name, active, eligible in rows
    ]
    return MentorPool(candidates, {profile.id: profile for profile, *_rest in rows})


def seeker_of(request: MentoringRequest) -> Seeker:
    return Seeker(request.user_id, request.job_family_id, request.affiliate_id, request.local_name)


@dataclass
class QueueRow:
    request: MentoringRequest
    suggestions: list[Suggestion]
    more: int = 0  # suggestions beyond those shown


def _scoped(query: sa.Select, column: sa.ColumnElement[int], scope: set[int] | None) -> sa.Select:  # type: ignore[type-arg]
    return query if scope is None else query.where(column.in_(scope or {-1}))


def open_requests(scope: set[int] | None) -> list[MentoringRequest]:
    """Open requests in the staff member's affiliates (all for national admins), oldest
    first."""
    return list(
        db.session.scalars(
            _scoped(
                sa.select(MentoringRequest)
                .where(MentoringRequest.status == RequestStatus.OPEN)
                .options(*REQUEST_OPTIONS)
                .order_by(MentoringRequest.created_at, MentoringRequest.id),
                MentoringRequest.affiliate_id,
                scope,
            )
        )
    )


def queue_row(request: MentoringRequest, candidates: list[Candidate]) -> QueueRow:
    """One request with its best suggestions ranked in Python from the whole pool (the
    ranking of matching.py; the pages use the same ranking done in SQL, ranked_for)."""
    ranked = rank_mentors(seeker_of(request), candidates)
    return QueueRow(request, ranked[:SUGGESTIONS_SHOWN], max(len(ranked) - SUGGESTIONS_SHOWN, 0))


def _ranked(request_ids: list[int], limit: int) -> sa.Select:  # type: ignore[type-arg]
    """The `limit` best mentors of each request, as rank_mentors orders them, and how many
    may be suggested in all: the ranking done by the database (a window per request)."""
    active = _active_pairings()
    room = (
        sa.select(MentorProfile.id.label("profile_id"), active.label("active"))
        .where(MentorProfile.status == MentorStatus.ACTIVE)
        .subquery()
    )
    # Who may be suggested at all, with their load, worked out once for every request.
    candidates = (
        sa.select(
            MentorProfile.id.label("profile_id"),
            MentorProfile.user_id,
            MentorProfile.job_family_id,
            MentorProfile.affiliate_id,
            MentorProfile.local_key,
            MentorProfile.capacity,
            User.full_name.label("name"),
            sa.func.lower(User.full_name).label("name_key"),
            room.c.active,
            (
                sa.cast(room.c.active, sa.Float)
                / sa.case((MentorProfile.capacity < 1, 1), else_=MentorProfile.capacity)
            ).label("load"),
        )
        .join(room, room.c.profile_id == MentorProfile.id)
        .join(User, User.id == MentorProfile.user_id)
        .where(
            room.c.active < MentorProfile.capacity,
            holds_valid_soo_certificate(MentorProfile.user_id),
        )
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    c, r = candidates.c, MentoringRequest
    same_family = c.job_family_id == r.job_family_id
    same_local = sa.and_(
        c.affiliate_id == r.affiliate_id, r.local_key != "", c.local_key == r.local_key
    )
    same_affiliate = c.affiliate_id == r.affiliate_id
    name = c.name_key
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        name = name.collate("C")  # code point order, as Python sorts strings
    flags = [sa.case((same, 1), else_=0) for same in (same_family, same_local, same_affiliate)]
    order = (*(f.desc() for f in flags), c.load, name, c.profile_id)
    if postgresql:
        return _best_per_request(candidates, request_ids, limit, flags, order)
    # The window sorts narrow rows (ids and keys); the details join the best ones after.
    ranked = (
        sa.select(
            r.id.label("request_id"),
            c.profile_id,
            flags[0].label("same_job_family"),
            flags[1].label("same_local"),
            flags[2].label("same_affiliate"),
            sa.func.row_number()
            .over(
                partition_by=r.id,
                order_by=order,
            )
            .label("rank"),
            sa.func.count().over(partition_by=r.id).label("available"),
        )
        .select_from(sa.join(r, candidates, c.user_id != r.user_id))
        .where(r.id.in_(request_ids))
        .subquery()
    )
    return (
        sa.select(
            ranked,
            c.user_id,
            c.name,
            c.job_family_id,
            c.affiliate_id,
            c.capacity,
            c.active,
        )
        .join(candidates, c.profile_id == ranked.c.profile_id)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.request_id, ranked.c.rank)
    )


def _best_per_request(
    candidates: sa.CTE,
    request_ids: list[int],
    limit: int,
    flags: list[sa.ColumnElement[int]],
    order: tuple[sa.ColumnElement[object], ...],
) -> sa.Select:  # type: ignore[type-arg]
    """On PostgreSQL, the same ranking as a LATERAL join: each request keeps its `limit`
    best mentors by a top-N sort instead of sorting every mentor for it."""
    c, r = candidates.c, MentoringRequest
    best = (
        sa.select(
            c.profile_id,
            c.user_id,
            c.name,
            c.job_family_id,
            c.affiliate_id,
            c.capacity,
            c.active,
            flags[0].label("same_job_family"),
            flags[1].label("same_local"),
            flags[2].label("same_affiliate"),
            c.load,
            c.name_key,
        )
        .where(c.user_id != r.user_id)
        .order_by(*order)
        .limit(limit)
        .lateral("best")
    )
    available = sa.select(sa.func.count()).where(c.user_id != r.user_id).scalar_subquery()
    return (
        sa.select(r.id.label("request_id"), best, available.label("available"))
        .select_from(r)
        .join(best, sa.true())
        .where(r.id.in_(request_ids))
        .order_by(
            r.id,
            best.c.same_job_family.desc(),
            best.c.same_local.desc(),
            best.c.same_affiliate.desc(),
            best.c.load,
            best.c.name_key.collate("C"),
            best.c.profile_id,
        )
    )


@dataclass(frozen=True)
class Ranked:
    """A request's best mentors (as many as were asked for) and how many may be suggested."""

    suggestions: list[Suggestion]
    available: int


def ranked_for(request_ids: list[int], limit: int) -> dict[int, Ranked]:
    """The best `limit` mentors of each request, ranked by the database: one query, however
    many mentors there are."""
    suggestions: dict[int, list[Suggestion]] = {i: [] for i in request_ids}
    available = dict.fromkeys(request_ids, 0)
    rows = db.session.execute(_ranked(request_ids, limit)) if request_ids else []
    for row in rows:
        candidate = Candidate(
            profile_id=row.profile_id,
            user_id=row.user_id,
            name=row.name,
            job_family_id=row.job_family_id,
            affiliate_id=row.affiliate_id,
            local_name="",  # compared by the database; the page shows the profile's
            capacity=row.capacity,
            active_pairings=row.active,
        )
        suggestions[row.request_id].append(
            Suggestion(
                candidate,
                bool(row.same_job_family),
                bool(row.same_local),
                bool(row.same_affiliate),
            )
        )
        available[row.request_id] = row.available
    return {i: Ranked(suggestions[i], available[i]) for i in request_ids}


def suggested_profiles(ranked: dict[int, Ranked]) -> dict[int, MentorProfile]:
    """The profiles of the suggested mentors (job family, affiliate, note), in one query."""
    ids = {s.candidate.profile_id for r in ranked.values() for s in r.suggestions}
    if not ids:
        return {}
    profiles = db.session.scalars(
        sa.select(MentorProfile)
        .where(MentorProfile.id.in_(ids))
        .options(joinedload(MentorProfile.job_family), joinedload(MentorProfile.affiliate))
    )
    return {p.id: p for p in profiles}


QUEUE_PAGE_SIZE = 20
PAIRINGS_SHOWN = 10  # ending soonest, on the queue; the pairings page has them all


def _searched_requests(query: sa.Select, search: str) -> sa.Select:  # type: ignore[type-arg]
    """Requests whose member's name or e-mail, local, or affiliate contains `search`."""
    search = search.strip()
    if not search:
        return query
    pattern = contains(search)
    columns = (User.full_name, User.email, MentoringRequest.local_name, Affiliate.name)
    return (
        query.join(User, User.id == MentoringRequest.user_id)
        .join(Affiliate, Affiliate.id == MentoringRequest.affiliate_id)
        .where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in columns)))
    )


@dataclass
class QueuePage:
    rows: Page[QueueRow]
    pairings: Page[MentoringPairing]
    profiles: dict[int, MentorProfile] = field(default_factory=dict)


def matching_queue(
    scope: set[int] | None,
    *,
    search: str = "",
    page: int = 1,
    at: PageRequest | None = None,
) -> QueuePage:
    """One page of open requests (oldest first; those matching `search`) with their best
    suggestions ranked by the database, and the active pairings ending soonest: the same
    few queries whatever the number of requests, mentors and pairings."""
    requests = paginate(
        _searched_requests(
            _scoped(
                sa.select(MentoringRequest)
                .where(MentoringRequest.status == RequestStatus.OPEN)
                .options(*REQUEST_OPTIONS),
                MentoringRequest.affiliate_id,
                scope,
            ),
            search,
        ),
        MentoringRequest.created_at,
        MentoringRequest.id,
        page=page,
        at=at,
        size=QUEUE_PAGE_SIZE,
    )
    ranked = ranked_for([r.id for r in requests.items], SUGGESTIONS_SHOWN)
    rows = [
        QueueRow(
            r,
            ranked[r.id].suggestions,
            max(ranked[r.id].available - len(ranked[r.id].suggestions), 0),
        )
        for r in requests.items
    ]
    return QueuePage(
        replace(requests, items=rows),
        active_pairings_page(scope, size=PAIRINGS_SHOWN),
        suggested_profiles(ranked),
    )


def active_pairings_page(
    scope: set[int] | None,
    *,
    search: str = "",
    page: int = 1,
    at: PageRequest | None = None,
    size: int = 25,
) -> Page[MentoringPairing]:
    """Active pairings whose request came from the staff member's affiliates, ending
    soonest first, one page (those whose mentor's or mentee's name contains `search`)."""
    query = _scoped(
        sa.select(MentoringPairing)
        .join(MentoringPairing.request)
        .where(MentoringPairing.status == PairingStatus.ACTIVE)
        .options(*PAIRING_OPTIONS),
        MentoringRequest.affiliate_id,
        scope,
    )
    if search.strip():
        mentor, mentee = aliased(User), aliased(User)
        pattern = contains(search)
        query = (
            query.join(mentor, mentor.id == MentoringPairing.mentor_id)
            .join(mentee, mentee.id == MentoringPairing.mentee_id)
            .where(
                sa.or_(
                    sa.func.lower(mentor.full_name).like(pattern, escape="\\"),
                    sa.func.lower(mentee.full_name).like(pattern, escape="\\"),
                )
            )
        )
    order = (MentoringPairing.ends_on, MentoringPairing.id)
    return paginate(query, *order, page=page, at=at, size=size)


# ---------------------------------------------------------------------------- members


@dataclass
class MyMentoring:
    profile: MentorProfile | None
    eligible: bool
    request: MentoringRequest | None  # open, else the latest
    as_mentor: list[MentoringPairing]
    as_mentee: list[MentoringPairing]


def my_pairings(user: User) -> list[MentoringPairing]:
    return list(
        db.session.scalars(
            sa.select(MentoringPairing)
            .where(
                sa.or_(MentoringPairing.mentor_id == user.id, MentoringPairing.mentee_id == user.id)
            )
            .options(*PAIRING_OPTIONS)
            .order_by(
                sa.case((MentoringPairing.status == PairingStatus.ACTIVE, 0), else_=1),
                MentoringPairing.starts_on.desc(),
                MentoringPairing.id.desc(),
            )
        ).unique()
    )


def latest_request(user: User) -> MentoringRequest | None:
    """The member's open request, else their latest one."""
    return db.session.scalar(
        sa.select(MentoringRequest)
        .where(MentoringRequest.user_id == user.id)
        .options(*REQUEST_OPTIONS)
        .order_by(
            sa.case((MentoringRequest.status == RequestStatus.OPEN, 0), else_=1),
            MentoringRequest.created_at.desc(),
            MentoringRequest.id.desc(),
        )
        .limit(1)
    )


def my_mentoring(user: User, eligible: bool) -> MyMentoring:
    pairings = my_pairings(user)
    return MyMentoring(
        profile=db.session.scalar(
            sa.select(MentorProfile)
            .where(MentorProfile.user_id == user.id)
            .options(joinedload(MentorProfile.job_family), joinedload(MentorProfile.affiliate))
        ),
        eligible=eligible,
        request=latest_request(user),
        as_mentor=[p for p in pairings if p.mentor_id == user.id],
        as_mentee=[p for p in pairings if p.mentee_id == user.id],
    )


# ---------------------------------------------------------------------------- a pairing


def pairing_logs(pairing: MentoringPairing) -> list[MentoringLog]:
    """The pairing's activities, newest first (the two people are loaded with the pairing)."""
    return list(
        db.session.scalars(
            sa.select(MentoringLog)
            .where(MentoringLog.pairing_id == pairing.id)
            .order_by(MentoringLog.on_date.desc(), MentoringLog.id.desc())
        )
    )


def pairing_certificates(pairing: MentoringPairing) -> dict[MentoringRole, Certificate]:
    return {role: c for (_pid, role), c in mentoring_certificates([pairing.id]).items()}


def pairing_for_page(pairing_id: int) -> MentoringPairing | None:
    return db.session.get(MentoringPairing, pairing_id, options=list(PAIRING_OPTIONS))
