"""The footer of every screen: its own keys, then `? Help` and `q Quit`, then the mode
keys, as many as fit on one line.

Textual's footer shows the keys in binding order and cuts the line at the terminal's
edge, so on the board at 80 columns the app's own keys (help, quit) never showed. Here
the keys that do not fit are left out from the end of their group instead: first the
mode keys (the top bar says where one is; help lists them), then help and quit, then
the screen's less used keys; undo comes after help and quit. The board's footer keeps
help and quit always (the first screen a newcomer sees says how to get help and out);
the other screens' daily keys fill an 80-column line by themselves, so there help and
quit show when they fit.
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
#: Shown after help and quit when there is room (it is on every screen, and in `?`).
AFTER_HELP = ("undo",)
#: The mode keys' actions begin so; shown when there is room.
MODE = ("switch_mode(", "app.switch_mode(")
#: The palette's key takes this many cells, docked at the right.
PALETTE = 13


def key_width(key: FooterKey) -> int:
    """The cells a key takes in the footer: ` k Description `."""
    return cell_len(key.key_display) + cell_len(key.description) + 3


class KeyFooter(Footer):
    def __init__(self, *, keep_help: bool = False) -> None:
        super().__init__()
        #: Help and quit are shown whatever the width (the screen's keys make room).
        self.keep_help = keep_help
        #: The width the keys were chosen for.
        self._laid_out_for: int | None = None

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        palette = [w for w in keys if w.has_class("-command-palette")]
        # What the screen says cannot be done now is shown dimmed, as Textual shows a
        # disabled key; its key still runs, and says why.
        dimmed_of = getattr(self.screen, "dimmed_actions", None)
        dimmed = dimmed_of() if callable(dimmed_of) else frozenset()
        for key in keys:
            _settle_compact(key, True if key in palette else self.compact)
            if key.action in dimmed:
                key.add_class("-disabled")
        others = [w for w in widgets if not isinstance(w, FooterKey)]
        if others:  # binding groups: as Textual lays them out
            yield from widgets
            return
        kept = [w for w in keys if w.action in KEPT and w not in palette]
        modes = [w for w in keys if w.action.startswith(MODE) and w not in palette]
        after = [w for w in keys if w.action in AFTER_HELP and w not in palette]
        own = [
            w
            for w in keys
            if w not in kept and w not in modes and w not in after and w not in palette
        ]
        width = self.size.width or self.app.size.width
        self._laid_out_for = width  # (a resize to this width changes nothing)
        room = width - (PALETTE if palette else 0)
        if self.keep_help:
            room -= sum(map(key_width, kept))
        shown_own = list(_fitting(own, room))
        room -= sum(map(key_width, shown_own))
        yield from shown_own
        if self.keep_help or sum(map(key_width, kept)) <= room:
            yield from kept
            room -= 0 if self.keep_help else sum(map(key_width, kept))
        shown_after = list(_fitting(after, room))
        room -= sum(map(key_width, shown_after))
        yield from shown_after
        yield from _fitting(modes, room)
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)


def _settle_compact(key: FooterKey, compact: bool) -> None:
    """Give a key, before it mounts, the `compact` it would come to: Textual's keys start
    compact and styled so, then the footer's binding makes them not, styling each key
    twice more on each compose (a tenth of the app's work before its first frame)."""
    key.set_reactive(FooterKey.compact, compact)
    key.set_class(compact, "-compact", update=False)


def _fitting(keys: list[FooterKey], room: int) -> Iterable[FooterKey]:
    """The first of `keys` that fit in `room` cells, in order."""
    for key in keys:
        room -= key_width(key)
        if room < 0:
            return
        yield key
