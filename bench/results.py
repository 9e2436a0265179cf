"""One row of the table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    scenario: str
    peer: str = ""
    peer_figure: str = ""
    ours: str = ""
    ratio: str = ""
    note: str = ""


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}x" if peer > 0 else "-"
