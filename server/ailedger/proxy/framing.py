"""LSP base-protocol framing (`Content-Length: N\r\n\r\n` + body), read only
to observe: the bytes themselves are forwarded untouched elsewhere."""

from __future__ import annotations

HEADER_END = b"\r\n\r\n"
MAX_HEADER = 1 << 16  # a "header" longer than this is not LSP; stop looking


class Framer:
    """Splits one direction's byte stream into message bodies, however the
    stream is chunked."""

    __slots__ = ("buf", "need")

    def __init__(self) -> None:
        self.buf = bytearray()
        self.need: int | None = None  # body length still to come, once a header is read

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        bodies = []
        while True:
            if self.need is None:
                end = self.buf.find(HEADER_END)
                if end < 0:
                    if len(self.buf) > MAX_HEADER:
                        self.buf.clear()
                    return bodies
                length = content_length(bytes(self.buf[:end]))
                del self.buf[: end + len(HEADER_END)]
                if length is None:
                    continue  # a header without a length frames nothing
                self.need = length
            if len(self.buf) < self.need:
                return bodies
            bodies.append(bytes(self.buf[: self.need]))
            del self.buf[: self.need]
            self.need = None


def content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
            return length if length >= 0 else None
    return None
