"""A socket's routed frames, run off the consumer's dispatch in the order they must keep.

The consumer takes relay events (what others send to this socket) in its dispatch; if it also
awaited its own frames' database work there, deliveries would wait behind its stores (a
counselor with five chats, replying to each, heard its youths seconds late under load). So each
routed frame becomes a task of the socket's inbox, which orders the tasks by what they must
follow, not by one queue:

- frames with the same lane key (message.send of one conversation) run one after another, in
  arrival order: a conversation's messages keep their order;
- frames with different lane keys run side by side (a counselor's replies to two chats);
- a frame without a lane (consult.request, conversation.end, ...) waits for everything that
  came before it, and everything after it waits for it: "my last message, then end the chat"
  stays in that order.

At most `limit` frames are held; the consumer answers `busy` when `full()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable


class Inbox:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending: set[asyncio.Task[None]] = set()
        self._lane_tails: dict[Hashable, asyncio.Task[None]] = {}  # the last frame of each lane key
        self._barrier: asyncio.Task[None] | None = None  # the last frame without a lane

    def full(self) -> bool:
        return len(self.pending) >= self.limit

    def submit(self, key: Hashable | None, run: Callable[[], Awaitable[None]]) -> None:
        """Run `run()` once what it must follow has finished (however it finished)."""
        if key is None:
            before = [*self._lane_tails.values(), *([self._barrier] if self._barrier else [])]
        else:
            before = [task for task in (self._lane_tails.get(key), self._barrier) if task is not None]
        task = asyncio.get_running_loop().create_task(self._after(before, run))
        self.pending.add(task)
        if key is None:
            # Every lane's frames so far are before this one; later ones wait for it.
            self._lane_tails.clear()
            self._barrier = task
        else:
            self._lane_tails[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))

    @staticmethod
    async def _after(before: list[asyncio.Task[None]], run: Callable[[], Awaitable[None]]) -> None:
        waiting = [task for task in before if not task.done()]
        if waiting:
            await asyncio.wait(waiting)  # never raises: a predecessor's failure was its own
        await run()

    def _forget(self, key: Hashable | None, task: asyncio.Task[None]) -> None:
        self.pending.discard(task)
        if key is None:
            if self._barrier is task:
                self._barrier = None
        elif self._lane_tails.get(key) is task:
            del self._lane_tails[key]

    def close(self) -> None:
        """The socket is gone: what has not run is dropped (clients resend from their outbox;
        message.send is idempotent by client_id). A store already in a database thread
        completes there."""
        for task in list(self.pending):
            task.cancel()
