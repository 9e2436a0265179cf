"""Prometheus metrics of one running bot (``/metrics`` of ``bot.ops.server``).

Two kinds: what happens in the process is counted where it happens (updates received, safety cards and
their latency, Bot API errors by code: ``Metrics``' own counters, reset at each start as Prometheus
expects of counters); what the database already records is read at each scrape (tickets by severity,
dispatch -> accept times, escalations, the outbox's pending and failed rows by reason, broadcast progress:
``storage.ops_figures``), so it is right after a restart and needs no hook in the code that writes it.
Labels are severities, statuses, reasons (error class names) and codes, never a person's data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.ops_figures import OpsFigures

# seconds: the safety card should be out within a second; a crew's accept within the 2-minute target
CARD_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
ACCEPT_BUCKETS_S = (15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class _Figures(Collector):
    """The database's figures as of the last scrape (``Metrics.update``)."""

    def __init__(self) -> None:
        self.figures: OpsFigures | None = None
        self.now_s = 0.0

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        if figures is None:
            return
        tickets = GaugeMetricFamily("hotline_tickets", "Tickets in the database", labels=["severity", "status"])
        for (severity, status), count in sorted(figures.tickets.items()):
            tickets.add_metric([severity, status], count)
        yield tickets
        yield _histogram(
            "hotline_dispatch_accept_seconds",
            "From a ticket's first dispatch to a crew's accept",
            figures.dispatch_to_accept_s,
            ACCEPT_BUCKETS_S,
        )
        escalations = CounterMetricFamily("hotline_escalations", "Escalation steps taken (all time)")
        escalations.add_metric([], figures.escalations)
        yield escalations
        outbox = GaugeMetricFamily(
            "hotline_outbox_notifications", "Notifications pending or failed, by reason", labels=["status", "reason"]
        )
        for (status, reason), count in sorted(figures.outbox.items()):
            outbox.add_metric([status, reason], count)
        yield outbox
        oldest = GaugeMetricFamily(
            "hotline_outbox_oldest_pending_age_seconds", "Age of the oldest notification not yet delivered (0: none)"
        )
        age = 0.0 if figures.oldest_pending_at is None else max(0.0, self.now_s - figures.oldest_pending_at.timestamp())
        oldest.add_metric([], age)
        yield oldest
        broadcasts = GaugeMetricFamily(
            "hotline_broadcast_recipients",
            "Recipients of broadcasts under way, by delivery state",
            labels=["broadcast", "state"],
        )
        for (bid, state), count in sorted(figures.broadcasts.items()):
            broadcasts.add_metric([str(bid), state], count)
        yield broadcasts


def _histogram(name: str, documentation: str, values: Iterable[float], bounds: tuple[float, ...]) -> Metric:
    data = sorted(values)
    buckets: list[tuple[str, float]] = []
    for bound in bounds:
        buckets.append((repr(bound), float(sum(1 for v in data if v <= bound))))
    buckets.append(("+Inf", float(len(data))))
    family = HistogramMetricFamily(name, documentation)
    family.add_metric([], buckets, sum_value=sum(data))
    return family


class Metrics:
    """One bot's metrics, in a registry of its own (several bots in one test process do not mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter("hotline_updates_received", "Updates received from Telegram", registry=self.registry)
        self.cards = Counter("hotline_safety_cards_sent", "Safety cards delivered", registry=self.registry)
        self.card_latency = Histogram(
            "hotline_safety_card_latency_seconds",
            "From an update's arrival to its safety card's delivery",
            buckets=CARD_BUCKETS_S,
            registry=self.registry,
        )
        self.api_errors = Counter(
            "hotline_bot_api_errors", "Failed Bot API calls, by HTTP code or kind", ["code"], registry=self.registry
        )
        self.api_age = Gauge(
            "hotline_bot_api_last_success_age_seconds",
            "Seconds since the Bot API last answered (-1: not yet)",
            registry=self.registry,
        )
        self.ready = Gauge("hotline_ready", "1 when /readyz answers 200", registry=self.registry)
        self._figures = _Figures()
        self.registry.register(self._figures)

    def update(self, figures: OpsFigures, now_s: float) -> None:
        self._figures.figures, self._figures.now_s = figures, now_s

    def card_sent(self, started_monotonic: float) -> None:
        self.cards.inc()
        self.card_latency.observe(max(0.0, time.monotonic() - started_monotonic))

    def render(self) -> bytes:
        return generate_latest(self.registry)
