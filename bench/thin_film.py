"""A thin-film transfer-matrix gradient: stacked (200, 2, 2) complex matmuls (issue 13).

    python bench/thin_film.py [--compare DIR] [--rounds R] [--repeat K] [--threads T]

The model is user25's (stop 39), /work/user25/tmm_dg.py (``reflectance_vec``, ``merit``,
``residuals``) as written there: 8 layers at 200 wavelengths, each layer's characteristic
matrices a stacked (200, 2, 2) complex array filled entry by entry, multiplied in a
Python loop (``M = M @ Mi``), the reflectance ``|r|^2`` from the product; 16 parameters
(8 thicknesses in nm, 8 indices).  Each stacked ``M @ Mi`` of two duals is where
dualgrad spent half the gradient's time in a loop of 2 x 16 per-direction products.

Before timing, the gradient is checked against eighth-order central differences of
the merit (relative error printed; the run fails above 1e-7).  Rows: the merit f,
``dg.gradient(merit)``, SciPy's ``approx_fprime(merit)``, ``dg.jacobian(residuals)``,
``approx_fprime(residuals)``, and ``M @ Mi`` alone (one product of two (200, 2, 2)
complex duals of 16 directions, against its float product); each cell the median of
``K`` calls' process time, the rows interleaved call by call.  ``--compare DIR``:
rounds of fresh processes alternating between dualgrad from the checkout ``DIR``
(before) and this one (after) (:func:`_common.alternate`), medians over rounds and
after / before.  ``--threads``: BLAS threads of the children (default 1; 0 = OpenBLAS's
default, one per core).  Nothing is written.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WL = np.linspace(400e-9, 800e-9, 200)
N_IN, N_SUB, NL = 1.0, 1.52, 8
D0 = np.array([60, 95, 55, 100, 12, 80, 58, 97], float) * 1e-9
N0 = np.array([2.35, 1.46, 2.35, 1.46, 0.9, 1.46, 2.35, 1.46])
K0 = np.array([0.002, 0.0, 0.002, 0.0, 3.2, 0.0, 0.002, 0.0])


def char_matrices(d, n, k, wl=WL):
    mats = []
    for i in range(len(d)):
        N = n[i] + 1j * k[i]
        delta = 2 * np.pi * N * d[i] / wl
        c, s = np.cos(delta), np.sin(delta)
        M = np.empty_like(d, shape=(len(wl), 2, 2), dtype=complex)
        M[:, 0, 0] = c
        M[:, 0, 1] = -1j * s / N
        M[:, 1, 0] = -1j * N * s
        M[:, 1, 1] = c
        mats.append(M)
    return mats


def r_from_M(M):
    B = M[:, 0, 0] + M[:, 0, 1] * N_SUB
    C = M[:, 1, 0] + M[:, 1, 1] * N_SUB
    return (N_IN * B - C) / (N_IN * B + C)


def reflectance_vec(d, n, k, wl=WL):
    mats = char_matrices(d, n, k, wl)
    M = mats[0]
    for Mi in mats[1:]:
        M = M @ Mi
    r = r_from_M(M)
    return np.abs(r) ** 2


D_TRUE = D0 * np.array([1.07, 0.95, 1.04, 0.97, 1.1, 1.02, 0.93, 1.05])
N_TRUE = N0 + np.array([0.03, -0.01, -0.02, 0.01, 0.05, 0.0, 0.02, -0.01])
TARGET = reflectance_vec(D_TRUE, N_TRUE, K0)
P0 = np.concatenate([D0 * 1e9, N0])


def merit(p):
    R = reflectance_vec(p[:NL] * 1e-9, p[NL:], K0)
    return np.sum((R - TARGET) ** 2)


def residuals(p):
    return reflectance_vec(p[:NL] * 1e-9, p[NL:], K0) - TARGET


def central(f, p, h=1e-4):
    """Eighth-order central differences of the scalar ``f`` at ``p``."""
    c = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    out = np.empty(p.size)
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h
        out[j] = sum(ck * (f(p + (k + 1) * e) - f(p - (k + 1) * e))
                     for k, ck in enumerate(c)) / h
    return out


def child(repeat):
    """``{row: median seconds}``, the check's error, and the product row's float time."""
    import dualgrad as dg
    from scipy.optimize import approx_fprime
    g = dg.gradient(merit, P0)
    ref = central(merit, P0)
    err = float(np.max(np.abs(g - ref)) / np.max(np.abs(ref)))
    if not err < 1e-7:
        raise SystemExit(f"thin_film: the gradient is {err:.1e} off central differences")
    rng = np.random.default_rng(0)
    A, B = (rng.standard_normal((200, 2, 2)) + 1j * rng.standard_normal((200, 2, 2))
            for _ in range(2))
    seeds = [rng.standard_normal((200, 2, 2, 16)) for _ in range(2)]
    captured = {}

    def grab(x):            # two (200, 2, 2) complex duals of 16 directions, one tag
        captured["A"] = A * (1 + np.einsum("wijk,k->wij", seeds[0], x))
        captured["B"] = B * (1 + np.einsum("wijk,k->wij", seeds[1], x))
        captured["AB"] = lambda: captured["A"] @ captured["B"]
        return np.sum(np.abs(captured["AB"]()) ** 2)
    rows = {"f (merit)": lambda: merit(P0),
            "dg.gradient(merit)": lambda: dg.gradient(merit, P0),
            "approx_fprime(merit)": lambda: approx_fprime(P0, merit, 1.49e-8),
            "dg.jacobian(residuals)": lambda: dg.jacobian(residuals, P0),
            "approx_fprime(residuals)": lambda: approx_fprime(P0, residuals, 1.49e-8)}
    times = {row: [] for row in rows}
    times["M @ Mi, dual"], times["M @ Mi, float"] = [], []

    def product():          # timed inside a live gradient, so the duals are live
        for _ in range(repeat):
            t = time.process_time()
            captured["AB"]()
            times["M @ Mi, dual"].append(time.process_time() - t)
            t = time.process_time()
            A @ B
            times["M @ Mi, float"].append(time.process_time() - t)
        return 0.0
    for fn in rows.values():
        fn()                                    # warm: numba, kernels, caches
    for _ in range(repeat):
        for row, fn in rows.items():
            t = time.process_time()
            fn()
            times[row].append(time.process_time() - t)
    dg.gradient(lambda x: grab(x) + product(), np.zeros(16))
    out = {row: statistics.median(v) for row, v in times.items()}
    out["error"] = err
    return out


ORDER = ["f (merit)", "dg.gradient(merit)", "approx_fprime(merit)", "dg.jacobian(residuals)",
         "approx_fprime(residuals)", "M @ Mi, dual", "M @ Mi, float"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts.repeat)))
        return
    sys.path.insert(0, str(HERE))
    import _common
    if opts.compare:
        got = _common.alternate("thin_film.py", ["--repeat", str(opts.repeat)], opts.compare,
                                opts.rounds, threads=opts.threads)
    else:
        sys.path.insert(0, str(HERE.parent))
        got = {"this": [child(opts.repeat) for _ in range(opts.rounds)]}
    print("thin-film TMM, 8 layers x 200 wavelengths, 16 parameters (process time, ms, "
          "medians over rounds; x f: the row over the merit's f in the same process)")
    for side, runs in got.items():
        print(f"  {side}: gradient vs central differences, relative error "
              f"{max(r['error'] for r in runs):.1e}")
    for row in ORDER:
        cells = {side: statistics.median(r[row] for r in runs) for side, runs in got.items()}
        base = "M @ Mi, float" if row.startswith("M @ Mi") else "f (merit)"
        ratio = {side: statistics.median(r[row] / r[base] for r in runs)
                 for side, runs in got.items()}
        text = "  ".join(f"{side} {v * 1e3:8.3f} ({ratio[side]:6.1f}x)" for side, v in
                         cells.items())
        if "before" in cells:
            text += f"  after / before {cells['after'] / cells['before']:.2f}"
        print(f"{row:26s} {text}")
    for side, runs in got.items():
        q = [r["dg.gradient(merit)"] / r["approx_fprime(merit)"] for r in runs]
        j = [r["dg.jacobian(residuals)"] / r["approx_fprime(residuals)"] for r in runs]
        print(f"  {side}: dg.gradient / approx_fprime {statistics.median(q):.2f}, "
              f"dg.jacobian / approx_fprime {statistics.median(j):.2f}")


if __name__ == "__main__":
    main()
