"""Errors of the sandbox: Bot API errors (answered as Telegram JSON) and control misuse."""

from __future__ import annotations


class SandboxError(Exception):
    """A test or demo used the control API wrongly (unknown user, missing button, ...)."""


class ApiError(Exception):
    """A Bot API call fails; the server answers it in Telegram's error shape."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


def conflict(message: str) -> ApiError:
    return ApiError(409, f"Conflict: {message}")


def too_many_requests(retry_after_s: int) -> ApiError:
    retry = max(1, retry_after_s)
    return ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
BAD_GATEWAY = ApiError(502, "Bad Gateway")
