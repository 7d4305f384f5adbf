"""The URL codec: the whole app state in one query parameter, and back.

State is a JSON object (schedules as :meth:`Curve.to_dict`), compressed and base64url-encoded so a
link stays short. Decoding never evaluates anything; a malformed value raises ``ValueError`` with
a message the page can show before falling back to defaults.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

MAX_LEN = 16_000  # characters of one encoded parameter; far above any real state


def encode(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode(text: str) -> dict:
    if not isinstance(text, str) or not text:
        raise ValueError("the link's state is empty")
    if len(text) > MAX_LEN:
        raise ValueError(f"the link's state is too long ({len(text)} characters; at most {MAX_LEN})")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = zlib.decompressobj().decompress(raw, 1_000_000)
        state = json.loads(data)
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError) as e:
        raise ValueError(f"the link's state could not be read ({type(e).__name__})") from None
    except RecursionError:
        raise ValueError("the link's state is nested too deeply") from None
    if not isinstance(state, dict):
        raise ValueError("the link's state is not an object")
    return state
