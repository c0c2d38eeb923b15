"""Who acts on a case, and which cases a user may know of: one place for both, used by the services
(cases/services.py) and the reads (cases/selectors.py).

Visibility: centre staff see the cases of their centre's region and below (`region.path` starts
with the centre's region path), and the cases held by or dispatched to their centre's level or
centre; supervisors, admins and managers see every case (managers read only); a counselor sees
the cases opened from their own conversations, read only; a youth only their own, coarsely
(selectors.my_cases).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from cases import states
from cases.models import Case, CentreMembership
from cases.states import Actor
from protocol import errors


@dataclass(frozen=True, slots=True)
class Who:
    user_id: int | None  # None: the system (the sweep, the openings from a signal)
    role: str
    centre_id: int | None = None
    centre_region_code: str | None = None
    centre_region_path: str | None = None
    centre_name: str = ""


SYSTEM = Who(user_id=None, role="system")
READERS_OF_ALL = (Role.SUPERVISOR, Role.ADMIN, Role.MANAGER)


def who_is(user_id: int) -> Who:
    """The acting user with their centre (staff of an inactive centre, or of none, act as nobody's)."""
    user = User.objects.filter(pk=user_id, is_active=True).only("id", "role").first()
    if user is None:
        raise errors.forbidden("no such user")
    if user.role != Role.CENTRE:
        return Who(user_id=user.pk, role=user.role)
    membership = (
        CentreMembership.objects.select_related("centre__region").filter(user_id=user.pk, centre__active=True).first()
    )
    if membership is None:
        return Who(user_id=user.pk, role=user.role)
    region = membership.centre.region
    return Who(
        user_id=user.pk,
        role=user.role,
        centre_id=membership.centre_id,
        centre_region_code=region.code,
        centre_region_path=region.path,
        centre_name=membership.centre.name,
    )


def actors_of(who: Who, case: Case) -> frozenset[Actor]:
    if who.role == "system":
        return frozenset({Actor.SYSTEM})
    return states.actors_for(
        role=who.role,
        centre_id=who.centre_id,
        centre_region_code=who.centre_region_code,
        holder_region_code=case.holder_region_id,
        case_centre_id=case.centre_id,
    )


def visible_cases(who: Who) -> QuerySet[Case]:
    """The cases this user may see (youths: none here; their own are read by my_cases)."""
    cases = Case.objects.all()
    if who.role in READERS_OF_ALL:
        return cases
    if who.role == Role.CENTRE:
        if who.centre_id is None or who.centre_region_path is None:
            return cases.none()
        return cases.filter(
            Q(region__path__startswith=who.centre_region_path)
            | Q(centre_id=who.centre_id)
            | Q(holder_region_id=who.centre_region_code)
        )
    if who.role == Role.COUNSELOR:
        return cases.filter(
            Q(conversation__counselor_id=who.user_id) | Q(conversation__wrapup__counselor_id=who.user_id)
        ).distinct()
    return cases.none()


def visible_to(who: Who, case: Case) -> bool:
    return visible_cases(who).filter(pk=case.pk).exists()


def works_it(who: Who, case: Case) -> bool:
    """The centre working the case (accepted it and has it now): the only one shown the contact."""
    return (
        who.role == Role.CENTRE
        and who.centre_id is not None
        and case.centre_id == who.centre_id
        and case.status in (Case.Status.IN_PROGRESS, Case.Status.RESOLVED)
    )
