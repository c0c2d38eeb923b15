"""Fixtures shared by the case tests (imported by tests/domain/test_cases*.py): Guangdong's regions,
centres at the province, Guangzhou, Tianhe and Shenzhen with a member of staff each, the other
roles, and cases opened and moved to any status through the services.

Transactional tests elsewhere flush the database, seeded rows included: the regions, deadline
rules and kinds of matters are loaded again here when missing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role, User
from cases import services
from cases.models import Case, CentreMembership, DeadlineRule, MatterKind, Region, ServiceCentre
from cases.regions import GUANGDONG, load_regions, read_region_file
from cases.seeds import MATTER_KINDS, deadline_rows
from chat.models import Conversation

__all__ = ["case_at", "open_case", "regions", "seeded", "world"]


def ensure_reference_data() -> None:
    if not Region.objects.filter(code="445381").exists():
        load_regions(Region, read_region_file(GUANGDONG))
    for row in deadline_rows():
        DeadlineRule.objects.get_or_create(
            category=row["category"],
            priority=row["priority"],
            defaults={k: row[k] for k in ("accept_within_hours", "resolve_within_hours")},
        )
    for position, (code, name, name_en, hands_to) in enumerate(MATTER_KINDS):
        MatterKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "hands_to": hands_to, "position": position}
        )


@pytest.fixture
def regions():
    ensure_reference_data()


@pytest.fixture
def seeded(regions):
    return None


def _user(username: str, role: str, name: str) -> User:
    return User.objects.create(username=username, role=role, display_name=name)


def _centre(name: str, region: str, staff: str) -> tuple[ServiceCentre, User]:
    centre = ServiceCentre.objects.create(name=name, region_id=region)
    member = _user(staff, Role.CENTRE, name + "社工")
    CentreMembership.objects.create(user=member, centre=centre)
    return centre, member


@pytest.fixture
def world(seeded):
    province, province_staff = _centre("广东省12355服务台", "440000", "case-gd")
    guangzhou, guangzhou_staff = _centre("广州市青少年服务中心", "440100", "case-gz")
    tianhe, tianhe_staff = _centre("天河区青少年服务站", "440106", "case-th")
    shenzhen, shenzhen_staff = _centre("深圳市青少年服务中心", "440300", "case-sz")
    return SimpleNamespace(
        province=province,
        province_staff=province_staff,
        guangzhou=guangzhou,
        guangzhou_staff=guangzhou_staff,
        tianhe=tianhe,
        tianhe_staff=tianhe_staff,
        shenzhen=shenzhen,
        shenzhen_staff=shenzhen_staff,
        supervisor=_user("case-supervisor", Role.SUPERVISOR, "督导甲"),
        admin=_user("case-admin", Role.ADMIN, "管理员甲"),
        manager=_user("case-manager", Role.MANAGER, "管理者甲"),
        counselor=_user("case-counselor", Role.COUNSELOR, "咨询师甲"),
        youth=_user("case-youth", Role.YOUTH, ""),
    )


def make_conversation(*, youth: User, counselor: User | None, region: str = "440106") -> Conversation:
    now = timezone.now()
    return Conversation.objects.create(
        youth=youth,
        counselor=counselor,
        topic="psych",
        status=Conversation.Status.ENDED,
        region=region,
        requested_at=now,
        queued_at=now,
        assigned_at=now if counselor else None,
        first_assigned_at=now if counselor else None,
        ended_at=now,
    )


@pytest.fixture
def open_case(world):
    def make(
        *,
        region: str = "440106",
        priority: int = 1,
        category: str = "bullying",
        consent: bool = False,
        conversation: bool = False,
        counselor: User | None = None,
        conversation_id: int | None = None,
    ) -> Case:
        if conversation and conversation_id is None:
            conversation_id = make_conversation(youth=world.youth, counselor=counselor or world.counselor).pk
        moved = services.do_open_by_hand(
            user_id=world.supervisor.pk,
            category=category,
            priority=priority,
            region_code=region,
            summary="在校多次被同学推搡，需学校和家长介入",
            consent_to_contact=consent,
            contact_method="phone" if consent else "none",
            contact="13800138000" if consent else "",
            conversation_id=conversation_id,
        )
        return Case.objects.get(pk=moved.case)

    return make


@pytest.fixture
def case_at(world, open_case):
    """A Tianhe case at `status`, worked by Guangzhou (the province dispatched it there)."""

    def make(status: str, *, consent: bool = False, conversation: bool = False) -> Case:
        case = open_case(region="440106", consent=consent, conversation=conversation)
        steps = [
            lambda: services.do_dispatch(
                user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk
            ),
            lambda: services.do_accept(user_id=world.guangzhou_staff.pk, case_id=case.pk),
            lambda: services.do_resolve(
                user_id=world.guangzhou_staff.pk, case_id=case.pk, outcome="settled", note="已调解"
            ),
            lambda: (
                services.do_close(user_id=world.guangzhou_staff.pk, case_id=case.pk, reason="未同意回访")
                if not consent
                else (
                    services.do_callback(user_id=world.guangzhou_staff.pk, case_id=case.pk, result="satisfied"),
                    services.do_close(user_id=world.guangzhou_staff.pk, case_id=case.pk),
                )
            ),
        ]
        order: list[str] = [
            Case.Status.OPEN,
            Case.Status.DISPATCHED,
            Case.Status.IN_PROGRESS,
            Case.Status.RESOLVED,
            Case.Status.CLOSED,
        ]
        for step in steps[: order.index(status)]:
            step()
        case.refresh_from_db()
        assert case.status == status
        return case

    return make
