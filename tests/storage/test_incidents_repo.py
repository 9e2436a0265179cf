"""IncidentsRepo.size: the number of an incident's joined reports, as its list of reports has them, through
joins, a report leaving and a merge."""

from __future__ import annotations

from pathlib import Path

from storage.db import Conn, Database
from storage.incidents import IncidentsRepo
from tests.kit.rows import dispatched_tickets
from tests.kit.settings import T0


async def test_size_is_the_number_of_reports_listed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "incidents.sqlite3")
    try:

        async def check(tx: Conn) -> list[tuple[int, int, int, int]]:
            ids = await dispatched_tickets(tx, 7)
            repo = IncidentsRepo(tx)
            first, second = ids[0], ids[1]

            async def sizes() -> tuple[int, int, int, int]:
                return (
                    await repo.size(first),
                    len(await repo.reports(first)),
                    await repo.size(second),
                    len(await repo.reports(second)),
                )

            seen = [await sizes()]
            for report in ids[2:5]:
                await repo.join(report, first, 10.0, T0)
            await repo.join(ids[5], second, None, T0)
            await repo.join(ids[5], second, 20.0, T0)  # joined again: still one report
            seen.append(await sizes())
            await repo.leave(ids[3])
            seen.append(await sizes())
            await repo.join(ids[6], second, 5.0, T0)
            await repo.move(second, first)
            seen.append(await sizes())
            return seen

        assert await db.run(check) == [(0, 0, 0, 0), (3, 3, 1, 1), (2, 2, 1, 1), (4, 4, 0, 0)]
    finally:
        await db.close()
