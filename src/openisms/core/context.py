"""Request-scoped values that services read without threading them through every call."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("openisms_request_id", default=None)


def new_request_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def get_request_id() -> str:
    rid = _request_id.get()
    if rid is None:
        rid = new_request_id("proc-")
        _request_id.set(rid)
    return rid


def set_request_id(value: str | None) -> object:
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]
