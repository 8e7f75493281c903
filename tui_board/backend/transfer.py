"""Sending an import: a file's rows (read and mapped by `core.importing`) to any Backend,
in parts, then stored in one call.

The rule for parts: a team server reads requests of at most 1 MiB, so the rows go in
parts of at most `PART_ROWS` rows and about `PART_BYTES` bytes of JSON (`split_parts`),
each kept by the store under the import's batch (`stage_import`); `import_rows` then
stores all of them in one transaction, or none. The same path serves every store, so
the contract suite runs it on each.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from tui_board.core.models import ImportResult, ImportRow

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: The most rows a part holds, and the most bytes its JSON takes by `_row_bytes`: half
#: the server's limit, for a margin.
PART_ROWS = 5_000
PART_BYTES = 512 * 1024
#: What a row's JSON takes besides its text (its field names, a day and two moments).
_ROW_BYTES = 200


def split_parts(rows: Sequence[ImportRow]) -> Iterator[Sequence[ImportRow]]:
    """The rows in parts of at most `PART_ROWS` rows and about `PART_BYTES` bytes."""
    start, size = 0, 0
    for at, row in enumerate(rows):
        cost = _ROW_BYTES + sum(
            len(text) if text.isascii() else 6 * len(text)
            for text in (row.user, row.comment, row.task, row.project, row.title, row.project_name)
        )
        if at > start and (at - start >= PART_ROWS or size + cost > PART_BYTES):
            yield rows[start:at]
            start, size = at, 0
        size += cost
    if start < len(rows):
        yield rows[start:]


def new_batch() -> str:
    """A name for one import's rows, the sender's own."""
    return secrets.token_hex(16)


def send_import(
    backend: Backend,
    rows: Sequence[ImportRow],
    file: str,
    *,
    create: bool = False,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    stored: Callable[[], None] | None = None,
) -> ImportResult | None:
    """Stage the rows in parts and store them in one call. `progress` is told how many
    rows each part sent, `stored` when the parts are sent and the store begins. None
    when a team server had stored this import already (a request sent again after its
    answer was lost)."""
    batch = new_batch()
    parts = 0
    for part in split_parts(rows):
        backend.stage_import(batch, parts, list(part))
        parts += 1
        if progress is not None:
            progress(len(part))
    if stored is not None:
        stored()
    return backend.import_rows(batch, parts, file, create=create, dry_run=dry_run, strict=strict)


__all__ = ["PART_BYTES", "PART_ROWS", "new_batch", "send_import", "split_parts"]
