#!/usr/bin/python3
"""reference_polr.py — reference proportional-odds (cumulative link) fits from statsmodels.

Run by hand from the repository root, never by the tests:

    /usr/bin/python3 scripts/reference_polr.py          # Debian python3-statsmodels

1. Reads tests/data/cement_strength.csv (a copy of the shared table) and writes
   tests/data/cement_weighted.csv: the columns response, V1 (cement), V2 (slag), V4 (water),
   V8 (age) copied as text, plus a column `weight` with w_i = 1 + (i mod 3) for data row
   i = 0, 1, 2, ... (integer frequency weights 1, 2, 3, 1, 2, 3, ...).
2. Fits statsmodels' OrderedModel (distr 'logit' and 'probit') on that table. OrderedModel
   has no weights argument, so row i is repeated w_i times, which gives exactly the
   weighted log-likelihood sum_i w_i log p_i. The features are rounded to float32 first,
   so the fit is the exact maximum-likelihood estimate for the numbers ordgrad reads.
   BFGS (gtol 1e-10) from statsmodels' start values, then Newton from the BFGS solution.
3. Checks convergence independently: the analytic gradient of the weighted
   log-likelihood at the solution, computed here from the plain parameters, and the
   Newton step it implies (the distance to the exact optimum).
4. Prints beta and the ordered thresholds theta_1 < ... < theta_{K-1} in the raw feature
   scale with 10 significant digits, and the same fit in the standardised scale of
   og::Standardizer (weighted mean, population sd).

Model (statsmodels' convention, no intercept): P(y <= k | x) = F(theta_k - x.beta), F the
logistic or standard normal cdf. statsmodels' own threshold parameters are theta_1 followed
by log(theta_k - theta_{k-1}); they are converted to theta with transform_threshold_params.
"""
import csv
import os
import sys
import warnings

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "tests", "data", "cement_strength.csv")
TABLE = os.path.join(ROOT, "tests", "data", "cement_weighted.csv")
FEATURES = ["V1", "V2", "V4", "V8"]


