#!/usr/bin/env python3
"""Decodes an 8-bit RGB/RGBA PNG (as Chromium writes screenshots) with zlib only, and prints
{"width", "height", "non_white", "colours"}: the fraction of pixels that are not near-white and
the number of distinct colours (quantised to 4 bits per channel). Exit 1 if it is not such a PNG.
"""
import json
import struct
import sys
import zlib


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        print("not a PNG", file=sys.stderr)
        return 1
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                print(f"unsupported PNG: depth {depth} colour type {colour}", file=sys.stderr)
                return 1
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    non_white, colours, i = 0, set(), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        for x in range(0, stride, bpp * 4):  # every 4th pixel is enough
            r, g, bl = line[x], line[x + 1], line[x + 2]
            if r < 235 or g < 235 or bl < 235:
                non_white += 1
            colours.add((r >> 4, g >> 4, bl >> 4))
        prev = line
    sampled = height * ((width + 3) // 4)
    json.dump({"width": width, "height": height, "non_white": non_white / max(sampled, 1),
               "colours": len(colours)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
