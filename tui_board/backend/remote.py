"""The Backend over HTTP: a team server's API through one long-lived httpx client.

Its methods are made from `operations()`, the same table the server's routes come
from: each takes the protocol method's arguments, posts them to
`/api/v1/<operation>`, and turns the answer back into records, or the error body back
into the same `BoardError` the local backend would have raised.

It subclasses `Backend`, so type checkers and editors see every operation with its
signature. They also take the protocol's bodies for unimplemented (the real methods
are set when this module loads), so one is made with `RemoteBackend.connect(...)`.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import threading
import weakref
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from tui_board.backend.offline import OfflineQueue, QueuedWrite
from tui_board.backend.operations import Operation, from_wire, operations, to_wire
from tui_board.backend.protocol import Backend
from tui_board.core.clock import Clock, system_clock
from tui_board.core.errors import ERROR_KINDS, BoardError, Invalid, Unavailable
from tui_board.core.models import Change, TimeEntry

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
#: How long a slow operation (declared `@writes(slow=True)`: an import) may take.
SLOW_TIMEOUT = httpx.Timeout(600.0, connect=3.0)
#: The longest wait the server's long poll takes (`GET /changes?wait=`).
MAX_WAIT = 30.0


@cache
def _tls_context() -> ssl.SSLContext:
    """The TLS context (certificates as httpx finds them, `SSL_CERT_FILE` included),
    built once per process: it is most of what building an `httpx.Client` costs."""
    return httpx.create_ssl_context()


class RemoteBackend(Backend):
    """A team server as a Backend. One `httpx.Client` for the backend's life, and one
    TLS context for the process: building that costs tens of milliseconds.

    Time entries written while the server cannot be reached are queued on disk (see
    `offline.py`) and sent, in order and exactly once, as soon as it answers again;
    until then the write returns a provisional entry with id 0."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        clock: Clock = system_clock,
        queue_dir: Path | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.clock = clock
        self.description = f"server: {self.url}"
        self.online = True
        self.on_sync: Callable[[int, list[QueuedWrite]], None] | None = None
        self._login = ""
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {token}", "User-Agent": "tui-board"},
            timeout=TIMEOUT,
            verify=_tls_context(),
        )
        if queue_dir is None:
            from tui_board.config import user_data_dir

            queue_dir = user_data_dir() / "offline"
        token_key = hashlib.sha256(token.encode()).hexdigest()
        self.queue = OfflineQueue(queue_dir, self.url, token_key)
        self._token = token
        #: The long polls' own client (made on the first), and the sockets of its
        #: connections: `close` shuts them, which ends a wait in another thread at once.
        self._waits: httpx.Client | None = None
        self._wait_sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._wait_lock = threading.Lock()
        self._closed = False

    @classmethod
    def connect(
        cls,
        url: str,
        token: str,
        *,
        clock: Clock = system_clock,
        queue_dir: Path | None = None,
    ) -> RemoteBackend:
        """A backend for the server at `url` (nothing is sent until the first call)."""
        return cls(url, token, clock=clock, queue_dir=queue_dir)

    def close(self) -> None:
        with self._wait_lock:
            self._closed = True
            waits, self._waits = self._waits, None
            sockets = list(self._wait_sockets)
        for sock in sockets:  # a thread blocked reading one gets an end of file now
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if waits is not None:
            waits.close()
        self._client.close()

    def wait_changes(self, since: int, timeout: float, *, limit: int = 500) -> list[Change]:
        """The server's long poll: one request that it answers when the feed moves
        (or with [] after `timeout`, at most `MAX_WAIT`). While it waits it costs the
        server an open connection and nothing else."""
        wait = min(max(timeout, 0.0), MAX_WAIT)
        with self._wait_lock:
            if self._closed:
                return []
            if self._waits is None:
                self._waits = httpx.Client(
                    base_url=f"{self.url}/api/v1",
                    headers={"Authorization": f"Bearer {self._token}", "User-Agent": "tui-board"},
                    verify=_tls_context(),
                )
            client = self._waits
        params: dict[str, Any] = {"since": since, "wait": round(wait, 3), "limit": limit}
        try:
            response = client.get(
                "/changes",
                params=params,
                timeout=httpx.Timeout(wait + (TIMEOUT.read or 10.0), connect=TIMEOUT.connect),
                extensions={"trace": self._note_socket},
            )
        except (httpx.TransportError, RuntimeError) as error:  # RuntimeError: closed meanwhile
            if self._closed:
                return []
            if isinstance(error, RuntimeError):
                raise
            self.online = False
            raise Unavailable(f"cannot reach the server at {self.url} ({_reason(error)})") from None
        self.online = True
        if response.status_code >= 400:
            raise _error(response, list[Change])
        found: list[Change] = from_wire(list[Change], response.json())
        return found

    def _note_socket(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace: keep the socket of each connection the long polls open
        (the TLS one once it is wrapped), for `close` to shut."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._wait_lock:
                    self._wait_sockets.add(sock)
                    closed = self._closed
                if closed:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def call(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        """Run one operation on the server and return its result as records."""
        body = {name: to_wire(value) for name, value in arguments.items()}
        if operation.queue_offline:
            return self._write_queued(operation, body)
        if self.queue.path.exists():
            self._send_waiting()
        # A write carries a key of its own, so that the server applies it once.
        request_id = OfflineQueue.new_id() if operation.writes else None
        result = from_wire(operation.returns, self._send(operation, body, request_id=request_id))
        if operation.name == "me":
            self._login = result.login
        return result

    def sync(self) -> tuple[int, list[QueuedWrite]]:
        """Send the queued writes in order. Returns how many were sent and the ones the
        server refused (kept in the queue's refused file); stops, keeping the rest,
        while the server cannot be reached. While another process of yours is sending
        them, leaves them to it and returns (0, [])."""

        def send(write: QueuedWrite) -> None:
            operation = operations().get(write.operation)
            if operation is None or not operation.queue_offline:
                # Only time waits here: anything else in the file was not put there by
                # tui-board, and is not sent with this person's token.
                raise Invalid(f"{write.operation!r} is not a write that waits offline")
            self._send(operation, write.arguments, request_id=write.id)

        return self.queue.replay(send)

    def pending_writes(self) -> list[QueuedWrite]:
        return self.queue.pending()

    def _send_waiting(self) -> None:
        """`sync` on a call's way, telling `on_sync` what it did (a write refused now
        would otherwise be known only to the refused file)."""
        sent, refused = self.sync()
        if (sent or refused) and self.on_sync is not None:
            self.on_sync(sent, refused)

    def _write_queued(self, operation: Operation, body: dict[str, Any]) -> Any:
        if self.queue.path.exists():
            self._send_waiting()
        request_id = OfflineQueue.new_id()
        if not self.queue.path.exists():
            try:
                answer = self._send(operation, body, request_id=request_id)
                return from_wire(operation.returns, answer)
            except Unavailable:
                pass  # it may or may not have arrived: the same id makes a replay safe
        self.queue.add(request_id, operation.name, body)
        if self.online:
            # Writes wait (another process of yours is sending them, say), yet the
            # server answers: send this one too, unless that process still is.
            self._send_waiting()
        return self._provisional(operation, body)

    def _provisional(self, operation: Operation, body: dict[str, Any]) -> TimeEntry | None:
        """What a queued write will most likely store, for the screen to show now."""
        if operation.name == "clear_entry" or (
            operation.name == "set_entry" and not body.get("minutes") and not body.get("comment")
        ):
            return None
        return TimeEntry(
            id=0,
            user=body.get("user") or self._login,
            task=str(body["task"]).upper(),
            day=date.fromisoformat(body["day"]),
            minutes=int(body["minutes"]),
            comment=body.get("comment") or "",
            version=0,
        )

    def _send(
        self, operation: Operation, body: dict[str, Any], *, request_id: str | None = None
    ) -> Any:
        headers = {"Idempotency-Key": request_id} if request_id else None
        timeout = SLOW_TIMEOUT if operation.slow else TIMEOUT
        try:
            response = self._client.post(
                f"/{operation.name}", json=body, headers=headers, timeout=timeout
            )
        except httpx.TransportError as error:
            self.online = False
            raise Unavailable(f"cannot reach the server at {self.url} ({_reason(error)})") from None
        self.online = True
        if response.status_code >= 400:
            raise _error(response, operation.returns)
        if response.status_code == 204:  # a replay of a write applied before
            return None
        return response.json()


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
    if response.status_code == 422 and "error" not in body and "detail" in body:
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
