"""Reading key sites from a spreadsheet: CSV (UTF-8, or GB18030 as Excel on Chinese Windows saves) or
XLSX, the first row the header in any order, English or Chinese column names. Any bad row: nothing is
imported and every bad line is named."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.key_sites.model import KINDS, KeySite

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "单位名称", "部位名称", "重点部位"),
    "kind": ("kind", "类型", "类别"),
    "address": ("address", "地址"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "longitude", "经度"),
    "phone": ("phone", "contact", "联系电话", "电话", "联系人电话"),
}
KIND_NAMES: dict[str, str] = {
    **{kind: kind for kind in KINDS},
    "学校食堂": "school_canteen",
    "食堂": "school_canteen",
    "饭店": "restaurant",
    "餐馆": "restaurant",
    "餐厅": "restaurant",
    "锅炉房": "boiler_room",
    "医院": "hospital",
    "市场": "market",
    "农贸市场": "market",
    "养老院": "elderly_home",
    "敬老院": "elderly_home",
}
FORMAT = """\
CSV or XLSX, the first row the header (any order), English or Chinese:
  name,kind,address,lat,lon,phone
  名称,类型,地址,纬度,经度,联系电话
required: name, kind. kind: school_canteen, restaurant, boiler_room, hospital, market, elderly_home
(or 学校食堂, 饭店/餐馆/餐厅, 锅炉房, 医院, 市场/农贸市场, 养老院/敬老院). lat/lon in WGS-84 degrees."""


class SitesImportError(ValueError):
    """The file cannot be imported; the message names every bad line."""


def _rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl  # here, not at the top: openpyxl and numpy under it only when a workbook is read

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [
                ["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            book.close()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for field, names in HEADERS.items():
            if key in names and field not in found:
                found[field] = index
    missing = [field for field in ("name", "kind") if field not in found]
    if missing:
        raise SitesImportError(f"line 1: the header has no {' or '.join(missing)} column\n{FORMAT}")
    return found


def _number(text: str) -> float | None:
    return float(text) if text else None


def read_sites(path: Path) -> list[KeySite]:
    """Every site of the file, or SitesImportError naming each bad line."""
    try:
        rows = _rows(path)
    except (OSError, ValueError, KeyError) as exc:
        raise SitesImportError(f"{path}: cannot be read ({exc.__class__.__name__})") from exc
    if not rows:
        raise SitesImportError(f"{path}: empty\n{FORMAT}")
    columns = _columns(rows[0])
    sites: list[KeySite] = []
    errors: list[str] = []
    names: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(row) or row[0].startswith("#"):
            continue
        cell = {field: (row[i] if i < len(row) else "") for field, i in columns.items()}
        kind = KIND_NAMES.get(cell.get("kind", "").strip().lower(), KIND_NAMES.get(cell.get("kind", "").strip()))
        if kind is None:
            errors.append(f"line {line}: kind {cell.get('kind', '')!r} is not one of {', '.join(KINDS)}")
            continue
        try:
            values: dict[str, Any] = {
                "name": cell.get("name", ""),
                "kind": kind,
                "address": cell.get("address", ""),
                "lat": _number(cell.get("lat", "")),
                "lon": _number(cell.get("lon", "")),
                "phone": cell.get("phone", ""),
            }
            site = KeySite(**values)
        except ValueError as exc:  # ValidationError, and a number that is not one
            detail = (
                "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            errors.append(f"line {line}: {detail}")
            continue
        if (site.lat is None) != (site.lon is None):
            errors.append(f"line {line}: lat and lon go together")
        elif site.name in names:
            errors.append(f"line {line}: {site.name!r} appears twice")
        else:
            names.add(site.name)
            sites.append(site)
    if errors:
        raise SitesImportError("\n".join(errors))
    return sites
