"""torch_common.py — what the PyTorch sides of `make bench` share: loading torch with
the thread settings of a configuration (they must be in the environment before torch
loads OpenBLAS and OpenMP), and the process's peak memory."""
import os


def load_torch(threads, openblas_threads):
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(openblas_threads)
    import torch

    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = True
    torch.manual_seed(0)
    return torch


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")
