"""Writes the PWA's PNG icons (stdlib only): the character 一 as a white bar on the theme blue.

Run ``python scripts/make_icons.py``; the PNGs are committed, so this runs only when the design changes.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "pwa" / "icons"
THEME = (0x1D, 0x4F, 0x91)
WHITE = (0xFF, 0xFF, 0xFF)


def png(width: int, height: int, pixel) -> bytes:  # type: ignore[no-untyped-def]
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def icon(size: int, bar_width: float) -> bytes:
    """A bar ``bar_width`` of the size wide, 1/9 of it tall, centred; maskable icons use a narrower bar."""
    half_w, half_h = size * bar_width / 2, size / 18

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        inside = abs(x + 0.5 - size / 2) <= half_w and abs(y + 0.5 - size / 2) <= half_h
        return WHITE if inside else THEME

    return png(size, size, pixel)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon-192.png").write_bytes(icon(192, 0.62))
    (ICONS / "icon-512.png").write_bytes(icon(512, 0.62))
    (ICONS / "maskable-512.png").write_bytes(icon(512, 0.46))  # inside the 80 % safe zone
    (ICONS / "apple-touch-icon.png").write_bytes(icon(180, 0.62))


if __name__ == "__main__":
    main()
