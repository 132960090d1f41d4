#!/usr/bin/env python3
"""fashion_subset.py OUT N_TRAIN N_TEST — the first N_TRAIN training and N_TEST test images
of Debian's Fashion-MNIST as an image folder ordgrad reads: OUT/images/*.png (8-bit
grayscale, the 28x28 bytes unchanged) and the manifests OUT/train.csv, and OUT/val.csv and
OUT/test.csv with the first and second half of the test images. Standard library only."""
import gzip
import os
import struct
import sys
import zlib

SRC = "/usr/share/datasets/fashion-mnist"


def read(prefix, n):
    with gzip.open(f"{SRC}/{prefix}-images-idx3-ubyte.gz") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051 and n <= count, (magic, count)
        pixels = f.read(n * rows * cols)
    with gzip.open(f"{SRC}/{prefix}-labels-idx1-ubyte.gz") as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 2049 and n <= count, (magic, count)
        labels = f.read(n)
    size = rows * cols
    return [(pixels[i * size:(i + 1) * size], labels[i]) for i in range(n)], rows, cols


def png(img, rows, cols):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + img[r * cols:(r + 1) * cols] for r in range(rows))  # filter 0 per row
    header = struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def main():
    out, n_train, n_test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(f"{out}/images", exist_ok=True)
    for part, prefix, n in (("train", "train", n_train), ("test", "t10k", n_test)):
        items, rows, cols = read(prefix, n)
        lines = ["path,label"]
        for i, (img, label) in enumerate(items):
            name = f"images/{part}{i:05d}.png"
            with open(f"{out}/{name}", "wb") as f:
                f.write(png(img, rows, cols))
            lines.append(f"{name},{label}")
        halves = {"train": lines} if part == "train" else {
            "val": lines[:1 + n // 2], "test": lines[:1] + lines[1 + n // 2:]}
        for name, rows_of_part in halves.items():
            with open(f"{out}/{name}.csv", "w") as f:
                f.write("\n".join(rows_of_part) + "\n")


if __name__ == "__main__":
    main()