def write_weighted_table():
    with open(SOURCE, newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    cols = [0] + [header.index(name) for name in FEATURES]
    with open(TABLE, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([header[c] for c in cols] + ["weight"])
        for i, row in enumerate(data):
            out.writerow([row[c] for c in cols] + [str(1 + i % 3)])


def read_weighted_table():
    with open(TABLE, newline="") as f:
        rows = list(csv.reader(f))
    data = np.array(rows[1:], dtype=np.float64)
    y = data[:, 0].astype(int)
    x = data[:, 1:-1].astype(np.float32).astype(np.float64)  # what ordgrad reads
    w = data[:, -1].astype(int)
    return y, x, w


def weighted_gradient(dist, theta, beta, y, x, w):
    """d/d(beta, theta) of sum_i w_i log p_i, with p_i = F(theta_y - eta) - F(theta_{y-1} - eta)."""
    K = len(theta) + 1
    cut = np.concatenate(([-np.inf], theta, [np.inf]))
    cls = y - y.min()
    eta = x @ beta
    upp, low = cut[cls + 1] - eta, cut[cls] - eta
    p = dist.cdf(upp) - dist.cdf(low)
    fu, fl = dist.pdf(upp), dist.pdf(low)  # pdf(+-inf) = 0
    g_beta = -(w * (fu - fl) / p) @ x
    g_theta = np.zeros(K + 1)
    np.add.at(g_theta, cls + 1, w * fu / p)
    np.add.at(g_theta, cls, -w * fl / p)
    return np.concatenate((g_beta, g_theta[1:K]))


def fit(distr, y, x, w):
    yr, xr = np.repeat(y, w), np.repeat(x, w, axis=0)
    model = OrderedModel(yr, xr, distr=distr)
    with warnings.catch_warnings():  # reported below from mle_retvals instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        bfgs = model.fit(method="bfgs", gtol=1e-10, maxiter=20000, disp=False)
    res = model.fit(start_params=bfgs.params, method="newton", tol=1e-12, maxiter=200, disp=False)
    assert res.mle_retvals["converged"], f"{distr}: newton did not converge"
    params = np.asarray(res.params)
    F = len(FEATURES)
    beta = params[:F]
    theta = model.transform_threshold_params(params)[1:-1]
    dist = stats.logistic if distr == "logit" else stats.norm
    grad = weighted_gradient(dist, theta, beta, y, x, w)
    # Newton step -H^{-1} g in the plain parameters, H by central differences of the
    # analytic gradient: the remaining distance to the exact optimum.
    z0 = np.concatenate((beta, theta))
    H = np.zeros((len(z0), len(z0)))
    for j in range(len(z0)):
        h = 1e-5 * max(1.0, abs(z0[j]))
        e = np.zeros(len(z0))
        e[j] = h
        gp = weighted_gradient(dist, z0[len(beta):] + e[len(beta):], z0[:len(beta)] + e[:len(beta)], y, x, w)
        gm = weighted_gradient(dist, z0[len(beta):] - e[len(beta):], z0[:len(beta)] - e[:len(beta)], y, x, w)
        H[:, j] = (gp - gm) / (2 * h)
    step = -np.linalg.solve(H, grad)
    assert np.abs(step).max() < 1e-8, f"{distr}: not at the optimum (Newton step {step})"
    return {
        "beta": beta, "theta": theta, "loglike": res.llf, "converged": res.mle_retvals["converged"],
        "bfgs": bfgs.mle_retvals, "grad": grad, "step": step, "labels": model.labels,
    }


def standardised_check(distr, y, x, w, mean, sd, beta, theta):
    """Fit again on z = (x - mean) / sd and map back to the raw scale: the largest difference.
    (beta_raw = beta_z / sd, theta_raw = theta_z + beta_raw . mean.)"""
    z = (x - mean) / sd
    model = OrderedModel(np.repeat(y, w), np.repeat(z, w, axis=0), distr=distr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = model.fit(method="bfgs", gtol=1e-10, maxiter=20000, disp=False).params
    # statsmodels differentiates numerically: Newton's steps jitter at ~5e-10 here.
    res = model.fit(start_params=start, method="newton", tol=1e-8, maxiter=200, disp=False)
    assert res.mle_retvals["converged"], "newton on the standardised features did not converge"
    params = np.asarray(res.params)
    beta_raw = params[:len(FEATURES)] / sd
    theta_raw = model.transform_threshold_params(params)[1:-1] + beta_raw @ mean
    return max(np.abs(beta_raw - beta).max(), np.abs(theta_raw - theta).max())


def main():
    write_weighted_table()
    y, x, w = read_weighted_table()
    print(f"python {sys.version.split()[0]}, statsmodels {statsmodels.__version__}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"table {os.path.relpath(TABLE, ROOT)}: {len(y)} rows, features {', '.join(FEATURES)}, "
          f"weight column 'weight' (sum {w.sum()}), labels {y.min()}..{y.max()} "
          f"(K = {y.max() - y.min() + 1})")
    mean = (w @ x) / w.sum()
    sd = np.sqrt((w @ (x - mean) ** 2) / w.sum())
    for distr in ("logit", "probit"):
        r = fit(distr, y, x, w)
        b = r["bfgs"]
        print(f"\n{distr}: bfgs stopped after {b['gcalls']} gradient calls (converged {b['converged']}, "
              f"scipy warnflag {b['warnflag']}: precision loss), then newton converged {r['converged']}")
        print(f"  weighted log-likelihood {r['loglike']:.10g}; levels {list(r['labels'])}")
        print(f"  max |d loglik / d param| at the solution {np.abs(r['grad']).max():.3g}; "
              f"max |Newton step to the optimum| {np.abs(r['step']).max():.3g}")
        diff = standardised_check(distr, y, x, w, mean, sd, r["beta"], r["theta"])
        print(f"  refit on standardised features, mapped back: max |difference| {diff:.3g}")
        print("  raw feature scale:  P(y <= k) = F(theta_k - x.beta)")
        for name, b in zip(FEATURES, r["beta"]):
            print(f"    beta[{name}]  = {b:.10g}")
        for k, t in enumerate(r["theta"], start=1):
            print(f"    theta[{k}]    = {t:.10g}")
        print("  standardised scale (z = (x - mean) / sd, weighted mean, population sd):")
        print("    mean = [" + ", ".join(f"{v:.10g}" for v in mean) + "]")
        print("    sd   = [" + ", ".join(f"{v:.10g}" for v in sd) + "]")
        print("    beta  = [" + ", ".join(f"{v:.10g}" for v in r["beta"] * sd) + "]")
        print("    theta = [" + ", ".join(f"{v:.10g}" for v in r["theta"] - r["beta"] @ mean) + "]")


if __name__ == "__main__":
    main()
