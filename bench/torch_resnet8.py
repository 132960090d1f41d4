#!/usr/bin/python3
"""torch_resnet8.py — PyTorch side of `make bench` for ordgrad's `resnet8` alias
(model/architecture.cpp): 64x64 RGB inputs, trained with SGD (momentum 0.9, lr 0.05)
and cross-entropy over 10 classes at batch 64, timed the same way as `ordgrad bench`.

The network, layer for layer as ordgrad builds it:
  conv(16,3,pad=1,bias=0), bn, relu,
  3 residual blocks  res(conv(C,3,stride=s,pad=1,bias=0), bn, relu, conv(C,3,pad=1,bias=0), bn), relu
  with (C, s) = (16, 1), (32, 2), (64, 2); where the shape changes the shortcut is a
  1x1 convolution with stride 2 and a bias;  gap, dense(64 -> 10).
BatchNorm2d has PyTorch's defaults (momentum 0.1, eps 1e-5), as ordgrad's bn.

Usage (run with Debian's interpreter, which sees python3-torch):
  /usr/bin/python3 bench/torch_resnet8.py --threads 2                 # fastest: oneDNN, OpenBLAS 1 thread
  /usr/bin/python3 bench/torch_resnet8.py --threads 2 --layout nchw   # one memory format only
Prints one line: RESULT {"train_img_s": ..., "infer_img_s": ..., "peak_rss_mb": ...}
--layout best (the default) times one window in NCHW and one in channels_last after
their warm-ups, then the rest of the windows in the faster one, for training and for
inference separately (its "layout" fields say which; "by_layout", the first windows).
Data: random images (throughput does not depend on the pixel values).
"""
import argparse
import json
import os
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--layout", choices=["best", "nchw", "channels_last"], default="best")
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--windows", type=int, default=3)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--classes", type=int, default=10)
opt = ap.parse_args()

import time  # noqa: E402

from torch_common import load_torch, peak_rss_mb  # noqa: E402

torch = load_torch(opt.threads, 1)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def conv3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = conv3(cin, cout, stride), nn.BatchNorm2d(cout)
        self.c2, self.b2 = conv3(cout, cout), nn.BatchNorm2d(cout)
        self.proj = nn.Conv2d(cin, cout, 1, stride=stride) if (cin, stride) != (cout, 1) else None

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (self.proj(x) if self.proj is not None else x))


class ResNet8(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.stem, self.bn = conv3(3, 16), nn.BatchNorm2d(16)
        self.blocks = nn.Sequential(Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


n = opt.steps * opt.batch
x = torch.randn(n, 3, 64, 64)
y = torch.randint(0, opt.classes, (n,))
model = ResNet8(opt.classes)
sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
pos = 0


def next_batch(fmt):
    global pos
    if pos + opt.batch > n:
        pos = 0
    xb, yb = x[pos:pos + opt.batch], y[pos:pos + opt.batch]
    pos += opt.batch
    return xb.contiguous(memory_format=fmt), yb


def train_step(fmt):
    xb, yb = next_batch(fmt)
    sgd.zero_grad(set_to_none=True)
    F.cross_entropy(model(xb), yb).backward()
    sgd.step()


def infer_step(fmt):
    xb, _ = next_batch(fmt)
    with torch.no_grad():
        model(xb)


def windows(step, fmt, count, warmup):
    model.to(memory_format=fmt)
    for _ in range(warmup):
        step(fmt)
    rates = []
    for _ in range(count):
        t0 = time.perf_counter()
        for _ in range(opt.steps):
            step(fmt)
        rates.append(opt.steps * opt.batch / (time.perf_counter() - t0))
    return rates


layouts = {"nchw": torch.contiguous_format, "channels_last": torch.channels_last}
tried = list(layouts) if opt.layout == "best" else [opt.layout]


def best(step):
    # One window per layout picks the faster; it then runs the remaining windows, and
    # the median of its windows is reported (a full set for each layout doubled the time).
    first = {name: windows(step, layouts[name], 1, opt.warmup) for name in tried}
    name = max(first, key=lambda n: first[n][0])
    rates = first[name] + windows(step, layouts[name], opt.windows - 1, 1)  # 1 step back in its layout
    return sorted(rates)[len(rates) // 2], name, {n: r[0] for n, r in first.items()}


model.train()
train, train_layout, train_all = best(train_step)
model.eval()
infer, infer_layout, infer_all = best(infer_step)
print("RESULT " + json.dumps({"train_img_s": train, "infer_img_s": infer, "peak_rss_mb": peak_rss_mb(),
                              "threads": opt.threads, "train_layout": train_layout,
                              "infer_layout": infer_layout, "train_by_layout": train_all,
                              "infer_by_layout": infer_all}))
sys.stdout.flush()
