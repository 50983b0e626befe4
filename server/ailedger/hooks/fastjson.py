"""JSON for the before-edit hook, without the `json` package's Python layer.

`json` imports `re` (and through it enum, functools, collections): about
10 ms of a hook that should take about 15, and an agent waits on every
before-edit hook. The work is done by `_json`, the C accelerator `json`
itself uses, driven the way json/decoder.py and json/encoder.py drive it.
Where it is missing (another Python) or disagrees (bad input, an odd
encoding), `json` is asked instead: same results, same errors.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SPACE = " \t\n\r"  # JSON's whitespace


class _Decoding:
    """The settings `_json.make_scanner` reads, as json.JSONDecoder() has them by default."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity


def loads(data: bytes | str) -> Any:
    try:
        from _json import make_scanner

        text = data.decode("utf-8") if isinstance(data, bytes) else data
        start = len(text) - len(text.lstrip(_SPACE))
        value, end = make_scanner(_Decoding)(text, start)
        if text[end:].strip(_SPACE):
            raise ValueError("extra data")
        return value
    except Exception:  # noqa: BLE001 - json says what is wrong, in its own words
        import json

        return json.loads(data)


def _unencodable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """As json.dumps(value) (ASCII, `", "` and `": "` separators)."""
    try:
        from _json import encode_basestring_ascii, make_encoder

        encode = make_encoder({}, _unencodable, encode_basestring_ascii, None, ": ", ", ", False, False, True)
        return "".join(encode(value, 0))
    except ImportError:
        import json

        return json.dumps(value)
