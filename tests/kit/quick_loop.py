"""An event loop whose clock runs ``speed`` times faster than the wall clock: every timer (``asyncio.sleep``, a
timeout, a pause of the outbound lane after a 429's Retry-After) fires after 1/speed of its delay, while the
sockets (a sandbox on 127.0.0.1), threads (aiosqlite) and everything else run as they do. Unlike
``tests.kit.virtual_time``, whose clock jumps whenever nothing is ready, it suits tests with real I/O: time
still passes while they wait on a socket, only faster. Pair it with ``tests.kit.quick_clock.QuickClock`` at the
same speed where the code also reads the wall clock (the outbox worker compares it with each row's due time).
Timeouts not under test (an HTTP client's read timeout, a bound on a wait) shrink too: give them ``speed`` times
their margin, so a starved process does not run one out. Not for a test that races the loop's clock against a
thread or another process (a lane's pace against the database's thread): the loop's side wins ``speed`` times
more often."""

from __future__ import annotations

import asyncio
import functools
import selectors
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class _QuickSelector(selectors.DefaultSelector):
    def __init__(self, speed: float) -> None:
        super().__init__()
        self.speed = speed

    def select(self, timeout: float | None = None) -> list[Any]:
        return super().select(None if timeout is None else timeout / self.speed)


class QuickLoop(asyncio.SelectorEventLoop):
    """``time()`` moves ``speed`` seconds per real second; the selector waits 1/speed of what the loop asks."""

    def __init__(self, speed: float) -> None:
        super().__init__(_QuickSelector(speed))
        self.speed = speed
        self._since = time.monotonic()

    def time(self) -> float:
        return self._since + (time.monotonic() - self._since) * self.speed


Test = Callable[..., Coroutine[Any, Any, None]]


def quick(speed: float, limit_s: float = 60.0) -> Callable[[Test], Callable[..., None]]:
    """Run an async test on a ``QuickLoop`` of ``speed`` (a plain test function for pytest, same fixtures), for
    at most ``limit_s`` real seconds."""

    def wrap(test: Test) -> Callable[..., None]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> None:
            with asyncio.Runner(loop_factory=functools.partial(QuickLoop, speed)) as runner:
                runner.run(asyncio.wait_for(test(*args, **kwargs), limit_s * speed))

        return run

    return wrap


def quick_with(
    speed: float, opened: Callable[[], AbstractAsyncContextManager[T]]
) -> Callable[[Callable[[T], Awaitable[None]]], Callable[[], None]]:
    """``test(thing)`` as a pytest test without fixtures on a ``QuickLoop`` of ``speed``, given what ``opened()``
    yields there (the async fixture it would have had, which cannot cross to another loop)."""

    def wrap(test: Callable[[T], Awaitable[None]]) -> Callable[[], None]:
        async def run() -> None:
            async with opened() as thing:
                await test(thing)

        return quick(speed)(as_test(run, test))

    return wrap


def as_test(run: F, test: Callable[..., object]) -> F:
    """``run`` named and documented as ``test``, so pytest reports it as that test, but with its own signature:
    pytest gives it the fixtures ``run`` asks for (``functools.wraps`` would have pytest read ``test``'s)."""
    run.__name__, run.__qualname__, run.__doc__ = test.__name__, test.__qualname__, test.__doc__
    return run
