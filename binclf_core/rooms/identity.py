"""Join codes, secret keys and display names: the parts of a room a person types or is handed.

Codes and keys come from `secrets`. A code avoids look-alike characters (0/O, 1/I/L, 2/Z, 5/S,
8/B, U/V), so a room can read it off a projector. Keys are stored only as their SHA-256: a copy
of the database opens no board and impersonates no attendee.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"  # no 0 O 1 I L 2 Z 5 S 8 B U V
CODE_LENGTH = 4  # 23**4 = 279,841 codes; a code that is taken is drawn again
MAX_NAME_LENGTH = 24
MAX_ATTENDEES = 100


class RoomError(ValueError):
    """A room action that cannot be done, said in the user's words."""


@dataclass(frozen=True)
class Attendee:
    """Someone in a room: their row id (public within the room, never their secret seat key) and name."""

    id: int
    room: str
    name: str


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes (`kq7m`, `KQ-7M` → `KQ7M`)."""
    return "".join(c for c in str(text).upper() if c.isalnum())


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


def new_key() -> str:
    """A secret for a URL: 128 random bits."""
    return secrets.token_urlsafe(16)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def same_key(key: str | None, stored_hash: str) -> bool:
    """Whether `key` is the one `stored_hash` was made from, in constant time."""
    return bool(key) and hmac.compare_digest(key_hash(key), stored_hash)


def clean_name(text: str) -> str:
    """A display name as kept: control characters dropped, spaces collapsed; RoomError if empty or too long.

    Markup stays as typed (it is always shown as text, never as HTML): `<b>Ann</b>` is a name.
    """
    kept = "".join(" " if c.isspace() else c for c in str(text)
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))  # controls, invisible marks
    kept = " ".join(kept.split())
    if not kept:
        raise RoomError("Type a display name to join the room.")
    if len(kept) > MAX_NAME_LENGTH:
        raise RoomError(f"A display name has at most {MAX_NAME_LENGTH} characters; this one has {len(kept)}.")
    return kept
