"""The job helpers every app's tasks.py uses, in-process (Huey's memory storage, see conftest)."""

from __future__ import annotations

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

import jobs
from crisis.tasks import check_overdue_alert


@pytest.fixture
def clean_store(_jobs_stay_in_process):
    HUEY.storage.flush_all()
    yield HUEY
    HUEY.storage.flush_all()


def test_a_periodic_sweep_runs_once_per_period_however_many_workers_enqueue_it(clean_store, monkeypatch):
    runs: list[int] = []

    def run_once() -> int:
        runs.append(1)
        return len(runs)

    sweep = jobs.once_per_period("test.sweep", period_s=60)(run_once)
    monkeypatch.setattr("jobs.time.time", lambda: 600 * 60 + 5.0)
    assert [sweep(), sweep(), sweep()] == [1, None, None]
    monkeypatch.setattr("jobs.time.time", lambda: 601 * 60 + 59.0)
    assert [sweep(), sweep()] == [2, None]
    # Claims of two periods back are deleted as new ones are made: the store does not grow.
    monkeypatch.setattr("jobs.time.time", lambda: 602 * 60 + 1.0)
    assert sweep() == 3
    assert not HUEY.storage.has_data_for_key("sweep.test.sweep.600")
    assert HUEY.storage.has_data_for_key("sweep.test.sweep.602")


@pytest.mark.django_db(transaction=True)
def test_a_timer_is_scheduled_when_its_transaction_commits_and_never_when_it_rolls_back(clean_store):
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        jobs.schedule_after_commit(check_overdue_alert, 41, delay_s=30)
        raise RolledBack
    assert HUEY.scheduled() == []
    with transaction.atomic():
        jobs.schedule_after_commit(check_overdue_alert, 42, delay_s=30)
        assert HUEY.scheduled() == []  # not before the commit
    [task] = HUEY.scheduled()
    assert (task.name, task.args) == ("check_overdue_alert", (42,))


@pytest.mark.django_db(transaction=True)
def test_a_job_store_that_cannot_be_reached_is_logged_and_does_not_raise(clean_store, monkeypatch, caplog):
    def unreachable(**_):
        raise ConnectionError("job store down")

    monkeypatch.setattr(check_overdue_alert, "schedule", unreachable)
    jobs.schedule_after_commit(check_overdue_alert, 43, delay_s=30)  # outside a transaction: at once
    assert "the periodic sweep will catch it" in caplog.text
