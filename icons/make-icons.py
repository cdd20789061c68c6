#!/usr/bin/env python3
"""Draws Atrium's icon (an open courtyard: a rounded square with an arch) as PNGs, with no dependencies.

Run once after changing the design: python3 icons/make-icons.py
"""
import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def png(size: int) -> bytes:
    rows = []
    r = size * 0.22  # corner radius
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            cx, cy = x + 0.5, y + 0.5
            # rounded-square coverage
            dx = max(r - cx, 0, cx - (size - r))
            dy = max(r - cy, 0, cy - (size - r))
            inside = 1.0 - min(max(math.hypot(dx, dy) - r + 0.5, 0.0), 1.0)
            t = cy / size
            bg = (int(40 + 30 * t), int(92 + 20 * t), int(214 - 40 * t))
            # the arch: a ring's upper half on two pillars
            ax, ay = size / 2, size * 0.52
            outer, inner = size * 0.30, size * 0.18
            d = math.hypot(cx - ax, cy - ay)
            ring = inner <= d <= outer and cy <= ay
            pillar = ay < cy <= size * 0.80 and (ax - outer <= cx <= ax - inner or ax + inner <= cx <= ax + outer)
            base = size * 0.80 < cy <= size * 0.86 and ax - outer - size * 0.04 <= cx <= ax + outer + size * 0.04
            color = (250, 250, 252) if (ring or pillar or base) else bg
            row += bytes(color) + bytes([int(255 * inside)])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    (HERE / name).write_bytes(png(size))
    print("wrote", name)
