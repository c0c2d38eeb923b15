"""gateway.inbox.Inbox in process: which frames wait for which (the live path is
tests/integration/test_socket_inbox.py)."""

from __future__ import annotations

import asyncio

from gateway.inbox import Inbox


def _recorder(inbox: Inbox, log: list[str], gates: dict[str, asyncio.Event]):
    def submit(name: str, key: object | None) -> None:
        gates[name] = asyncio.Event()

        async def run() -> None:
            log.append(f"start {name}")
            await gates[name].wait()
            log.append(f"end {name}")

        inbox.submit(key, run)

    return submit


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_one_lane_in_order_other_lanes_beside_it_and_a_laneless_frame_after_all():
    async def scenario() -> list[str]:
        inbox, log, gates = Inbox(limit=10), list[str](), dict[str, asyncio.Event]()
        submit = _recorder(inbox, log, gates)
        submit("a1", "A")
        submit("a2", "A")
        submit("b1", "B")
        submit("end", None)  # e.g. conversation.end: after everything before it
        submit("a3", "A")  # after the laneless frame
        await _settle()
        assert log == ["start a1", "start b1"], log  # a2 waits for a1; b1 runs beside it
        gates["b1"].set()
        await _settle()
        assert "start a2" not in log and "start end" not in log
        gates["a1"].set()
        await _settle()
        assert log[-1] == "start a2" and "start end" not in log
        gates["a2"].set()
        await _settle()
        assert log[-1] == "start end" and "start a3" not in log
        gates["end"].set()
        await _settle()
        assert log[-1] == "start a3"
        gates["a3"].set()
        await _settle()
        assert not inbox.pending
        return log

    log = asyncio.run(scenario())
    assert log.index("end a2") < log.index("start end") < log.index("end end") < log.index("start a3")


def test_full_counts_what_is_held_and_close_drops_what_has_not_run():
    async def scenario() -> None:
        inbox, log, gates = Inbox(limit=3), list[str](), dict[str, asyncio.Event]()
        submit = _recorder(inbox, log, gates)
        for n in range(3):
            submit(f"a{n}", "A")
        assert inbox.full()
        await _settle()
        inbox.close()
        await _settle()
        assert log == ["start a0"]  # a0 was cancelled while running; a1, a2 never ran
        assert not inbox.pending and not inbox.full()

    asyncio.run(scenario())


def test_a_failed_frame_does_not_stop_those_after_it():
    async def scenario() -> list[str]:
        inbox, log = Inbox(limit=5), list[str]()

        async def fails() -> None:
            log.append("fails")
            raise RuntimeError("a bug in one frame")

        async def after() -> None:
            log.append("after")

        inbox.submit("A", fails)
        inbox.submit("A", after)
        await _settle()
        return log

    assert asyncio.run(scenario()) == ["fails", "after"]
