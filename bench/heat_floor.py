"""The floor of the sparse and ``np.roll`` heat steps: a hand-written numba loop over 5 rows.

    python bench/heat_floor.py [--cells 100000] [--steps 200] [--rounds 5]

For bench/problems.py's ``heat_sparse`` and ``heat_roll`` at ``N`` cells x 4
parameters, one process, rounds interleaved, process time, per step (medians):

* ``f``: the plain function; ``f's L @ u``: SciPy's ``L @ u`` of the value alone,
  inside a loop of the same shape (the product's share of f);
* ``dualgrad``: ``dg.jacobian`` with the default engine;
* ``hand``: one numba loop per step that computes the next value and its four
  partials from the previous ones (the sparse form: one pass over ``L``'s CSR rows;
  the roll form: the wrapped neighbours), the same operations in NumPy's order,
  writing into a second pair of arrays (swapped each step: the pool of
  buffers dualgrad keeps, no fresh pages): what a step
  must at least move (the floor a tangent propagation written by hand reaches);
* ``product``: ``backend.sparse_dual`` (``csr_dual``: the value and partials of
  ``L @ u`` in one pass) on the step's operands alone, and ``value only``: the
  same loop without the partials (f's product compiled alike);
* ``copy``: ``inner.copy()`` (what dispatch pays each step for a caller's plain
  factor array).

Also the megabytes each moves per step (8 bytes a float, 4 an index; reads +
writes, counted from the arrays each touches).  The hand loops' Jacobians are
checked against ``dg.jacobian``'s first (rtol 1e-12).  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numba  # noqa: E402
import numpy as np  # noqa: E402


def sparse_step(indptr, indices, data, u, p, inner, kappa, dkappa, w, dw, un, pn):
    """``u + kappa * (L @ u) + inner * ((w * u) * (1.0 - u))`` and its partials
    (``p``, ``pn``: the ``(N, 4)`` partials flat)."""
    z = np.uint64
    for i in range(u.shape[0]):
        v = 0.0
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for j in range(z(indptr[i]), z(indptr[i + 1])):
            a = data[j]
            c = z(indices[j])
            o = c * z(4)
            v += a * u[c]
            a0 += a * p[o]
            a1 += a * p[o + z(1)]
            a2 += a * p[o + z(2)]
            a3 += a * p[o + z(3)]
        x = u[z(i)]
        wx = w * x
        b = 1.0 - x
        m = inner[z(i)]
        un[z(i)] = (x + kappa * v) + m * (wx * b)
        o = z(i) * z(4)
        q0 = p[o]
        q1 = p[o + z(1)]
        q2 = p[o + z(2)]
        q3 = p[o + z(3)]
        pn[o] = (q0 + (kappa * a0 + v * dkappa[0])) + m * (b * (x * dw[0] + w * q0) - wx * q0)
        pn[o + z(1)] = (q1 + (kappa * a1 + v * dkappa[1])) + \
            m * (b * (x * dw[1] + w * q1) - wx * q1)
        pn[o + z(2)] = (q2 + (kappa * a2 + v * dkappa[2])) + \
            m * (b * (x * dw[2] + w * q2) - wx * q2)
        pn[o + z(3)] = (q3 + (kappa * a3 + v * dkappa[3])) + \
            m * (b * (x * dw[3] + w * q3) - wx * q3)


def roll_step(u, p, inner, kappa, dkappa, w, dw, un, pn):
    """``u + inner * (kappa * lap + (w * u) * (1.0 - u))``, ``lap`` from the
    wrapped neighbours, and its partials (flat); the two wrapped ends apart."""
    n = u.shape[0]
    _roll_row(u, p, inner, kappa, dkappa, w, dw, un, pn, 0, n - 1, 1)
    z = np.uint64
    d0, d1, d2, d3 = dkappa[0], dkappa[1], dkappa[2], dkappa[3]
    e0, e1, e2, e3 = dw[0], dw[1], dw[2], dw[3]
    for i in range(1, n - 1):
        c = z(i)
        x = u[c]
        lap = (u[c + z(1)] - 2.0 * x) + u[c - z(1)]
        wx = w * x
        b = 1.0 - x
        m = inner[c]
        un[c] = x + m * (kappa * lap + wx * b)
        o = c * z(4)
        y0 = p[o]
        y1 = p[o + z(1)]
        y2 = p[o + z(2)]
        y3 = p[o + z(3)]
        l0 = (p[o + z(4)] - 2.0 * y0) + p[o - z(4)]
        l1 = (p[o + z(5)] - 2.0 * y1) + p[o - z(3)]
        l2 = (p[o + z(6)] - 2.0 * y2) + p[o - z(2)]
        l3 = (p[o + z(7)] - 2.0 * y3) + p[o - z(1)]
        pn[o] = y0 + m * ((kappa * l0 + lap * d0) + (b * (x * e0 + w * y0) - wx * y0))
        pn[o + z(1)] = y1 + m * ((kappa * l1 + lap * d1) + (b * (x * e1 + w * y1) - wx * y1))
        pn[o + z(2)] = y2 + m * ((kappa * l2 + lap * d2) + (b * (x * e2 + w * y2) - wx * y2))
        pn[o + z(3)] = y3 + m * ((kappa * l3 + lap * d3) + (b * (x * e3 + w * y3) - wx * y3))
    _roll_row(u, p, inner, kappa, dkappa, w, dw, un, pn, n - 1, n - 2, 0)


def _roll_row(u, p, inner, kappa, dkappa, w, dw, un, pn, i, q, r):
    x = u[i]
    lap = (u[r] - 2.0 * x) + u[q]
    wx = w * x
    b = 1.0 - x
    m = inner[i]
    un[i] = x + m * (kappa * lap + wx * b)
    for k in range(4):
        y = p[4 * i + k]
        dl = (p[4 * r + k] - 2.0 * y) + p[4 * q + k]
        pn[4 * i + k] = y + m * ((kappa * dl + lap * dkappa[k]) +
                                 (b * (x * dw[k] + w * y) - wx * y))


def csr_value(indptr, indices, data, x, out):
    z = np.uint64
    for i in range(out.shape[0]):
        v = 0.0
        for j in range(z(indptr[i]), z(indptr[i + 1])):
            v += data[j] * x[z(indices[j])]
        out[i] = v


def _compile():
    """The three loops compiled as dualgrad's kernels are: LLVM's SLP vectorizer on."""
    from numba import types as t
    from dualgrad.backend._fusedgen import vectorizing
    i32, f64, f = t.int32[::1], t.float64[::1], t.float64
    jit = numba.njit(cache=False, error_model="numpy")
    sigs = {"sparse_step": (i32, i32, f64, f64, f64, f64, f, f64, f, f64, f64, f64),
            "roll_step": (f64, f64, f64, f, f64, f, f64, f64, f64),
            "csr_value": (i32, i32, f64, f64, f64)}
    globals()["_roll_row"] = jit(_roll_row)
    with vectorizing():
        for name, sig in sigs.items():
            d = jit(globals()[name])
            d.compile(sig)
            globals()[name] = d


def hand(form, cells, steps, dt=0.01):
    """The Jacobian of ``heat_sparse`` / ``heat_roll`` by the hand loop."""
    import scipy.sparse as sp
    kappa, amp, width, rate = 0.4, 0.8, 0.1, 1.5
    s = np.linspace(0.0, 1.0, cells)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    p = np.zeros((cells, 4))
    p[:, 1] = g
    p[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    inner = np.ones(cells)
    inner[[0, -1]] = 0.0
    dkappa = np.array([1.0, 0.0, 0.0, 0.0])
    dw = np.array([0.0, 0.0, 0.0, dt])
    w = dt * rate
    un, pn = np.empty(cells), np.empty((cells, 4))      # two buffers, swapped (no page faults)
    if form == "sparse":
        L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
        for _ in range(steps):
            sparse_step(L.indptr, L.indices, L.data, u, p.reshape(-1), inner, kappa, dkappa, w, dw,
                        un, pn.reshape(-1))
            u, p, un, pn = un, pn, u, p
    else:
        for _ in range(steps):
            roll_step(u, p.reshape(-1), inner, kappa, dkappa, w, dw, un, pn.reshape(-1))
            u, p, un, pn = un, pn, u, p
    return p


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()
    import scipy.sparse as sp
    import problems
    import dualgrad as dg
    from dualgrad import backend
    N, S = opts.cells, opts.steps
    _compile()
    clock = time.process_time
    forms = {"sparse": problems.heat_sparse, "roll": problems.heat_roll}
    for form, f in forms.items():
        J = dg.jacobian(lambda p: f(p, n=N, steps=S), problems.HEAT_P)
        H = hand(form, N, S)
        err = np.max(np.abs(J - H)) / np.max(np.abs(H))
        assert err < 1e-12, (form, err)
        print(f"{form}: hand loop's Jacobian against dg.jacobian's: {err:.1e} (max, relative)")
    inner = np.ones(N)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
    u = np.random.default_rng(0).random(N)
    pp = np.random.default_rng(1).random((N, 4))
    val = np.empty(N)

    def loop(fn):
        def run():
            for _ in range(S):
                fn()
        return run

    jobs = {
        "sparse f": lambda: problems.heat_sparse(problems.HEAT_P, n=N, steps=S),
        "sparse dualgrad": lambda: dg.jacobian(
            lambda p: problems.heat_sparse(p, n=N, steps=S), problems.HEAT_P),
        "sparse hand": lambda: hand("sparse", N, S),
        "f's L @ u": loop(lambda: L @ u),
        "product (csr_dual)": loop(lambda: backend.sparse_dual(L, u, pp)),
        "value only": loop(lambda: csr_value(L.indptr, L.indices, L.data, u, val)),
        "copy of inner": loop(lambda: inner.copy()),
        "roll f": lambda: problems.heat_roll(problems.HEAT_P, n=N, steps=S),
        "roll dualgrad": lambda: dg.jacobian(
            lambda p: problems.heat_roll(p, n=N, steps=S), problems.HEAT_P),
        "roll hand": lambda: hand("roll", N, S),
    }
    for job in jobs.values():
        job()
    times = {k: [] for k in jobs}
    for _ in range(opts.rounds):
        for k, job in jobs.items():
            t0 = clock()
            job()
            times[k].append((clock() - t0) / S * 1e6)
    us = {k: statistics.median(v) for k, v in times.items()}
    mb = {"f's L @ u": (12 * 3 * N + 4 * N + 8 * N + 8 * N) / 1e6,
          "product (csr_dual)": (12 * 3 * N + 4 * N + 8 * N + 32 * N + 8 * N + 32 * N) / 1e6,
          "value only": (12 * 3 * N + 4 * N + 8 * N + 8 * N) / 1e6,
          "copy of inner": 16 * N / 1e6,
          "sparse hand": (12 * 3 * N + 4 * N + 40 * N + 8 * N + 40 * N) / 1e6,
          "roll hand": (40 * N + 8 * N + 40 * N) / 1e6}
    print(f"per step, us (median of {opts.rounds} rounds of {S} steps, {N} cells x 4, "
          f"process time)")
    for k, v in us.items():
        base = us["sparse f"] if not k.startswith("roll") else us["roll f"]
        extra = f"  {mb[k]:5.1f} MB" if k in mb else ""
        print(f"  {k:22s} {v:8.1f}  ({v / base:.2f}x f){extra}")


if __name__ == "__main__":
    main()
