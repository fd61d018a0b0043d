"""A stream sealed in frames with AES-256-GCM (the ``cryptography`` library), so a file of any
size is encrypted and checked with flat memory.

The layout is the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online
authenticated-encryption and its nonce-reuse misuse-resistance", 2015), as age and Tink's
streaming AEAD use it: the plaintext is cut into frames of ``FRAME`` bytes; frame *i* is sealed
under the nonce ``i ‖ last`` (an 11-byte counter and a final-frame flag) with the stream's
header as associated data. Each frame is written as a 4-byte length, whose top bit repeats the
flag, and the ciphertext with its tag. So a frame that is altered, moved, dropped or taken from
another stream fails its tag; a stream cut after any frame lacks the final flag; bytes after
the final frame are refused. The key must be used for one stream only (the backup derives a
fresh one from a random salt each time), which is what makes a counter a safe nonce.
"""

import io

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FRAME = 1 << 20  # plaintext bytes per frame
TAG = 16
LAST = 0x8000_0000  # the final-frame flag, in the top bit of the length


class StreamDamaged(Exception):
    """The stream was altered, cut short or sealed under another key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "tampered" (or wrong key), "incomplete", "trailing"


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """Writes sealed frames to ``raw``; ``close()`` writes the final frame (``raw`` stays open)."""

    def __init__(self, raw, *, key: bytes, header: bytes):
        self._raw, self._aead, self._header = raw, AESGCM(key), header
        self._buffer = bytearray()
        self._index = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= FRAME:
            self._seal(bytes(self._buffer[:FRAME]), last=False)
            del self._buffer[:FRAME]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, last), plaintext, self._header)
        self._raw.write((len(sealed) | (LAST if last else 0)).to_bytes(4, "big") + sealed)
        self._index += 1


class OpeningReader(io.RawIOBase):
    """Reads the plaintext of sealed frames from ``raw``, each checked before any of its bytes
    is returned; raises StreamDamaged rather than return bytes that were not sealed whole."""

    def __init__(self, raw, *, key: bytes, header: bytes):
        self._raw, self._aead, self._header = raw, AESGCM(key), header
        self._plain = b""
        self._offset = 0
        self._index = 0
        self.finished = False  # the final frame was read and nothing follows it

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while self._offset == len(self._plain) and not self.finished:
            self._open_next()
        count = min(len(target), len(self._plain) - self._offset)
        target[:count] = self._plain[self._offset : self._offset + count]
        self._offset += count
        return count

    def _open_next(self) -> None:
        prefix = self._raw.read(4)
        if len(prefix) < 4:
            raise StreamDamaged("incomplete")
        length = int.from_bytes(prefix, "big")
        last, size = bool(length & LAST), length & ~LAST
        if size > FRAME + TAG:
            raise StreamDamaged("tampered")
        sealed = self._raw.read(size)
        if len(sealed) < size:
            raise StreamDamaged("incomplete")
        try:
            self._plain = self._aead.decrypt(_nonce(self._index, last), sealed, self._header)
        except InvalidTag as exc:
            raise StreamDamaged("tampered") from exc
        self._offset = 0
        self._index += 1
        if last:
            if self._raw.read(1):
                raise StreamDamaged("trailing")
            self.finished = True
