"""Two members of staff at once (issue 11): real transactions on PostgreSQL, one thread each. The
case's row lock makes the second wait for the first and then find the new status: one accept, one
close, the other refused `invalid_transition`, one event each."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Case, CaseEvent, CentreMembership
from cases.states import InvalidTransition
from tests.domain.cases_fixtures import *  # noqa: F403 - the shared fixtures of the case tests
from tests.domain.cases_fixtures import _user


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as problem:  # noqa: BLE001 - kept for the assertions, which show it
            results.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def one_won(results: list[object]) -> None:
    moved = [r for r in results if isinstance(r, services.Moved)]
    lost = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(moved) == 1 and len(lost) == 1, results
    assert lost[0].http_status == 409


@pytest.mark.django_db(transaction=True)
def test_two_staff_accept_and_close_at_once_one_wins_each_time(world, case_at):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes write transactions anyway")
    colleague = _user("case-gz-2", "centre", "广州社工二")
    CentreMembership.objects.create(user=colleague, centre=world.guangzhou)
    case = case_at(Case.Status.DISPATCHED, consent=True)
    staff = (world.guangzhou_staff.pk, colleague.pk)

    one_won(at_once([partial(services.do_accept, user_id=u, case_id=case.pk) for u in staff]))
    assert CaseEvent.objects.filter(case=case, kind="accept").count() == 1

    services.do_resolve(user_id=staff[0], case_id=case.pk, outcome="settled", note="")
    services.do_callback(user_id=staff[0], case_id=case.pk, result="satisfied")
    one_won(at_once([partial(services.do_close, user_id=u, case_id=case.pk) for u in staff]))
    assert CaseEvent.objects.filter(case=case, kind="close").count() == 1
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
