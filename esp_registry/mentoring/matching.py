"""Ranking mentors for a mentee's request (PRODUCT §8), over plain data: no database, no
app, so the order can be tested on a fixed data set and reused wherever suggestions show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from esp_registry.reference.local_names import local_key


def same_local(affiliate_a: int, local_a: str, affiliate_b: int, local_b: str) -> bool:
    """Locals are free text: the same name (any case or spacing) in the same affiliate.
    A blank local is nobody's local."""
    name_a, name_b = local_key(local_a), local_key(local_b)
    return affiliate_a == affiliate_b and bool(name_a) and name_a == name_b


@dataclass(frozen=True)
class Seeker:
    """The member asking for a mentor, as their request describes them."""

    user_id: int
    job_family_id: int
    affiliate_id: int
    local_name: str = ""


@dataclass(frozen=True)
class Candidate:
    """A volunteer mentor with what the ranking needs to know about them now."""

    profile_id: int
    user_id: int
    name: str
    job_family_id: int
    affiliate_id: int
    local_name: str
    capacity: int
    active_pairings: int
    # Taking mentees (not paused or withdrawn) and holding a valid Supporting Our Own
    # certificate (not suspended).
    available: bool = True
    eligible: bool = True

    @property
    def load(self) -> Fraction:
        return Fraction(self.active_pairings, max(self.capacity, 1))

    @property
    def has_room(self) -> bool:
        return self.active_pairings < self.capacity


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    same_job_family: bool
    same_local: bool
    same_affiliate: bool


def may_be_suggested(seeker: Seeker, candidate: Candidate) -> bool:
    """Never the mentee themself, a mentor at capacity, or one paused, withdrawn or
    suspended."""
    return (
        candidate.user_id != seeker.user_id
        and candidate.available
        and candidate.eligible
        and candidate.has_room
    )


def rank_mentors(
    seeker: Seeker, candidates: Iterable[Candidate], limit: int | None = None
) -> list[Suggestion]:
    """Mentors for this request, best first: same job family, then same local, then same
    affiliate, then the lightest current load (active pairings / capacity), then by name."""
    suggestions = [
        Suggestion(
            candidate=c,
            same_job_family=c.job_family_id == seeker.job_family_id,
            same_local=same_local(
                seeker.affiliate_id, seeker.local_name, c.affiliate_id, c.local_name
            ),
            same_affiliate=c.affiliate_id == seeker.affiliate_id,
        )
        for c in candidates
        if may_be_suggested(seeker, c)
    ]
    suggestions.sort(
        key=lambda s: (
            not s.same_job_family,
            not s.same_local,
            not s.same_affiliate,
            s.candidate.load,
            s.candidate.name.casefold(),
            s.candidate.profile_id,
        )
    )
    return suggestions if limit is None else suggestions[:limit]
