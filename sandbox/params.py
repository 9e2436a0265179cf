"""Bot API request parameters: GET query, form-encoded, JSON and multipart bodies, as PTB sends them.

Form and multipart values are strings (JSON-valued parameters such as ``reply_markup`` arrive as JSON
text); JSON bodies carry native values. ``Params`` reads both the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.errors import ApiError, bad_request


@dataclass(frozen=True, slots=True)
class Upload:
    """A file uploaded in a multipart body."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed access to the parameters of one call; errors read like Telegram's."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, Upload):
            raise bad_request(f"parameter {name} must be a string")
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return f"{value}"
        return json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes"}

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def get_file(self, name: str) -> str | Upload | None:
        """A file parameter: a file_id / URL string, or an upload (also via ``attach://``)."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw.get(value.removeprefix("attach://"))
            if value is None:
                raise bad_request(f"file {name} not found in the request")
        if value is None or isinstance(value, Upload | str):
            return value
        raise bad_request(f"invalid {name} specified")

    def summary(self) -> dict[str, Any]:
        """Parameters for the call log, with uploads shortened to a description."""
        return {
            key: (f"<upload {val.filename} {len(val.data)} B>" if isinstance(val, Upload) else val)
            for key, val in self.raw.items()
        }


async def read_params(request: web.Request) -> Params:
    """Merge the query string and the body of ``request`` into ``Params``."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    raw[key] = value
                elif isinstance(value, bytes | bytearray):
                    raw[key] = bytes(value).decode("utf-8", "replace")
                else:
                    raw[key] = Upload(value.filename, value.content_type, value.file.read())
        elif ctype not in ("", "application/octet-stream"):
            raise ApiError(400, f"Bad Request: unsupported content type {ctype}")
    return Params(raw)
