#!/usr/bin/env python3
"""Writes ../html/favicon.ico: the site's diamond, white on its green, at 16,
32 and 48 pixels (PNG images inside an ICO, as every current browser reads).
Standard library only; run it again after changing the colours."""
import os
import struct
import zlib

ACCENT = (0x0B, 0x6E, 0x4F)
WHITE = (0xFF, 0xFF, 0xFF)


def coverage(inside, x, y, samples=4):
    """The share of pixel (x, y) for which inside(u, v) holds (u, v in 0..1 of the pixel grid)."""
    hits = sum(inside(x + (i + .5) / samples, y + (j + .5) / samples) for i in range(samples) for j in range(samples))
    return hits / samples ** 2


def image(size):
    radius = size * .22

    def square(u, v):  # a rounded square filling the icon
        cx, cy = min(max(u, radius), size - radius), min(max(v, radius), size - radius)
        return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2

    def diamond(u, v):
        return abs(u - size / 2) + abs(v - size / 2) <= size * .3

    rows = []
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            alpha, white = coverage(square, x, y), coverage(diamond, x, y)
            colour = [round(a * (1 - white) + b * white) for a, b in zip(ACCENT, WHITE)]
            row += bytes(colour + [round(255 * alpha)])
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(images):
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in images:
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in images)


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "html", "favicon.ico")
    with open(target, "wb") as f:
        f.write(ico([(size, image(size)) for size in (16, 32, 48)]))
    print(os.path.normpath(target))
