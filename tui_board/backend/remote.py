"""The Backend over HTTP: a team server's API through one long-lived httpx client.

Its methods are made from `operations()`, the same table the server's routes come
from: each takes the protocol method's arguments, posts them to
`/api/v1/<operation>`, and turns the answer back into records, or the error body back
into the same `BoardError` the local backend would have raised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import httpx

from tui_board.backend.operations import Operation, from_wire, operations, to_wire
from tui_board.core.clock import Clock, system_clock
from tui_board.core.errors import ERROR_KINDS, BoardError, Unavailable

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class RemoteBackend:
    """A team server as a Backend. One `httpx.Client` for the backend's life: building
    one costs tens of milliseconds (its TLS context), a new one per call is slow."""

    def __init__(self, url: str, token: str, *, clock: Clock = system_clock) -> None:
        self.url = url.rstrip("/")
        self.clock = clock
        self.description = f"server: {self.url}"
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {token}", "User-Agent": "tui-board"},
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        self._client.close()

    def call(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        """Run one operation on the server and return its result as records."""
        body = {name: to_wire(value) for name, value in arguments.items()}
        try:
            response = self._client.post(f"/{operation.name}", json=body)
        except httpx.TransportError as error:
            raise Unavailable(f"cannot reach the server at {self.url} ({_reason(error)})") from None
        if response.status_code >= 400:
            raise _error(response, operation.returns)
        return from_wire(operation.returns, response.json())


def _reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "it did not answer in time"
    if isinstance(error, httpx.ConnectError):
        refused = "refused" in str(error).lower()
        return "connection refused" if refused else str(error) or "no connection"
    return type(error).__name__


def _error(response: httpx.Response, returns: Any) -> BoardError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 401:
        return ERROR_KINDS["forbidden"](f"the server refused the token: {body.get('message', '')}")
    if response.status_code == 422 and "detail" in body:
        details = "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}"
            for d in body["detail"]
        )
        return ERROR_KINDS["invalid"](f"the server refused the request: {details}")
    kind = ERROR_KINDS.get(body.get("error", ""), BoardError)
    message = body.get("message") or f"the server answered {response.status_code}"
    current = body.get("current")
    with contextlib.suppress(TypeError, ValueError, KeyError):
        current = from_wire(returns, current) if current is not None else None
    return kind(message, current=current)


def _method(operation: Operation) -> Callable[..., Any]:
    signature = operation.signature

    def method(self: RemoteBackend, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
        return self.call(operation, arguments)

    method.__name__ = operation.name
    method.__qualname__ = f"RemoteBackend.{operation.name}"
    method.__doc__ = operation.doc
    method.__signature__ = signature  # type: ignore[attr-defined]
    return method


for _operation in operations().values():
    setattr(RemoteBackend, _operation.name, _method(_operation))

__all__ = ["RemoteBackend"]
