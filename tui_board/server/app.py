"""The team server: a thin FastAPI layer over the service layer.

It authenticates (`Authorization: Bearer <token>`), maps each Backend operation to
`POST /api/v1/<operation>` with a typed JSON body (unknown fields refused), and maps the
service layer's errors to status codes (a stale write: 409 with the current row). Every
rule lives in `LocalBackend`; the server keeps nothing another server process would need,
so several of them can serve one PostgreSQL database.

Routes are built from `tui_board.backend.operations`, so they follow the protocol.
"""

# No `from __future__ import annotations` here: FastAPI reads the generated signatures.

import asyncio
import contextlib
import functools
import inspect
import json
import math
import operator
import re
import signal
import threading
import time
import types
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import anyio
import anyio.to_thread
import orjson
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    create_model,
)
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from tui_board import __version__
from tui_board.backend.local import LocalBackend
from tui_board.backend.local.file import QUICK, QuickService
from tui_board.backend.operations import Operation, from_wire, operations
from tui_board.core.clock import Clock, local_today, system_clock
from tui_board.core.errors import AlreadyApplied, BoardError, Conflict, Forbidden, Invalid
from tui_board.core.models import Change, _Patch, json_default, to_json
from tui_board.core.permissions import Actor
from tui_board.core.text import safe_json
from tui_board.core.weeks import IsoWeek
from tui_board.server.cache import EPOCH_KEY, MAX_ACTORS, ReadCache, read_body, replaying
from tui_board.server.feed import ChangeSignal
from tui_board.store.database import SCHEMA_HEAD, Database, WriterBusy

API = "/api/v1"
#: The worker threads of one server process, by store, for what does not run on its
#: event loop: the ORM half of the service layer, and on SQLite a write that would wait
#: for the file's write lock. SQLite: two (its writers take turns anyway, and short
#: calls on more threads queue for the GIL in convoys). PostgreSQL: four, so that while
#: some wait on the database others run (the plain-SQL half runs on the loop there:
#: `green.py`).
WORKER_THREADS = {"sqlite": 2, "postgresql": 4}
#: SQLite: how often, at most, a thread copies the log into the file after writes made
#: on the event loop (whose commits leave the checkpoint out).
CHECKPOINT_EVERY_S = 1.0
_FORBID = ConfigDict(extra="forbid")


def _week(text: str) -> str:
    try:
        return str(IsoWeek.parse(text))
    except Invalid as error:
        raise ValueError(error.message) from None


REPLAY = (
    "A replay of a write the store has applied before (the same `Idempotency-Key`): "
    "nothing was done again; the answer has no body and `Idempotent-Replay: true`."
)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _iso_date(value: Any) -> date:
    """A day as JSON carries it: ISO text. Lax parsing would read the number 86400 as
    1970-01-02 and a date-time as its day."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("a day is written as text, YYYY-MM-DD (e.g. 2026-11-24)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a day of the calendar") from None


# Every JSON value must already be of its field's type: strict, never coerced
# (`"90"` is not a number of minutes, `1` is not true). The request body is validated
# in Python mode, where strict would also refuse text for a day: days read `_iso_date`.

#: What the store's integer columns hold (PostgreSQL's `integer`): larger numbers in a
#: request are refused (422), not passed on to fail in the database (500).
INT32_MAX = 2**31 - 1
#: The largest request body the server reads (a 50,000-character description, every
#: character escaped, is a third of it).
MAX_BODY_BYTES = 1 << 20
Int32 = Annotated[int, Strict(), Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
#: Text as the stores hold it: PostgreSQL refuses the NUL character in text.
Text = Annotated[str, Strict(), Field(pattern=r"^[^\x00]*$")]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, BeforeValidator(_iso_date), Field(examples=["2026-11-24"])]

WeekText = Annotated[str, Strict(), AfterValidator(_week), Field(examples=["2026-W48"])]


class ErrorBody(BaseModel):
    error: str
    message: str
    current: Any = None
    #: For a request the API's schema refuses (422): what was wrong, field by field.
    detail: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Caller:
    """Who a request says it is; checked against the store in the request's worker."""

    token: str
    idempotency_key: str | None = None
    #: The store's epoch at a look taken after the request arrived (the read cache's),
    #: if any: who holds the token is known while it stays (`ReadCache.actors`).
    epoch: int | None = None


