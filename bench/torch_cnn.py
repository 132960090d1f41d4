#!/usr/bin/python3
"""torch_cnn.py — PyTorch side of `make bench`: the reference CNN of ordgrad's design,
trained with SGD (momentum 0.9, lr 0.05) at batch 64, timed the same way as `ordgrad bench`.

Usage (run with Debian's interpreter, which sees python3-torch):
  /usr/bin/python3 bench/torch_cnn.py --threads 2 --config fastest   # oneDNN, OpenBLAS 1 thread
  /usr/bin/python3 bench/torch_cnn.py --threads 2 --config default   # OpenBLAS threads = threads
Prints one line: RESULT {"train_img_s": ..., "infer_img_s": ..., "peak_rss_mb": ...}
Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist when present, else random
images of the same shape (throughput does not depend on the pixel values).
"""
import argparse
import json
import os
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--config", choices=["fastest", "default"], default="fastest")
ap.add_argument("--warmup", type=int, default=20)
ap.add_argument("--steps", type=int, default=100)
ap.add_argument("--windows", type=int, default=3)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--classes", type=int, default=10)
opt = ap.parse_args()

import gzip  # noqa: E402
import time  # noqa: E402
import numpy as np  # noqa: E402

from torch_common import load_torch, peak_rss_mb  # noqa: E402

torch = load_torch(opt.threads, 1 if opt.config == "fastest" else opt.threads)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def images():
    path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
    if os.path.exists(path):
        raw = gzip.open(path, "rb").read()
        x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
        x = torch.from_numpy(x.astype(np.float32) / 255.0)
        return (x - 0.2860) / 0.3530
    return torch.randn(60000, 1, 28, 28)


class ReferenceCNN(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1)
        self.d1 = nn.Linear(64 * 7 * 7, 128)
        self.d2 = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.d2(F.relu(self.d1(torch.flatten(x, 1))))


x = images()
y = torch.randint(0, opt.classes, (x.shape[0],))
model = ReferenceCNN(opt.classes)
sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
order = torch.randperm(x.shape[0])
pos = 0


def next_batch():
    global pos
    if pos + opt.batch > x.shape[0]:
        pos = 0
    idx = order[pos:pos + opt.batch]
    pos += opt.batch
    return x[idx], y[idx]


def train_step():
    xb, yb = next_batch()
    sgd.zero_grad(set_to_none=True)
    F.cross_entropy(model(xb), yb).backward()
    sgd.step()


def infer_step():
    xb, _ = next_batch()
    with torch.no_grad():
        model(xb)


def rate(step):
    for _ in range(opt.warmup):
        step()
    rates = []
    for _ in range(opt.windows):
        t0 = time.perf_counter()
        for _ in range(opt.steps):
            step()
        rates.append(opt.steps * opt.batch / (time.perf_counter() - t0))
    return sorted(rates)[len(rates) // 2]


model.train()
train = rate(train_step)
model.eval()
infer = rate(infer_step)
print("RESULT " + json.dumps({"train_img_s": train, "infer_img_s": infer, "peak_rss_mb": peak_rss_mb(),
                              "threads": opt.threads, "config": opt.config}))
sys.stdout.flush()
