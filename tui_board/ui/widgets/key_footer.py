"""The footer of every screen: its own keys, then `? Help` and `q Quit` (always in
sight), then the mode keys, as many as fit on one line.

Textual's footer shows the keys in binding order and cuts the line at the terminal's
edge, so on a board at 80 columns the app's own keys (help, quit) never showed. Here
the keys that do not fit are left out from the end of their group instead: first the
mode keys (the top bar says where one is; help lists them), then the screen's less
used keys, never help and quit.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The actions always shown.
KEPT = ("help", "quit")
#: The mode keys' actions begin so; shown when there is room.
MODE = ("switch_mode(", "app.switch_mode(")
#: The palette's key takes this many cells, docked at the right.
PALETTE = 14


def key_width(key: FooterKey) -> int:
    """The cells a key takes in the footer: ` k Description `."""
    return cell_len(key.key_display) + cell_len(key.description) + 3


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        palette = [w for w in keys if w.has_class("-command-palette")]
        others = [w for w in widgets if not isinstance(w, FooterKey)]
        if others:  # binding groups: as Textual lays them out
            yield from widgets
            return
        kept = [w for w in keys if w.action in KEPT and w not in palette]
        modes = [w for w in keys if w.action.startswith(MODE) and w not in palette]
        own = [w for w in keys if w not in kept and w not in modes and w not in palette]
        width = self.size.width or self.app.size.width
        room = width - (PALETTE if palette else 0) - sum(map(key_width, kept))
        shown_own = list(_fitting(own, room))
        room -= sum(map(key_width, shown_own))
        yield from shown_own
        yield from kept
        yield from _fitting(modes, room)
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != getattr(self, "_laid_out_for", None):
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)


def _fitting(keys: list[FooterKey], room: int) -> Iterable[FooterKey]:
    """The first of `keys` that fit in `room` cells, in order."""
    for key in keys:
        room -= key_width(key)
        if room < 0:
            return
        yield key
