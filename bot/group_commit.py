"""Group commit for the ingest webhook: concurrent requests share one transaction.

A burst arrives as many small requests at once (one mention each). Committing each on its own
costs a transaction and a handful of statements per mention, and on SQLite the transactions queue
behind the single writer anyway. Instead, requests that arrive while a commit is running wait, and
the next commit takes all of them in one transaction. Nothing waits on a timer: a lone request is
committed at once, and a group forms only from requests that would have queued anyway.

Each request is answered only after the transaction holding its rows has committed, with its own
stored/duplicates/ignored lists (a message sent twice in one group is stored for the first request
and a duplicate for the second, exactly as if they had been committed one after the other).
Validation happens before a request joins a group; if a group still fails (a bug, a row the
database refuses), each of its requests is committed alone, so only the culprit fails.

All bookkeeping runs on the event loop's thread (no locks); the database work runs in the
threadpool, one group at a time per process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from bot.connectors.base import InboundMessage
from bot.domain.ingest import IngestResult

log = logging.getLogger("veille.ingest")
MAX_GROUP_MESSAGES = 5_000  # one transaction stays short enough not to starve other writers


@dataclass
class _Waiting:
    messages: list[InboundMessage]
    answer: asyncio.Future


class GroupCommitter:
    def __init__(self, commit: Callable[[list[InboundMessage]], IngestResult],
                 max_messages: int = MAX_GROUP_MESSAGES):
        """`commit` stores messages in one transaction (bot/domain/ingest.py ingest, with the
        injected clock's now) and reports an outcome per input position."""
        self._commit, self._max = commit, max_messages
        self._waiting: list[_Waiting] = []
        self._running: asyncio.Task | None = None
        self.groups = 0  # transactions committed: how well requests were grouped
        self.requests = 0

    async def submit(self, messages: list[InboundMessage]) -> IngestResult:
        """Store `messages` (already validated); returns once they are committed."""
        loop = asyncio.get_running_loop()
        w = _Waiting(messages, loop.create_future())
        self._waiting.append(w)
        if self._running is None:
            self._running = loop.create_task(self._drain())
        return await w.answer

    async def _drain(self) -> None:
        try:
            while self._waiting:
                group = self._take()
                answers = await run_in_threadpool(self._commit_group, [w.messages for w in group])
                self.groups += 1
                self.requests += len(group)
                for w, answer in zip(group, answers, strict=True):
                    if w.answer.done():  # the client went away; its rows are stored all the same
                        continue
                    if isinstance(answer, BaseException):
                        w.answer.set_exception(answer)
                    else:
                        w.answer.set_result(answer)
        finally:
            self._running = None

    def _take(self) -> list[_Waiting]:
        group, n = [], 0
        while self._waiting and (not group or n + len(self._waiting[0].messages) <= self._max):
            w = self._waiting.pop(0)
            group.append(w)
            n += len(w.messages)
        return group

    def _commit_group(self, requests: list[list[InboundMessage]]) -> list[IngestResult | Exception]:
        """One transaction for every request; if it fails, one transaction each (in the threadpool)."""
        try:
            result = self._commit([m for msgs in requests for m in msgs])
        except Exception as e:
            if len(requests) == 1:
                return [e]
            log.warning("a group of %d ingest requests failed (%s): committing each alone", len(requests), e)
            return [answer for msgs in requests for answer in self._commit_group([msgs])]
        return split(result, [len(msgs) for msgs in requests], requests)


def split(result: IngestResult, sizes: list[int], requests: list[list[InboundMessage]]) -> list[IngestResult]:
    """The group's outcomes, handed back to the request each message came from (in the order the
    group processed them, the order a lone request would list them in)."""
    starts, at = [], 0
    for n in sizes:
        starts.append(at)
        at += n
    owner = [r for r, n in enumerate(sizes) for _ in range(n)]
    parts = [IngestResult() for _ in sizes]
    for index, outcome in result.outcomes.items():
        r = owner[index]
        local = index - starts[r]
        parts[r].add(local, requests[r][local], outcome)
    return parts  # `conversations` stays empty: the group's set is not split per request