@dataclass(frozen=True)
class _Direct:
    """What the front (`_Server`) needs to answer an operation's request itself."""

    body_model: type[BaseModel]
    endpoint: Callable[[BaseModel | None, Caller], Awaitable[Response]]
    reads: bool


class _Server(FastAPI):
    """The app, with a front that answers the operations' requests itself.

    The framework's request handling (its middleware, dependency solving, request
    object, response model) was most of a request's cost. A `POST /api/v1/<operation>`
    whose request is well formed (a JSON body of a length said up front, that the
    operation's body model accepts, as `application/json`; a well-formed
    `Idempotency-Key` if any) is validated by the same model and answered by the same
    endpoint and error handlers as the route would; anything else goes to the framework,
    which answers it as before (an error, the docs, a 404). Reads pass through the read
    cache (`cache.py`) first."""

    direct: dict[str, _Direct]
    read_cache: ReadCache | None = None
    #: The error handlers the front answers errors with: the app's own.
    handlers: dict[type[Exception], Callable[[Any, Any], Awaitable[Response]]]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            direct = self.direct.get(scope["path"])
            if direct is not None:
                if direct.reads and self.read_cache is not None:
                    await self.read_cache(scope, receive, send)
                else:
                    await self.answer(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def answer(self, scope: Any, receive: Any, send: Any) -> None:
        """An operation's request: answered here when it is well formed, else by the
        framework (with what was read of the body given to it again)."""
        arrived = time.monotonic()
        direct = self.direct[scope["path"]]
        headers = scope["headers"]
        authorization = content_type = key = length = None
        for name, value in reversed(headers):  # the first of a name wins, as in Starlette
            if name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
            elif name == b"idempotency-key":
                key = value
            elif name == b"content-length":
                length = value
        well_formed = (
            content_type in _JSON_TYPES
            and length is not None
            and length.isdigit()
            and 0 < int(length) <= MAX_BODY_BYTES
            and (key is None or _IDEMPOTENCY_KEY.fullmatch(key) is not None)
            and scope.get("query_string", b"") == b""
        )
        if not well_formed:
            await super().__call__(scope, receive, send)
            return
        body, more = await read_body(receive, int(length or 0))
        try:
            if more:
                raise ValueError("more body than its length")
            model = direct.body_model.model_validate(json.loads(body))
            caller = await caller_of(
                authorization.decode("latin-1") if authorization is not None else None,
                key.decode("ascii") if key is not None else None,
            )
            epoch = scope.get(EPOCH_KEY)
            cache = self.read_cache
            if epoch is None and not direct.reads and cache is not None and cache.enabled:
                # A write: the epoch from a look of the read cache's (shared with the
                # requests around it), so that its token need not be looked up.
                look = await cache.look(arrived)
                epoch = None if look is None else look.epoch
            if epoch is not None:
                caller = Caller(caller.token, caller.idempotency_key, epoch)
        except (ValueError, RecursionError, _Unauthorized):  # the framework says what is wrong
            await super().__call__(scope, replaying(body, more, receive), send)
            return
        try:
            response = await direct.endpoint(model, caller)
        except tuple(self.handlers) as error:
            handler = next(h for kind, h in self.handlers.items() if isinstance(error, kind))
            response = await handler(None, error)
        await response(scope, receive, send)


_JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
_IDEMPOTENCY_KEY = re.compile(rb"[!-~]{1,64}")


def create_app(
    database: Database, *, clock: Clock = system_clock, read_cache: bool = True
) -> FastAPI:
    """The ASGI app for one database (what `tui-board serve` runs under uvicorn);
    `read_cache`: keep the answers to reads while the store is unchanged."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Under `tui-board serve`: a signal to stop answers the open long polls at
        once, so the server stops at once (uvicorn waits for open requests first)."""
        _on_stop_signal(feed.close)
        yield
        feed.close()
        if green is not None:
            green.close()

    app = _Server(
        title="tui-board team server",
        version=__version__,
        description="Every operation of the tui-board Backend protocol, one POST each.",
        lifespan=lifespan,
    )
    app.add_middleware(_BodyLimit)

    service = LocalBackend(database, "", clock=clock)
    # The plain-SQL part of the service layer (the token check, the week sheet, cells,
    # the timer) on pooled connections without a Session (`database.pooled`, asked
    # for each request: a test server switches stores); the rest on `service`.
    feed = ChangeSignal(database)
    app.state.change_feed = feed
    limiter: list[anyio.CapacityLimiter] = []

    # PostgreSQL: the plain-SQL part on the event loop (`green.py`: psycopg is only
    # there on PostgreSQL), the rest on threads.
    green: Any = None
    if not database.is_sqlite:
        from tui_board.server.green import STALE, GreenDatabase, spawn

        green = GreenDatabase.of(database)

    def backend_for(
        actor: Actor,
        request: tuple[str | None, str | None],
        method: str | None,
        store: Any = None,
    ) -> Any:
        """The service as `actor`, for a write's (Idempotency-Key, fingerprint)."""
        request_id, request_hash = request
        if method in QUICK:
            return QuickService(
                store or green or database.pooled,
                actor.login,
                clock=clock,
                actor=actor,
                request_id=request_id,
                request_hash=request_hash,
            )
        return service.for_request(actor, request_id, request_hash)

    checkpointing: list[Any] = [time.monotonic(), None]  # the last one, the one running

    def checkpoint_soon() -> None:
        """After a write on the loop: SQLite's checkpoint on a thread, at most every
        `CHECKPOINT_EVERY_S` and one at a time."""
        last, running = checkpointing
        if (running is not None and not running.done()) or (
            time.monotonic() - last < CHECKPOINT_EVERY_S
        ):
            return
        checkpointing[0] = time.monotonic()
        task = asyncio.ensure_future(
            anyio.to_thread.run_sync(database.pooled.checkpoint, limiter=limiter[0])
        )
        task.add_done_callback(_retrieved)
        checkpointing[1] = task

    async def as_caller(
        caller: Caller,
        work: Callable[[LocalBackend], Any],
        inline: bool = False,
        writes: bool = False,
        method: str | None = None,
        fingerprint: str | None = None,
    ) -> Any:
        """Authenticate and do the work where it costs least:
        - PostgreSQL, the plain-SQL operations (`QUICK`): on the event loop, in a
          greenlet (`green.py`); the others: the token there, the work on a thread;
        - SQLite, a read (`inline`): on the loop (well under a millisecond, never waits
          for a lock under WAL, while a trip to a thread costs more than the read);
          a cell or timer write: on the loop when the file's write lock is free, else
          on a thread, which waits its turn; the rest on a thread.
        A few threads serve best (`WORKER_THREADS`). Only a write's `Idempotency-Key`
        counts: a read is answered whatever key it carries (a write's key must not turn
        it into a replay with no answer)."""
        if not limiter:
            threads = WORKER_THREADS["sqlite" if database.is_sqlite else "postgresql"]
            limiter.append(anyio.CapacityLimiter(threads))

        def authenticated(store: Any) -> Actor:
            """Who holds the token: known without asking the store while the epoch the
            answer was read at stays (every write that could change it, a token revoked,
            a person deactivated or their role or teams changed, moves the epoch on)."""
            cache = app.read_cache
            actors = cache.actors if cache is not None else None
            epoch = caller.epoch
            if actors is not None and epoch is not None:
                known = actors.get(caller.token)
                if known is not None and known[1] == epoch:
                    assert cache is not None
                    cache.known += 1
                    return known[0]
            try:
                actor = QuickService(store, "", clock=clock).authenticate(caller.token)
            except Forbidden as error:
                raise _Unauthorized(error.message) from None
            if actors is not None and epoch is not None:
                if len(actors) >= MAX_ACTORS:
                    actors.clear()
                actors[caller.token] = (actor, epoch)
            return actor

        request_id = (caller.idempotency_key, fingerprint) if writes else (None, None)

        def run(store: Any = database.pooled) -> Any:
            return work(backend_for(authenticated(store), request_id, method, store))

        if not writes:
            return await answer(run, authenticated, work, (None, None), writes, method, inline)
        try:
            return await answer(run, authenticated, work, request_id, writes, method, inline)
        except Exception as error:
            if not _lost_race(error):
                raise
        # Two requests made the same row at once (PostgreSQL: the second's insert met
        # the first's commit; each checked before either wrote). Rolled back: done again,
        # it sees the row (the answer a request sent a moment later gets).
        try:
            return await answer(run, authenticated, work, request_id, writes, method, inline)
        except Exception as error:
            if not _lost_race(error):
                raise
            raise Conflict(
                "someone else made the same change at the same moment; try again"
            ) from None

    async def answer(
        run: Callable[..., Any],
        authenticated: Callable[[Any], Actor],
        work: Callable[[LocalBackend], Any],
        request_id: tuple[str | None, str | None],
        writes: bool,
        method: str | None,
        inline: bool,
    ) -> Any:
        """`as_caller`'s work, done once."""
        if green is not None and method in QUICK:
            try:
                result = await spawn(run, green)
            except STALE as error:  # prepared before a migration changed a table
                if not getattr(error, "rolled_back", False):
                    raise  # not a write whose every statement was rolled back
                result = await spawn(run, green)  # once more, prepared anew
        elif green is not None:  # the token on the loop, the ORM's work on a thread
            backend = backend_for(await spawn(authenticated, green), request_id, method)
            result = await anyio.to_thread.run_sync(work, backend, limiter=limiter[0])
        elif inline:
            result = run()
        elif database.is_sqlite and writes and method in QUICK:
            # A cell or the timer: on the loop when the file's write lock is free (a
            # write of a few statements, less than a trip to a thread), else on a
            # thread, which waits its turn. Its commit leaves the log's checkpoint to
            # a thread (`checkpoint_soon`).
            try:
                result = run(database.pooled.at_once())
            except WriterBusy:
                result = await anyio.to_thread.run_sync(run, limiter=limiter[0])
            else:
                checkpoint_soon()
        else:
            result = await anyio.to_thread.run_sync(run, limiter=limiter[0])
        if writes and database.is_sqlite:
            feed.changed()  # this process's long polls (PostgreSQL: NOTIFY wakes them)
        return result

    @app.exception_handler(BoardError)
    async def board_error(_request: Request, error: BoardError) -> JSONResponse:
        return _error_response(error.status, error.kind, error.message, error.current)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        """A request its schema refuses: the error body every error has, with the
        validator's findings, field by field, in `detail`."""
        detail = jsonable_encoder(error.errors())
        found = "; ".join(f"{_where(d.get('loc', ()))}: {d.get('msg')}" for d in detail)
        return _error_response(422, "invalid", f"invalid request: {found}", None, detail)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        """What the framework refuses itself (a body that is not JSON, say): the same
        error body as every other error."""
        kind = _HTTP_KINDS.get(error.status_code, "error")
        response = _error_response(error.status_code, kind, str(error.detail), None)
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def out_of_range(_request: Request, error: Exception) -> JSONResponse:
        """A value the store cannot hold that got past the request's schema (a task
        number beyond the store's integers, say): the request's fault, not the
        server's. The transaction was rolled back."""
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        message = f"a value of the request does not fit in the store ({reason})"
        return _error_response(422, "invalid", message, None)

    @app.exception_handler(_Unauthorized)
    async def unauthorized(_request: Request, error: _Unauthorized) -> JSONResponse:
        response = _error_response(401, "unauthorized", error.message, None)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process answers (touches nothing)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"model": ErrorBody}})
    async def readyz() -> Response:
        """The database answers and its schema is the one this server expects."""
        try:
            revision = await run_in_threadpool(database.schema_revision)
        except Exception as error:  # the database is down: not ready, say why
            return _error_response(503, "unavailable", f"database unreachable: {error}", None)
        if revision != SCHEMA_HEAD:
            message = f"schema is {revision}, expected {SCHEMA_HEAD}: run `tui-board db upgrade`"
            return _error_response(503, "unavailable", message, None)
        return JSONResponse({"status": "ready", "schema": revision})

    @app.get(
        f"{API}/changes",
        tags=["changes"],
        response_model=list[Change],
        responses={code: {"model": ErrorBody} for code in (401, 403, 422)},
    )
    async def changes(
        caller: Annotated[Caller, Depends(caller_of)],
        since: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
        wait: Annotated[float, Query(ge=0, le=30)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> Response:
        """The change feed after `since`; with `wait`, a long poll that answers as soon
        as there is a change, or with an empty list after `wait` seconds. While it
        waits it reads nothing: it is woken when the store may have changed (see
        `server/feed.py`), and then checks the token again (a token revoked meanwhile
        is refused at once) and reads again."""
        deadline = time.monotonic() + wait

        def read(backend: LocalBackend) -> list[Change]:
            return backend.changes_since(since, limit=limit)

        generation = feed.generation  # before the read: a later change wakes it
        found = await as_caller(caller, read, database.is_sqlite)
        while not found:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await feed.wait(generation, remaining):
                break
            generation = feed.generation
            found = await as_caller(caller, read, database.is_sqlite)
        if found:
            # The token once more, after the read: revoked between its check and the
            # read (while this poll waited, most likely), it must not be answered with
            # what changed after the revocation (the revocation among it).
            await as_caller(caller, lambda _backend: None, database.is_sqlite)
        return _json(found)

    app.direct = {
        f"{API}/{operation.name}": _add_route(app, operation, as_caller, database.is_sqlite)
        for operation in operations().values()
    }
    app.handlers = {
        BoardError: board_error,
        _Unauthorized: unauthorized,
        DataError: out_of_range,
        OverflowError: out_of_range,
    }
    _dispatch_by_path(app)
    if read_cache:
        app.read_cache = ReadCache(
            app.answer,
            database,
            today=_today_by_the_minute(clock),
            max_body=MAX_BODY_BYTES,
        )
        app.state.read_cache = app.read_cache
    return app


def _retrieved(task: asyncio.Future[Any]) -> None:
    """A background checkpoint that failed (the file busy, say) is tried again after
    the next write: nothing to report."""
    if not task.cancelled():
        task.exception()


def _today_by_the_minute(clock: Clock) -> Callable[[], object]:
    """The local day, as the read cache keys its answers: worked out again only when
    the clock is in another minute (a local midnight falls on a whole minute in every
    time zone; finding the zone for `astimezone()` was 4% of the server's time under the
    3:1 mix of the bench)."""
    last: list[Any] = [None, None]

    def today() -> object:
        minute = int(clock().timestamp()) // 60
        if last[0] != minute:
            last[:] = [minute, local_today(clock)]
        return last[1]

    return today


def _on_stop_signal(stop: Callable[[], None]) -> None:
    """Run `stop` on this event loop when SIGINT or SIGTERM comes, then whatever handled
    the signal before (uvicorn's own handler, which begins the shutdown)."""
    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (a test's server in a thread)
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(number)
        if not callable(previous):
            continue

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(stop)
            previous(signum, frame)

        signal.signal(number, handler)


def _dispatch_by_path(app: FastAPI) -> None:
    """Find a request's route by its path in a dict. The router tries each route in
    turn (two matchers and a regex each): with one route per operation that was a
    quarter of a week read. Only a route that matches the request fully (its path and
    method) is taken here; anything else (a 404, a 405, a redirect) goes to the router
    as before."""
    router = app.router
    fallback = router.middleware_stack
    exact: dict[str, APIRoute] = {
        route.path: route for route in router.routes if isinstance(route, APIRoute)
    }
    if len(exact) != sum(isinstance(r, APIRoute) for r in router.routes):
        return  # two routes share a path: leave it to the router
    if any(route.param_convertors for route in exact.values()):
        return  # a path with parameters: leave it to the router

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        route = exact.get(scope["path"]) if scope["type"] == "http" else None
        if route is not None and not scope.get("root_path"):
            match, child = route.matches(scope)
            if match is Match.FULL and "fastapi" not in child:
                scope.setdefault("router", router)
                scope.update(child)
                await route.handle(scope, receive, send)
                return
        await fallback(scope, receive, send)

    router.middleware_stack = dispatch


async def caller_of(
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=64, pattern=r"^[!-~]+$")] = None,
) -> Caller:
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not authorization or not authorization.startswith("Bearer ") or not token:
        raise _Unauthorized("send your API token as `Authorization: Bearer <token>`")
    return Caller(token, idempotency_key or None)


class _Unauthorized(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _add_route(
    app: FastAPI,
    operation: Operation,
    as_caller: Callable[..., Awaitable[Any]],
    inline: bool,
) -> _Direct:
    body_model = _body_model(operation)
    inline_reads = inline and not operation.writes
    method = operation.name

    async def endpoint(body: BaseModel | None, caller: Caller) -> Response:
        arguments = (
            {}
            if body is None
            else {
                name: from_wire(operation.params[name], value)
                for name, value in body.model_dump(mode="json", exclude_unset=True).items()
            }
        )
        fingerprint = None
        if operation.writes and caller.idempotency_key is not None and body is not None:
            fingerprint = request_fingerprint(method, body.model_dump(mode="json"))
        try:
            result = await as_caller(
                caller,
                lambda backend: getattr(backend, method)(**arguments),
                inline_reads,
                operation.writes,
                method,
                fingerprint,
            )
        except AlreadyApplied:
            return Response(status_code=204, headers={"Idempotent-Replay": "true"})
        return _json(result)

    parameters = [
        inspect.Parameter(
            "body",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=body_model | None if _all_optional(operation) else body_model,
            default=None if _all_optional(operation) else inspect.Parameter.empty,
        ),
        inspect.Parameter(
            "caller",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Caller,
            default=Depends(caller_of),
        ),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = method
    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 422, 423)
    }
    if operation.writes:
        errors[204] = {"description": REPLAY}
    app.post(
        f"{API}/{method}",
        name=method,
        summary=method.replace("_", " "),
        description=operation.doc,
        tags=["writes" if operation.writes else "reads"],
        response_model=operation.returns,
        responses=errors,
    )(endpoint)
    return _Direct(body_model, endpoint, not operation.writes)


def _all_optional(operation: Operation) -> bool:
    """Operations whose every parameter has a default also take an empty request."""
    return all(
        operation.signature.parameters[name].default is not inspect.Parameter.empty
        for name in operation.params
    )


def _body_model(operation: Operation) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, tp in operation.params.items():
        default = operation.signature.parameters[name].default
        required = default is inspect.Parameter.empty
        fields[name] = (_wire_type(tp), ... if required else _wire_default(default))
    return create_model(f"{operation.name}_body", __config__=_FORBID, **fields)


def _wire_type(tp: Any) -> Any:
    """The JSON-side type of a parameter: weeks as text, patches as partial objects,
    whole numbers within what the store holds."""
    if tp is IsoWeek:
        return WeekText
    if isinstance(tp, type) and issubclass(tp, _Patch):
        return _patch_model(tp)
    return _bounded(tp)


_WIRE_SCALARS: dict[Any, Any] = {int: Int32, str: Text, bool: Flag, date: Day}


@typing.no_type_check
def _bounded(tp: Any) -> Any:
    """`tp` with every `int` in it an `Int32`, every `str` a `Text`, every `bool` a
    `Flag` and every `date` a `Day`, inside unions and tuples too."""
    if tp in _WIRE_SCALARS:
        return _WIRE_SCALARS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return functools.reduce(operator.or_, [_bounded(a) for a in args])
    if origin is tuple:
        return tuple.__class_getitem__(tuple(a if a is Ellipsis else _bounded(a) for a in args))
    if origin is list:
        return list.__class_getitem__(_bounded(args[0]))
    return tp


def _wire_default(default: Any) -> Any:
    return None if isinstance(default, IsoWeek | _Patch) else default


@typing.no_type_check
def _patch_model(patch: type[_Patch]) -> type[BaseModel]:
    """A patch's fields, each optional: one left out is left alone. Null is a value
    only where the field takes it (`assignee`: unassign); `name: null` is refused."""
    hints = typing.get_type_hints(patch)
    fields = {
        name: (_bounded(hints[name]), Field(default=None, json_schema_extra=_no_default))
        for name in hints
    }
    return create_model(f"{patch.__name__}Body", __config__=_FORBID, **fields)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _json(value: Any) -> Response:
    """An answer as JSON: `to_json`'s JSON (compact, UTF-8: the bytes `json.dumps`
    writes, but a float's notation, `0.00001` for `1e-05`), written by orjson: a week's
    answer in 6 us, where json's encoder, calling back into Python for every record and
    day, took 120 us (a tenth of a server's CPU under a team's load)."""
    try:
        body = orjson.dumps(value, default=json_default)
    except TypeError:  # a dict with keys JSON has not, an int past 64 bits: the slow way
        return JSONResponse(to_json(value))
    return Response(body, media_type="application/json")


class _EscapedJSONResponse(JSONResponse):
    """JSON with every lone surrogate (and control or bidi character) escaped: an
    error echoes what the request sent, and a lone surrogate (`"\\ud800"` in the
    request) cannot be written as UTF-8."""

    def render(self, content: Any) -> bytes:
        content = _finite(content)  # `1e400` in a request is echoed as text, not Infinity
        return safe_json(content, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _finite(value: Any) -> Any:
    """`value` with every float that JSON cannot hold (inf, nan) as its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class _BodyLimit:
    """Refuses a request body over `limit` bytes (413) before it is read whole: the
    body is parsed before the token is checked, so anyone could make the server hold
    hundreds of megabytes. The largest real request (a long description) is far less."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is over {self.limit} bytes"
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            response = _error_response(413, "invalid", too_large, None)
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # a chunked body with no length said up front
                raise HTTPException(413, too_large)
            return message

        await self.app(scope, limited, send)


def request_fingerprint(operation: str, arguments: dict[str, Any]) -> str:
    """What a write asks for, hashed: kept with its Idempotency-Key, so that the key
    sent again with another request is told apart from the same request sent again
    (the offline queue's). Its every argument, those left to their defaults too (a
    client that sends `"comment": ""` asks what one that leaves it out asks)."""
    import hashlib

    # (json, not orjson: a lone surrogate the request holds is written escaped, not refused)
    text = json.dumps([operation, arguments], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _lost_race(error: BaseException) -> bool:
    """A unique key refused a write's row that a request at the same moment committed
    first (SQLSTATE 23505), or PostgreSQL broke a deadlock between two writes by
    rolling this one back (40P01: two people switching their timers between the same
    two cards at once lock them in opposite orders), through SQLAlchemy or not: nothing
    of it was stored."""
    reason = getattr(error, "orig", None) or error
    return getattr(reason, "sqlstate", None) in ("23505", "40P01")


def _error_response(
    status: int, kind: str, message: str, current: Any, detail: Any = None
) -> JSONResponse:
    body = {"error": kind, "message": message, "current": to_json(current)}
    if detail is not None:
        body["detail"] = detail
    return _EscapedJSONResponse(body, status_code=status)


_HTTP_KINDS = {
    400: "error",
    413: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
}


def _where(loc: Any) -> str:
    """A validation error's place: `patch.role` in the body, else `header x`."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"] and len(parts) > 1:
        return ".".join(parts[1:])
    return " ".join(parts) or "request"
