"""Characters nobody can review: refused where contributors write them, escaped wherever text is printed.

A control character (a NUL, an escape sequence) or a bidirectional override hides or reorders what a
reviewer reads in a diff, a terminal or a page; a zero-width character makes two titles, ids or names
that look the same compare different. The first two are refused anywhere in a record or a BibTeX file,
zero-width characters where they make look-alikes (titles, ids, names); output escapes all three.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab and newline, DEL, C1 controls.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the invisible marks.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# Zero-width and invisible formatting characters.
_ZERO_WIDTH = "\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad"

HIDDEN = re.compile(f"[{_CONTROL}{_BIDI}]")
INVISIBLE = re.compile(f"[{_ZERO_WIDTH}]")
_UNPRINTABLE = re.compile(f"[{_CONTROL}{_BIDI}{_ZERO_WIDTH}]")


def describe(character: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: how a problem names a character the reader cannot see."""
    name = unicodedata.name(character, "") or ("a control character" if unicodedata.category(character) == "Cc" else "unnamed")
    return f"U+{ord(character):04X} ({name})"


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """(line, what) for each line of `text` holding a control or bidirectional character, the first of each line."""
    found = []
    seen_lines: set[int] = set()
    for match in HIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line not in seen_lines:
            seen_lines.add(line)
            found.append((line, describe(match.group())))
    return found


def hidden_message(what: str) -> str:
    return f"holds the invisible character {what}, which hides or reorders text in review; delete it"


def invisible_in(text: str) -> str | None:
    """The first zero-width character of `text`, described, or None."""
    match = INVISIBLE.search(text)
    return describe(match.group()) if match else None


def inert(text: str) -> str:
    """`text` with every control, bidirectional and zero-width character written as an escape (`\\u202e`),
    so that printing it cannot move the cursor, clear a terminal or reorder a line."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
