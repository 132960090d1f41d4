#!/usr/bin/env python3
"""onnx_check.py MODEL.onnx PREDICT.csv [CHANNELS] — checks an ordgrad ONNX export
with other runtimes: Debian's onnx checker must accept it, and OpenCV's DNN module must
compute, on the images listed in PREDICT.csv (written by `ordgrad predict --top K --csv`),
every class probability ordgrad printed, to 1e-4 (paths as predict printed them, from
the same working directory). Images are read with OpenCV (grayscale,
or RGB for 3 channels), scaled to [0, 1]. Prints the largest difference; exits 1 above 1e-4."""
import csv
import os
import sys

import cv2
import numpy as np
import onnx


def main():
    path, pred_path = sys.argv[1:3]
    channels = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    K = int(meta["classes"])
    names = meta["label_names"].split(",") if meta.get("label_names") else None
    offset = int(meta.get("label_offset", "0"))
    net = cv2.dnn.readNetFromONNX(path)
    rows = list(csv.DictReader(open(pred_path)))
    images = []
    for r in rows:
        file = r["path"]
        if channels == 1:
            img = cv2.imread(file, cv2.IMREAD_GRAYSCALE)[None]
        else:
            img = cv2.cvtColor(cv2.imread(file, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).transpose(2, 0, 1)
        images.append(img.astype(np.float32) / 255)
    worst = 0.0
    for start in range(0, len(images), 64):
        net.setInput(np.stack(images[start:start + 64]))
        p = net.forward()
        for i, row in enumerate(rows[start:start + 64]):
            for k in range(1, K + 1):
                label = row[f"top{k}"]
                cls = names.index(label) if names else int(label) - offset
                worst = max(worst, abs(float(p[i, cls]) - float(row[f"p{k}"])))
    classes = len({r["predicted"] for r in rows})
    print(f"onnx_check: {os.path.basename(path)} ({meta['head']} head): checker ok; OpenCV {cv2.__version__} on "
          f"{len(rows)} images x {K} classes ({classes} predicted), largest |p - ordgrad's p| = {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    main()
