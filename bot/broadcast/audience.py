"""A broadcast before and after sending: who is in its audience, adding one (a row), quiet hours and the
rate it goes at, and its progress for ``/broadcasts`` and ``hotline broadcast status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.broadcast.calendar import QuietHours, apply_quiet_hours
from bot.config.broadcast import district_of
from bot.config.settings import Settings
from common.errors import HotlineError
from common.events import Priority
from storage.broadcasts import Broadcast, BroadcastKind, BroadcastsRepo, Candidate
from storage.db import Conn, Database


class BadAudience(HotlineError):
    """An audience that is not ``subscribers``, ``crews`` or ``district:NAME`` of a configured district."""


def check_audience(settings: Settings, audience: str) -> str:
    if audience in ("subscribers", "crews"):
        return audience
    name = audience.removeprefix("district:")
    if audience.startswith("district:") and any(d.name == name for d in settings.districts):
        return audience
    known = ", ".join(f"district:{d.name}" for d in settings.districts)
    raise BadAudience(f"unknown audience {audience!r}; use subscribers, crews{', ' + known if known else ''}")


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(start=settings.broadcast.quiet_start, end=settings.broadcast.quiet_end)


def in_audience(settings: Settings, audience: str, c: Candidate) -> bool:
    if not audience.startswith("district:"):
        return True
    name = audience.removeprefix("district:")
    return (c.district or district_of(settings.districts, c.latitude, c.longitude)) == name


async def audience_size(conn: Conn, settings: Settings, audience: str) -> dict[str, int]:
    """Recipients of ``audience`` now on every channel, by language, read on ``conn`` (the caller holds the
    database lock)."""
    check_audience(settings, audience)
    sizes: dict[str, int] = {}
    after = 0
    while True:
        batch = await BroadcastsRepo(conn).candidates(audience, after, 5000)
        for c in batch:
            if in_audience(settings, audience, c):
                sizes[c.lang] = sizes.get(c.lang, 0) + 1
        if len(batch) < 5000:
            return sizes
        after = batch[-1].id


@dataclass(frozen=True)
class Progress:
    """What ``/broadcasts`` and ``hotline broadcast status`` show."""

    broadcast: Broadcast
    audience: int
    sent: int
    blocked: int
    failed: int
    uncertain: int
    pending: int
    expected_finish: datetime | None  # None once finished or cancelled

    @property
    def done(self) -> bool:
        return self.broadcast.status in ("done", "cancelled")


async def add_broadcast(
    repo: BroadcastsRepo,
    settings: Settings,
    *,
    kind: BroadcastKind,
    audience: str,
    texts: dict[str, str],
    now: datetime,
    draft: bool = False,
    urgent: bool | None = None,
    photo: str | None = None,
    created_by: int | None = None,
    campaign_id: str | None = None,
    channel: str,
) -> int:
    """Add a broadcast inside the caller's transaction (the service lists recipients and sends it)."""
    check_audience(settings, audience)
    return await repo.create(
        kind=kind,
        audience=audience,
        texts=texts,
        priority=int(Priority.NOTICE if kind == "notice" else Priority.BROADCAST),
        urgent=kind == "notice" if urgent is None else urgent,
        now=now,
        status="draft" if draft else "queued",
        channel=channel,
        photo=photo,
        created_by=created_by,
        campaign_id=campaign_id,
    )


async def progress(db: Database, settings: Settings, broadcast_id: int, now: datetime) -> Progress:
    return await db.read(lambda conn: progress_on(conn, settings, broadcast_id, now))


async def progress_on(conn: Conn, settings: Settings, broadcast_id: int, now: datetime) -> Progress:
    """Sent / blocked / failed / pending and the expected finish (``LookupError`` if there is no such id): the
    broadcast's running counts, one row read whatever the audience's size (recipients listed so far while it
    is queued)."""
    broadcast = await BroadcastsRepo(conn).get(broadcast_id)
    if broadcast is None:
        raise LookupError(f"no broadcast {broadcast_id}")
    audience = broadcast.audience_size
    pending = audience - broadcast.sent - broadcast.blocked - broadcast.failed - broadcast.uncertain
    finish: datetime | None = None
    if broadcast.status in ("queued", "sending"):
        start = now if broadcast.urgent else apply_quiet_hours(now, settings.utility.tz, quiet_hours(settings), False)
        finish = start + timedelta(seconds=pending / effective_rate(settings))
    return Progress(
        broadcast=broadcast,
        audience=audience,
        sent=broadcast.sent,
        blocked=broadcast.blocked,
        failed=broadcast.failed,
        uncertain=broadcast.uncertain,
        pending=pending,
        expected_finish=finish,
    )


def effective_rate(settings: Settings) -> float:
    """Broadcast messages per second: the configured rate, within the lane's overall limit."""
    return min(settings.broadcast.rate_per_s, settings.outbound.global_rate_per_s)
