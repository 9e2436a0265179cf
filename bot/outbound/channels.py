"""Where channels plug in: one sender and one lane per channel, keyed by the channel's name.

A channel adapter (``handlers/`` for Telegram) gives the runtime a ``Channel``: its name (the ``channel``
of people, tickets and outbox rows), its ``Sender``, how fast one chat may be sent to (``Pacing``: what
is a group and how groups and private chats are paced is the channel's knowledge, not the core's) and how
many sends it takes at once. ``Lanes`` holds one ``Lane`` per channel: the outbox sends each row through
the lane of the row's channel, an adapter sends its replies through its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.config.settings import OutboundConfig
from bot.outbound.delivery import ChannelRefused, Pacing, Sender
from bot.outbound.lane import Lane
from common.events import Outbound


@dataclass(frozen=True)
class Channel:
    """What a channel adapter plugs into the runtime."""

    name: str
    sender: Sender
    pacing: Pacing
    concurrency: int = 64  # sends at once: one per connection of the adapter's transport
    paid_broadcast: bool = False  # can be paid to send beyond its free rate (Telegram's allow_paid_broadcast)


class UnknownChannel(KeyError):
    """No channel of that name runs in this process."""


class Lanes(Mapping[str, Lane]):
    """One lane per channel, started, refused and stopped together."""

    def __init__(self, lanes: Mapping[str, Lane]) -> None:
        if not lanes:
            raise ValueError("at least one channel is needed")
        self._lanes = dict(lanes)

    @classmethod
    def of(cls, channels: Sequence[Channel], config: OutboundConfig) -> Lanes:
        names = [channel.name for channel in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"a channel is given twice: {names}")
        return cls(
            {
                channel.name: Lane(
                    channel.sender,
                    config if channel.paid_broadcast else config.model_copy(update={"paid_safety_cards": False}),
                    pacing=channel.pacing,
                    concurrency=channel.concurrency,
                )
                for channel in channels
            }
        )

    def __getitem__(self, name: str) -> Lane:
        try:
            return self._lanes[name]
        except KeyError:
            raise UnknownChannel(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._lanes)

    def __len__(self) -> int:
        return len(self._lanes)

    def submit(self, channel: str, message: Outbound, *, retry_transient: bool = True) -> asyncio.Future[str | None]:
        """Queue ``message`` on ``channel``'s lane (``UnknownChannel`` if none runs here)."""
        return self[channel].submit(message, retry_transient=retry_transient)

    def waiting(self, channel: str, chat: str) -> bool:
        """``chat`` on ``channel`` has messages queued or being sent."""
        lane = self._lanes.get(channel)
        return lane is not None and lane.waiting(chat)

    def withdraw(self, future: asyncio.Future[str | None]) -> bool:
        return any(lane.withdraw(future) for lane in self._lanes.values())

    async def start(self) -> None:
        for lane in self._lanes.values():
            await lane.start()

    async def stop(self, *, drain_s: float = 5.0) -> None:
        await asyncio.gather(*(lane.stop(drain_s=drain_s) for lane in self._lanes.values()))

    @property
    def running(self) -> bool:
        return all(lane.running for lane in self._lanes.values())

    def refuse(self, exc: ChannelRefused) -> None:
        """Credentials refused: nothing more leaves on any channel (the process stops, see ``bot.runtime``)."""
        for lane in self._lanes.values():
            lane.refuse(exc)
