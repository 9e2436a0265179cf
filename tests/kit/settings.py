"""Settings for the in-process tests: two crews on a 12-hour rota, one dispatcher, a real SQLite path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.kit import postgres
from tests.kit.people import CREW_A, CREW_B, DISPATCHER

T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: crew A's day shift


def settings_dict(db_path: Path, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "telegram": {"token": "123456:TEST-TOKEN-not-real"},
        "storage": {"path": str(db_path)},
        "utility": {"hotline": "96777", "timezone": "Asia/Shanghai"},
        "crews": [
            {
                "name": "A",
                "members": [
                    {"user_id": CREW_A[0], "name": "Wang Qiang", "role": "lead"},
                    {"user_id": CREW_A[1], "name": "Li Ming"},
                ],
            },
            {"name": "B", "members": [{"user_id": CREW_B[0], "name": "Zhao Lei", "role": "lead"}]},
        ],
        "staff": [{"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher"}],
        "rota": {"crews": ["A", "B"], "shift_hours": 12, "anchor": "2027-01-04T08:00:00"},
    }
    data.update(extra)
    if postgres.wanted():  # HOTLINE_TEST_DB=postgres: the same tests on a database of the test server
        data["storage"] = {**data["storage"], "url": postgres.server().new_database(str(db_path))}
    return data
