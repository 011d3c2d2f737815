"""Salesforce record ids: 15 case-sensitive characters plus a 3-character case-safe suffix.

An id starts with its object's three-character key prefix (001 Account, 006 Opportunity ...).
The 18-character form appends one character per block of five, spelling which letters of
the block are upper case, so that the id survives case-insensitive systems (spreadsheets,
NetSuite fields). Salesforce accepts either form wherever an id is expected and always
answers with the 18-character one; `normalize` does the same here.
"""

from __future__ import annotations

import itertools
import re
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
_ID_SHAPE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")

# Characters 4-6 hold the pod and a reserved digit in real ids; any fixed value will do here.
_INSTANCE = "5g0"


def case_safe_suffix(id15: str) -> str:
    """The three checksum characters: bit i of block b is set when id15[5b+i] is upper case."""
    suffix = ""
    for block in range(3):
        bits = 0
        for position, char in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += SUFFIX_ALPHABET[bits]
    return suffix


def to_18(id15: str) -> str:
    return id15 + case_safe_suffix(id15)


def normalize(record_id: str) -> str | None:
    """The canonical 18-character id, or None when `record_id` is not a well-formed id.

    An 18-character id may arrive in any case: its suffix says which letters of the first
    15 are upper case, and Salesforce restores them from it, as this does.
    """
    if not isinstance(record_id, str) or not _ID_SHAPE.match(record_id):
        return None
    if len(record_id) == 15:
        return to_18(record_id)
    id15 = _restore_case(record_id[:15], record_id[15:].upper())
    return None if id15 is None else to_18(id15)


def _restore_case(id15: str, suffix: str) -> str | None:
    chars = list(id15)
    for block, code in enumerate(suffix):
        bits = SUFFIX_ALPHABET.index(code) if code in SUFFIX_ALPHABET else -1
        if bits < 0:
            return None
        for position in range(5):
            index = block * 5 + position
            upper = bool(bits & (1 << position))
            if upper and not chars[index].isalpha():
                return None
            if chars[index].isalpha():
                chars[index] = chars[index].upper() if upper else chars[index].lower()
    return "".join(chars)


def base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return digits.rjust(width, "0")


class IdFactory:
    """Hands out fresh 18-character ids per key prefix, in ascending order like a real org."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new(self, key_prefix: str) -> str:
        serial = base62(next(self._counter), 15 - len(key_prefix) - len(_INSTANCE))
        return to_18(key_prefix + _INSTANCE + serial)
