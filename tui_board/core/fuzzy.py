"""Fuzzy matching for pickers: `web log` finds "WEB-12 Fix the login bug".

Labels are other people's text (names, titles), so the matcher must cost the same on
any label: it is linear in the label's length. (Textual's own fuzzy search tries every
way a query can match, which a crafted label of repeated letters turns into seconds
per keystroke.) Like fzf's first algorithm: the leftmost match, then the shortest
window that ends where it ends; a score that prefers word starts and letters in a row.
"""

from __future__ import annotations

from dataclasses import dataclass

_WORD_BREAKS = frozenset(" -_/.:,()[]#@")


@dataclass(frozen=True)
class Match:
    score: float
    #: The label's character indexes that the query's letters matched.
    offsets: tuple[int, ...]


def fuzzy_match(query: str, label: str) -> Match | None:
    """How well `label` holds the letters of `query` in order (case and spaces in
    the query ignored); None when it does not hold them all."""
    wanted = [c for c in query.casefold() if not c.isspace()]
    if not wanted:
        return Match(0.0, ())
    text = label.casefold()
    if len(text) != len(label):  # casefold changed lengths (ß -> ss): match as typed
        text = label.lower() if len(label.lower()) == len(label) else label
    # Forward: the leftmost place where the whole query has matched.
    end = -1
    position = 0
    for char in wanted:
        end = text.find(char, position)
        if end < 0:
            return None
        position = end + 1
    # Backward from there: the latest start, so the window is as short as it gets.
    offsets = [0] * len(wanted)
    position = end
    for i in range(len(wanted) - 1, -1, -1):
        position = text.rfind(wanted[i], 0, position + 1)
        offsets[i] = position
        position -= 1
    return Match(_score(text, offsets), tuple(offsets))


def _score(text: str, offsets: list[int]) -> float:
    score = 0.0
    previous = -2
    for offset in offsets:
        score += 1.0
        if offset == 0 or text[offset - 1] in _WORD_BREAKS:
            score += 2.0  # a word's first letter
        if offset == previous + 1:
            score += 1.5  # letters in a row
        previous = offset
    window = offsets[-1] - offsets[0] + 1
    return score - 0.05 * (window - len(offsets)) - 0.001 * offsets[0]


__all__ = ["Match", "fuzzy_match"]
