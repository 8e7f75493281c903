"""Text from other people: refused at the door, neutralised wherever it is shown.

Everything a member stores (a card title, a comment, their own name) is drawn later in
other members' terminals. A control character in it is an instruction to that terminal:
ESC starts sequences that clear the screen, retitle the window or write the clipboard
(OSC 52), C1 characters do the same on some terminals, and bidi overrides make text read
differently from what it is. So:

- `check_text` refuses them when text is stored (the service layer, on every store);
- `printable` neutralises them again wherever stored text is shown (the screens, the
  CLI), because old databases, other clients and direct SQL exist;
- `safe_json` is `json.dumps` whose output holds no such character either;
- `csv_cell` keeps a spreadsheet from running a cell as a formula (OWASP's advice).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from tui_board.core.errors import Invalid

#: Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they
#: reorder what follows them. The marks (LRM, RLM, ALM) are left alone: they only
#: nudge neutral characters, and right-to-left writers need them.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: Line and paragraph separators: a line break to some programs, none to others.
SEPARATORS = "\u2028\u2029"
#: Lone surrogates cannot be encoded for a terminal (or stored by PostgreSQL).
SURROGATES = "\ud800-\udfff"
_UNSAFE = f"{BIDI_CONTROLS}{SEPARATORS}{SURROGATES}"
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_UNSAFE}]")
_UNSAFE_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_UNSAFE}]")
#: What `safe_json` escapes beyond what `json.dumps` escapes itself (C0).
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_UNSAFE}]")

_NAMES = {
    0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "NEWLINE",
    0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x9B: "CSI", 0x9D: "OSC",
    0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING", 0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE", 0x2028: "LINE SEPARATOR",
    0x2029: "PARAGRAPH SEPARATOR",
}  # fmt: skip

#: Formula triggers in a spreadsheet cell (OWASP "CSV injection"): `=`, `+`, `-`, `@`,
#: tab and carriage return at the start of a cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def describe_character(char: str) -> str:
    """`U+001B (ESCAPE)`: how an error message names a character it refuses."""
    code = ord(char)
    name = _NAMES.get(code)
    if name is None:
        if code < 0x20 or 0x7F <= code <= 0x9F:
            name = "control character"
        elif 0xD800 <= code <= 0xDFFF:
            name = "lone surrogate"

        else:
            name = "character"
    return f"U+{code:04X} ({name})"


def unsafe_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first character `check_text` would refuse, with its index; None if none."""
    found = (_UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE).search(value)
    return (found.start(), found.group()) if found else None


def check_text(value: str, what: str, *, multiline: bool = False) -> str:
    """`value` if it holds no control, bidi-override or separator character; else
    Invalid, naming the field (`what`) and the character. A multi-line field (a
    description, a comment) may hold newlines and tabs; `\\r\\n` is taken as `\\n`."""
    if multiline and "\r" in value:
        value = value.replace("\r\n", "\n")
    found = unsafe_character(value, multiline=multiline)
    if found is not None:
        index, char = found
        raise Invalid(
            f"{what} holds {describe_character(char)} at character {index + 1}: "
            "text may not hold control or bidi-override characters"
        )
    return value


def _picture(match: re.Match[str]) -> str:
    """A control character as something that shows and does nothing: C0 as its
    control picture (ESC as ␛), DEL as ␡, anything else as the replacement character."""
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def _picture_one_line(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\u2028\u2029":
        return " "
    return _picture(match)


#: What joins emoji into one picture whose width terminals disagree on (a ZWJ family is
#: 2 cells in one, 6 in another; `❤️` 2 or 1; a flag 2 or 4): zero-width joiners,
#: variation selectors, skin-tone modifiers, and the regional indicators flags are
#: written with. Shown without them, each picture is what every terminal measures alike
#: (`👨👩👧`, `❤`, a flag's letters `NO`), and a border drawn after it stays in place.
_JOINED = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff]")


def _unjoined(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(code - 0x1F1E6 + ord("A")) if 0x1F1E6 <= code <= 0x1F1FF else ""


def same_as_shown(value: str) -> str:
    """What two texts a reader cannot tell apart have in common: Unicode's compatibility
    form (NFKC: `é` written as e and a combining accent, full-width letters), case
    folded, spaces collapsed, and the characters that show nothing left out (format
    characters: zero width space and joiners, marks, soft hyphen, BOM, tags). Two names
    equal here are one name to a reader. (Letters of other scripts that look alike,
    a Cyrillic o for a Latin one, are not caught.)"""
    shown = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", shown).casefold().split())


def printable(value: str, *, multiline: bool = False) -> str:
    """Stored text made safe to show: no character that a terminal would act on.

    One line (the default): tabs and line breaks become spaces, so the text keeps to
    its line. `multiline`: newlines stay, tabs stay. Every other control, bidi or
    surrogate character becomes a visible stand-in that is one cell wide, and joined
    emoji come apart (`_JOINED`). Text that is already safe comes back as it is (the
    same object), so this is cheap to call."""
    if not isinstance(value, str):  # a BLOB or a number where text belongs (direct SQL)
        value = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if _JOINED.search(value) is not None:
        value = _JOINED.sub(_unjoined, value)
    pattern = _UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE
    if pattern.search(value) is None:
        return value
    if multiline:
        value = value.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        return pattern.sub(_picture, value)
    return pattern.sub(_picture_one_line, value)


def quoted_back(value: str, width: int = 60) -> str:
    """What a person typed, quoted back in a message (`'notanemail'`): at most `width`
    characters of it, with `…` where it was cut."""
    return repr(value if len(value) <= width else value[: width - 1] + "…")


def as_typed(value: str, *, multiline: bool = False) -> str:
    """Text being typed, made safe to draw: `printable`'s stand-ins, one character for
    one (an input's cursor and selection count characters), tabs kept (an input draws
    them itself) and, in a multi-line field, newlines too. What is typed stays as it is;
    the field's rule (`check_text`) says what is wrong with it."""
    pattern = _UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE
    if pattern.search(value) is None:
        return value
    return pattern.sub(lambda m: "\t" if m.group() == "\t" else _picture(m), value)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON writes it as its UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def safe_json(value: Any, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, ...)` that escapes, as JSON does, the
    characters it would otherwise write raw (DEL, C1, bidi controls, separators, lone
    surrogates): the output is the same JSON value, safe to print in a terminal."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text that starts like a formula is
    prefixed with `'` (OWASP's advice), and is made printable. Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = printable(value, multiline=True)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


__all__ = [
    "as_typed",
    "check_text",
    "csv_cell",
    "describe_character",
    "printable",
    "quoted_back",
    "safe_json",
    "same_as_shown",
    "unsafe_character",
]
