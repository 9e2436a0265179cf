"""Key sites imported from a spreadsheet (``hotline sites import``); an import replaces them all."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from storage.db import Conn, to_db


class StoredSite(BaseModel):
    name: str
    kind: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str


class KeySitesRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def replace(self, sites: list[StoredSite], now: datetime) -> None:
        await self.conn.execute("DELETE FROM key_sites")
        await self.conn.executemany(
            "INSERT INTO key_sites (name, kind, address, latitude, longitude, phone, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(s.name, s.kind, s.address, s.latitude, s.longitude, s.phone, to_db(now)) for s in sites],
        )

    async def all(self) -> list[StoredSite]:
        rows = await self.conn.execute_fetchall(
            "SELECT name, kind, address, latitude, longitude, phone FROM key_sites ORDER BY name"
        )
        return [
            StoredSite(name=row[0], kind=row[1], address=row[2], latitude=row[3], longitude=row[4], phone=row[5])
            for row in rows
        ]
