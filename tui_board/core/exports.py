"""CSV as both exports write it (`tui-board export csv`, the reports screen's `e`).

Exports are opened in spreadsheets, which run a cell that starts with `=`, `+`, `-` or
`@` as a formula: a card title can then fetch a URL or run a command on the reader's
machine. Every cell goes through `csv_cell`, which neutralises it as OWASP advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from tui_board.core.text import csv_cell


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text (`\\n` line ends), each cell made safe by `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


__all__ = ["csv_text"]
