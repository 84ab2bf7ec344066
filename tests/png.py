"""Reading the pixels of a PNG with the standard library: enough to test a screenshot.

8-bit RGB and RGBA, not interlaced (what Chromium writes).  The scanline
filters are undone row by row; ``Up`` and ``Sub`` with whole-row integer
arithmetic (each byte added mod 256 to its neighbour's, as "SIMD within a
register" on one big integer), ``Average`` and ``Paeth`` byte by byte.
"""

from __future__ import annotations

import zlib

__all__ = ("Image", "read_png")

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Image:
    """Pixels as ``rows[y]``: the bytes of row *y*, ``channels`` bytes per pixel."""

    def __init__(self, width: int, height: int, channels: int, rows: list[bytes]) -> None:
        self.width = width
        self.height = height
        self.channels = channels
        self.rows = rows

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        row, i = self.rows[y], x * self.channels
        return row[i], row[i + 1], row[i + 2]

    def colours(self, box: tuple[int, int, int, int] | None = None) -> dict[bytes, int]:
        """How many pixels of each RGB colour (3 bytes) lie in *box* (x0, y0, x1, y1)."""
        x0, y0, x1, y1 = box or (0, 0, self.width, self.height)
        step = self.channels
        counts: dict[bytes, int] = {}
        for row in self.rows[y0:y1]:
            for i in range(x0 * step, x1 * step, step):
                key = row[i : i + 3]
                counts[key] = counts.get(key, 0) + 1
        return counts


def _masks(size: int) -> tuple[int, int]:
    low = int.from_bytes(b"\x7f" * size, "big")
    return low, low ^ int.from_bytes(b"\xff" * size, "big")


def _add(a: int, b: int, low: int, high: int) -> int:
    """Bytewise ``(a + b) mod 256`` of two integers holding equally long byte strings."""
    return ((a & low) + (b & low)) ^ ((a ^ b) & high)


def _up(raw: bytes, prior: bytes) -> bytes:
    low, high = _masks(len(raw))
    total = _add(int.from_bytes(raw, "big"), int.from_bytes(prior, "big"), low, high)
    return total.to_bytes(len(raw), "big")


def _sub(raw: bytes, bpp: int) -> bytes:
    """The running sum, pixel after pixel: doubling steps of whole-row additions."""
    low, high = _masks(len(raw))
    value = int.from_bytes(raw, "big")
    shift = bpp * 8
    while shift < len(raw) * 8:
        value = _add(value, value >> shift, low, high)  # byte i += byte i - shift
        shift *= 2
    return value.to_bytes(len(raw), "big")


def _average(raw: bytes, prior: bytes, bpp: int) -> bytes:
    out = bytearray(raw)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((left + prior[i]) >> 1)) & 0xFF
    return bytes(out)


def _paeth(raw: bytes, prior: bytes, bpp: int) -> bytes:
    out = bytearray(raw)
    for i in range(len(out)):
        if i >= bpp:
            a, b, c = out[i - bpp], prior[i], prior[i - bpp]
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        else:
            pred = prior[i]
        out[i] = (out[i] + pred) & 0xFF
    return bytes(out)


def read_png(data: bytes) -> Image:
    """The pixels of an 8-bit RGB or RGBA PNG."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    pos, idat = len(_SIGNATURE), bytearray()
    width = height = channels = 0
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth, colour, interlace = body[8], body[9], body[12]
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG: depth {depth}, colour {colour}")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    pixels = zlib.decompress(bytes(idat))
    stride = width * channels
    prior = bytes(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, raw = pixels[start], pixels[start + 1 : start + 1 + stride]
        if kind == 0:
            row = raw
        elif kind == 1:
            row = _sub(raw, channels)
        elif kind == 2:
            row = _up(raw, prior)
        elif kind == 3:
            row = _average(raw, prior, channels)
        elif kind == 4:
            row = _paeth(raw, prior, channels)
        else:
            raise ValueError(f"unknown PNG filter {kind} in row {y}")
        rows.append(row)
        prior = row
    return Image(width, height, channels, rows)
