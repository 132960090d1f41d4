#!/usr/bin/env python3
"""safetensors_numpy.py MODEL.safetensors TABLE.csv PREDICT.csv — reads an ordgrad
safetensors file with json and numpy alone (no ordgrad code), runs the network it
describes on the table's feature columns (column 1 is the label), and checks every
class probability against `ordgrad predict --top K --csv PREDICT.csv`. Knows the layers
of table models: flatten, dense(N), relu, leakyrelu, sigmoid, tanh, then a softmax head.
Prints the largest difference; exits 1 above 1e-5."""
import csv
import json
import re
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
    return meta, tensors


def activation(w, x):
    if w == "relu":
        return np.maximum(x, 0)
    if w.startswith("leakyrelu"):
        m = re.search(r"\(([^)]*)\)", w)
        return np.where(x > 0, x, x * (float(m.group(1)) if m else 0.01))
    if w == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if w == "tanh":
        return np.tanh(x)
    raise SystemExit(f"safetensors_numpy: layer '{w}' is not a table model's")


def forward(meta, t, x):
    """The dense layers are the tensors '<i>.weight' in order of i (a dense layer and the
    activation after it are one module, so i counts modules, not words); the last is the
    head. Each dense word's activation is the word after it."""
    if "input.mean" in t:
        x = (x - t["input.mean"]) / t["input.std"]
    x = x.reshape(len(x), -1)
    words = [w.strip() for w in meta["architecture"].split(",") if w.strip()]
    modules = sorted({int(n.split(".")[0]) for n in t if n.endswith(".weight")})
    dense = [i for i, w in enumerate(words) if w.startswith("dense")]
    assert len(modules) == len(dense) + 1, (modules, words)
    for k, m in enumerate(modules):
        x = x @ t[f"{m}.weight"].astype(np.float64).T
        if f"{m}.bias" in t:
            x = x + t[f"{m}.bias"]
        if k < len(dense):
            w = dense[k]
            if w + 1 < len(words) and not words[w + 1].startswith("dense"):
                x = activation(words[w + 1], x)
    assert meta["head"] == "softmax", meta["head"]
    x = x / float(meta.get("temperature", "1"))  # a calibrated model (ordgrad calibrate)
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def main():
    meta, t = read_safetensors(sys.argv[1])
    rows = list(csv.reader(open(sys.argv[2])))
    if any(not re.fullmatch(r"[-+0-9.eE]+", c.strip()) for c in rows[0]):
        rows = rows[1:]  # a header
    x = np.array([[float(c) for c in r[1:]] for r in rows], dtype=np.float32).astype(np.float64)
    p = forward(meta, t, x)
    names = meta.get("label_names", "").split(",") if meta.get("label_names") else None
    offset = int(meta["label_offset"])
    worst = 0.0
    pred = list(csv.DictReader(open(sys.argv[3])))
    assert len(pred) == len(p), (len(pred), len(p))
    for i, r in enumerate(pred):
        k = 1
        while f"top{k}" in r:
            label = r[f"top{k}"]
            cls = names.index(label) if names else int(label) - offset
            worst = max(worst, abs(p[i, cls] - float(r[f"p{k}"])))
            k += 1
        assert k - 1 == p.shape[1], (k, p.shape)
    print(f"safetensors_numpy: {len(p)} rows x {p.shape[1]} classes, largest |p - ordgrad's p| = {worst:.2e}")
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
