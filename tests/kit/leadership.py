"""A Leadership whose tries for the lock the test can follow (tests/storage/test_leader.py,
tests/bot/ops/test_leadership.py): waiting for what a standby did instead of sleeping a while."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from storage.postgres.leader import Leadership


class Watched(Leadership):
    """Each try for the lock appends its outcome to ``tries`` (shared by the instances given the same list), then
    calls ``on_try`` with it."""

    def __init__(
        self,
        url: str,
        instance: str | None = None,
        *,
        tries: list[bool],
        on_try: Callable[[list[bool]], object] = list,
        **timing: float,
    ) -> None:
        super().__init__(url, instance, **timing)
        self.tries, self.on_try = tries, on_try

    async def try_acquire(self) -> bool:
        got = await super().try_acquire()
        self.tries.append(got)
        self.on_try(self.tries)
        return got


def when_refused(times: int, event: asyncio.Event) -> Callable[[list[bool]], None]:
    """An ``on_try`` that sets ``event`` once ``times`` tries have been refused."""

    def on_try(tries: list[bool]) -> None:
        if tries.count(False) >= times:
            event.set()

    return on_try
