"""Engine costs against plain NumPy float code in the same run (issue 2 targets).

    python bench/bench_engine.py [--quick] [--small] [--numba] [--medium [--beyond|--large]]

1. Plain-Python RK4 loops from ``dualgrad.testing`` on scalar duals with n = 1, 4
   and 16 partials, against the same loop on Python floats: a damped pendulum
   written with ``np.sin`` (the issue's baseline: NumPy functions on floats, since
   ``math.sin`` cannot take duals) and Lotka-Volterra (arithmetic only, where the
   float baseline is bare CPython arithmetic).
2. An elementwise op ``y = sin(a) * b + a`` on array duals of N = 1e3, 1e5, 1e6
   elements and n = 1, 4, 16 partials, against the float-only NumPy op and
   against copying the bytes the dual op must read and write; both propagation
   paths (numba, NumPy), which is what sets the kernel threshold.
3. Ops whose local derivatives are arithmetic (``log1p``, ``/``, ``maximum``, ...)
   with the kernels generated from the rule table (``dualgrad/_rule_kernels.py``),
   which evaluate those derivatives inside the propagation loop, against the same
   ops with the derivatives computed by NumPy passes first.
4. A fused propagation into a new output against one into a reused buffer.
5. Per-operation cost on arrays of 10 elements (``+ - * / **2 sin exp``, indexing,
   ``sum``, a scalar dual times the array, ``** 3``, a float matrix times it,
   ``np.power(a, 3)``; n = 2, 4, 10) against the float op and against the general dispatch path
   (``--small`` runs only this table and writes it to bench/RESULTS_small.md).  The
   small-array path uses kernels once numba is loaded (``dualgrad.backend._loader``:
   a long loop of small operations loads it); ``--small --numba`` loads it first, to
   time that steady state; ``--small`` alone keeps it unloaded (the NumPy calls of a
   short-lived process) by raising the loader's budget for the run.
6. ``--medium`` (printed only): operators and ufuncs at N = 300-5000 (the lean path
   past the small size, stop 30) against the float op and the general path;
   ``--beyond``: past the lean path's bounds, the lean path forced there; ``--large``:
   N = 1e5 and 1e6, the lean path forced where ``LEAN_ROWS`` does not take it.

Writes the tables to bench/RESULTS_engine.md (stitched into RESULTS.md).
"""

import itertools
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.special as sc

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]
from _common import median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _kernels  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402
from dualgrad.testing import lotka_volterra, pendulum  # noqa: E402


def scalar_loop(quick):
    steps = 50 if quick else 200
    rows = []
    # the targets apply to the loop written with NumPy functions; the
    # arithmetic-only loop shows the cost against bare CPython float arithmetic
    for name, fn, params, targets in (
            ("damped pendulum, 4 np.sin per step", pendulum, (9.81, 0.3, 1.0, 0.0),
             {1: 8, 16: 20}),
            ("Lotka-Volterra, arithmetic only", lotka_volterra, (1.1, 0.4, 0.1, 0.4), {})):
        t_float = median_time(lambda: fn(params, steps=steps))
        rows.append([name, "floats", f"{t_float * 1e3:.2f}", "1.0", ""])
        for n in (1, 4, 16):
            target = targets.get(n)
            tag = new_tag()
            duals = [dg.Dual(p, np.eye(n)[i % n], tag=tag) for i, p in enumerate(params)]
            t = median_time(lambda: fn(duals, steps=steps))
            rows.append([name, f"scalar duals, n = {n}", f"{t * 1e3:.2f}",
                         f"{t / t_float:.1f}", f"<= {target}x" if target else ""])
    return table([f"RK4 loop, {steps} steps", "numbers", "ms", "ratio to floats", "target"],
                 rows)


def elementwise(quick):
    sizes = (1_000, 100_000) if quick else (1_000, 100_000, 1_000_000)
    rows = []
    rng = np.random.default_rng(0)
    for N in sizes:
        va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
        t_float = median_time(lambda: np.sin(va) * vb + va)
        for n in (1, 4, 16):
            pa, pb = rng.standard_normal((N, n)), rng.standard_normal((N, n))
            tag = new_tag()
            a, b = dg.Dual(va, pa, tag=tag), dg.Dual(vb, pb, tag=tag)
            buf = np.empty((4, N, n))
            src = np.stack([pa, pb, pa, pb])
            # the propagation of the three operations reads 5 and writes 3 partials arrays
            t_copy = median_time(lambda: np.copyto(buf, src))   # read 4, write 4
            times = {}
            for mode in ("numpy", "numba"):
                with _kernels.use(mode):
                    times[mode] = median_time(lambda: np.sin(a) * b + a)
            best = min(times.values())
            rows.append([f"{N:.0e}", n, f"{times['numpy'] / t_float:.1f}",
                         f"{times['numba'] / t_float:.1f}", f"{best / t_float:.1f}",
                         f"{n + 1}", f"{best / t_copy:.2f}"])
    return table(["N", "n", "NumPy path / float op", "numba path / float op",
                  "best / float op", "target (n+1)", "best / copy of partials bytes"], rows)


def fused_rules(quick):
    """Local derivatives evaluated in the propagation loop, against NumPy passes."""
    rows = []
    rng = np.random.default_rng(2)
    ops = (("np.log1p(a)", lambda a, b: np.log1p(a)), ("np.tanh(a)", lambda a, b: np.tanh(a)),
           ("a / b", lambda a, b: a / b), ("np.maximum(a, 1.0)", lambda a, b: np.maximum(a, 1.0)),
           ("np.hypot(a, b)", lambda a, b: np.hypot(a, b)))
    sizes = (1_000, 100_000) if quick else (1_000, 1_000_000)
    for (name, op), N in itertools.product(ops, sizes):
        va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
        t_float = median_time(lambda: op(va, vb))
        for n in (1, 4):
            tag = new_tag()
            a = dg.Dual(va, rng.standard_normal((N, n)), tag=tag)
            b = dg.Dual(vb, rng.standard_normal((N, n)), tag=tag)
            fused = median_time(lambda: op(a, b))
            # no generated kernels: the derivatives come from NumPy passes, as before them
            kernels, _kernels._fused = _kernels._rule_kernels(), lambda ufunc: {}
            try:
                unfused = median_time(lambda: op(a, b))
            finally:
                _kernels._fused = kernels
            rows.append([name, f"{N:.0e}", n, f"{unfused / t_float:.1f}",
                         f"{fused / t_float:.1f}", f"{unfused / fused:.2f}"])
    return table(["op", "N", "n", "derivatives by NumPy passes / float op",
                  "fused kernel / float op", "speed-up"], rows)


def fresh_output(quick):
    """One fused propagation ``f*p + g*q`` into a new array against one into a
    buffer reused across calls: the cost of the pages a new array faults in."""
    from dualgrad.backend import _numba_kernels as k
    from dualgrad.backend._kernels import _rows_flat

    def scale2(f, p, g, q, out):
        # the kernel's flat rows of 4 or 2 come from the caller since heat52
        return k.scale2(f, p, g, q, out, _rows_flat(p), _rows_flat(q), _rows_flat(out))
    rows = []
    rng = np.random.default_rng(1)
    N = 100_000 if quick else 1_000_000
    for n in (1, 4, 16):
        f, g = rng.standard_normal(N), rng.standard_normal(N)
        p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
        out = np.empty((N, n))
        t_new = median_time(lambda: scale2(f, p, g, q, np.empty((N, n))))
        t_reused = median_time(lambda: scale2(f, p, g, q, out))
        rows.append([f"{N:.0e}", n, f"{8 * N * n / 2**20:.0f}", f"{t_new * 1e3:.2f}",
                     f"{t_reused * 1e3:.2f}", f"{t_new / t_reused:.2f}"])
    return table(["N", "n", "MiB of partials", "new output, ms", "reused output, ms",
                  "new / reused"], rows)


SMALL_OPS = (
    ("a + b", lambda a, b, k: a + b), ("a - b", lambda a, b, k: a - b),
    ("a * b", lambda a, b, k: a * b), ("a / b", lambda a, b, k: a / b),
    ("a * 2.0", lambda a, b, k: a * 2.0), ("a ** 2", lambda a, b, k: a ** 2),
    ("np.sin(a)", lambda a, b, k: np.sin(a)), ("np.exp(a)", lambda a, b, k: np.exp(a)),
    ("a[3]", lambda a, b, k: a[3]), ("a[2:5]", lambda a, b, k: a[2:5]),
    ("np.sum(a)", lambda a, b, k: np.sum(a)), ("a.sum()", lambda a, b, k: a.sum()),
    # small41: a scalar dual k times the array (the float 0.7 on the float side), a
    # power other than 2, a float matrix times the array
    ("k * a", lambda a, b, k: k * a), ("a ** 3", lambda a, b, k: a ** 3),
    ("M @ a", lambda a, b, k: _M10 @ a),
    # small61: the ufunc's spelling of a power (it went the general small loop)
    ("np.power(a, 3)", lambda a, b, k: np.power(a, 3)),
    # small63: powers of two duals and of a number to a dual (the table's whole row)
    ("a ** b", lambda a, b, k: a ** b), ("a ** k", lambda a, b, k: a ** k),
    ("2.0 ** a", lambda a, b, k: 2.0 ** a),
    # small64: the scalar dual to the array's power, a float array to the scalar's
    ("k ** a", lambda a, b, k: k ** a), ("t ** k", lambda a, b, k: _T10 ** k),
    # farpow67: a number's power other than 3 (its entry's underflow test in the loop)
    ("a ** 2.5", lambda a, b, k: a ** 2.5), ("a ** -1", lambda a, b, k: a ** -1),
    # small65: the other unary rows of issue 13's list (tanh's factor had eight NumPy calls)
    ("np.log(a)", lambda a, b, k: np.log(a)), ("np.sqrt(a)", lambda a, b, k: np.sqrt(a)),
    ("np.tanh(a)", lambda a, b, k: np.tanh(a)),
    # small66: cos's factor -np.sin(x) (a NumPy call and a negation) in its own entry
    ("np.cos(a)", lambda a, b, k: np.cos(a)),
    # small66: two scipy.special rows with generated entries (erf's 2/sqrt(pi) product,
    # k1's -k0 - out / x in the loop)
    ("sc.erf(a)", lambda a, b, k: sc.erf(a)), ("sc.k1(a)", lambda a, b, k: sc.k1(a)),
    # small68: a number's power of a base holding a zero (the compiled entry declines
    # there and the table's whole row runs), its product by _Z10 included on both sides
    ("(a * z) ** 2.5", lambda a, b, k: (a * _Z10) ** 2.5),
    # small69: a scalar dual with a plain float array (lean_constant's rows: n1 *
    # np.cos(A), x / k on a fixed grid), 11x and 18x the float op at this stop
    ("k * t", lambda a, b, k: k * _T10), ("t / k", lambda a, b, k: _T10 / k),
    # const69: the same pair's arctan2 (46x the float op at stop 69's start: the table's
    # factor in NumPy calls), hypot and the constant factor of k - t
    ("np.arctan2(t, k)", lambda a, b, k: np.arctan2(_T10, k)),
    ("np.hypot(k, t)", lambda a, b, k: np.hypot(k, _T10)), ("k - t", lambda a, b, k: k - _T10))
_M10 = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
_Z10 = np.ones(10)
_Z10[3] = 0.0
_T10 = np.linspace(0.5, 2.0, 10)


def small_ops(quick):
    """Per-operation cost on arrays of N = 10 elements: the dual op against the float op,
    and the small-array path against the general path it short-cuts (forced with
    ``_kernels.use("numpy")``, which is the general path's own choice at this size).
    Interleaved: each repeat times the three back to back, in CPU time of this
    process (microsecond operations on a shared machine); ratios are medians of the
    per-repeat ratios."""
    rows = [[name, n, f"{tf * 1e6:.2f}", f"{td * 1e6:.2f}", f"{rd:.1f}", f"{tg * 1e6:.2f}",
             f"{rg:.1f}"] for name, n, tf, td, rd, tg, rg in small_samples(quick)]
    return table(["op (N = 10)", "n", "float us", "dual us", "dual / float",
                  "general path us", "general / float"], rows)


def small_samples(quick, ns=None, general=True):
    """:func:`small_ops`' numbers, ``[name, n, float s, dual s, dual / float, general s,
    general / float]`` per row (medians; the ratios medians of the per-repeat ratios;
    ``general=False``: no general path timed, its two entries ``nan``), for the numbers
    of directions ``ns`` (by default 2, 4, 10; 2, 10 when ``quick``)."""
    rows = []
    rng = np.random.default_rng(4)
    N, repeat, min_time = 10, (5 if quick else 11), (0.01 if quick else 0.03)
    va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
    for n in ns or ((2, 10) if quick else (2, 4, 10)):
        tag = new_tag()
        a = dg.Dual(va, rng.standard_normal((N, n)), tag=tag)
        b = dg.Dual(vb, rng.standard_normal((N, n)), tag=tag)
        k = dg.Dual(0.7, rng.standard_normal(n), tag=tag)
        for name, op in SMALL_OPS:
            def timed(fn, general=False):
                with _kernels.use("numpy" if general else "auto"):
                    return median_time(fn, 1, min_time, time.process_time)
            samples = [[timed(lambda: op(va, vb, 0.7)), timed(lambda: op(a, b, k)),
                        timed(lambda: op(a, b, k), general=True) if general else math.nan]
                       for _ in range(repeat)]
            tf, td, tg = (statistics.median(s[i] for s in samples) for i in range(3))
            rows.append([name, n, tf, td, statistics.median(s[1] / s[0] for s in samples),
                         tg, statistics.median(s[2] / s[0] for s in samples)])
    return rows


MEDIUM_OPS = (
    ("a + b", lambda a, b: a + b), ("a - b", lambda a, b: a - b),
    ("a * b", lambda a, b: a * b), ("a / b", lambda a, b: a / b),
    ("a * 2.0", lambda a, b: a * 2.0), ("a * y", lambda a, b: a * b.value),
    ("a ** 2", lambda a, b: a ** 2), ("-a", lambda a, b: -a),
    ("np.multiply(a, b)", lambda a, b: np.multiply(a, b)),
    ("np.sqrt(a)", lambda a, b: np.sqrt(a)), ("np.sin(a)", lambda a, b: np.sin(a)),
    ("np.maximum(a, b)", lambda a, b: np.maximum(a, b)),
    ("np.absolute(a)", lambda a, b: np.absolute(a)),
    ("np.floor(a)", lambda a, b: np.floor(a)))


def medium_ops(quick, beyond=False, large=False):
    """Operators and ufuncs at medium sizes (N = 300-5000, the work past the small
    path's 1,000 partials elements, below ``backend.LEAN_WORK``): the dual op against
    the float op, and the lean path against the general path it short-cuts (forced by
    ``LEAN_WORK = LEAN_FLAT = 0`` and no ``LEAN_ROWS``, which sends this work back to
    ``call``), numba loaded.  Interleaved as :func:`small_ops`: each repeat times the
    three back to back, in CPU time; ratios are medians of per-repeat ratios.
    ``beyond`` (``--medium --beyond``): cells past ``LEAN_WORK``/``LEAN_FLAT`` with the
    lean path forced there (both raised), what the bounds are chosen from; ``large``
    (``--medium --large``): the same at N = 1e5 (n = 2, 3, 4, 8, 16) and 1e6 (n = 4),
    what ``LEAN_ROWS`` is chosen from."""
    from dualgrad.backend import _loader, _propagate
    _loader.load()
    rows = []
    rng = np.random.default_rng(5)
    repeat, min_time = (5 if quick else 9), (0.01 if quick else 0.02)
    cells = ((1000, 4), (1000, 1)) if quick else ((300, 4), (1000, 1), (1000, 4),
                                                  (1000, 16), (5000, 4))
    if beyond:
        cells = ((4000, 1), (8000, 1), (16000, 1), (8000, 4), (16000, 4))
    if large:
        cells = ((100_000, 2), (100_000, 3), (100_000, 4), (100_000, 8), (100_000, 16),
                 (1_000_000, 4))
    for N, n in cells:
        va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
        tag = new_tag()
        a = dg.Dual(va, rng.standard_normal((N, n)), tag=tag)
        b = dg.Dual(vb, rng.standard_normal((N, n)), tag=tag)
        for name, op in MEDIUM_OPS:
            def timed(fn, general=False):
                saved = _propagate.LEAN_WORK, _propagate.LEAN_FLAT, _propagate.LEAN_ROWS
                if general:
                    _propagate.LEAN_WORK = _propagate.LEAN_FLAT = 0
                    _propagate.LEAN_ROWS = ()
                elif beyond or large:
                    _propagate.LEAN_WORK = _propagate.LEAN_FLAT = 1 << 30
                try:
                    return median_time(fn, 1, min_time, time.process_time)
                finally:
                    _propagate.LEAN_WORK, _propagate.LEAN_FLAT, _propagate.LEAN_ROWS = saved
            samples = [[timed(lambda: op_float(name, va, vb)),
                        timed(lambda: op(a, b)), timed(lambda: op(a, b), general=True)]
                       for _ in range(repeat)]
            tf, td, tg = (statistics.median(s[i] for s in samples) for i in range(3))
            rows.append([name, N, n, f"{tf * 1e6:.2f}", f"{td * 1e6:.2f}",
                         f"{statistics.median(s[1] / s[0] for s in samples):.1f}",
                         f"{tg * 1e6:.2f}",
                         f"{statistics.median(s[2] / s[0] for s in samples):.1f}",
                         f"{statistics.median(s[1] / s[2] for s in samples):.2f}"])
    return table(["op", "N", "n", "float us", "dual us", "dual / float",
                  "general path us", "general / float", "dual / general"], rows)


_FLOAT_OPS = {"a * 2.0": lambda x, y: x * 2.0, "a * y": lambda x, y: x * y,
              "a ** 2": lambda x, y: x ** 2, "-a": lambda x, y: -x}


def op_float(name, x, y):
    """The float op of :data:`MEDIUM_OPS`' ``name`` on the values ``x``, ``y``."""
    fn = _FLOAT_OPS.get(name)
    if fn is not None:
        return fn(x, y)
    return dict(MEDIUM_OPS)[name](x, y)


def main():
    quick = "--quick" in sys.argv
    from dualgrad.backend import _loader
    if "--numba" in sys.argv:
        _loader.load()
    if "--medium" in sys.argv:
        beyond, large = "--beyond" in sys.argv, "--large" in sys.argv
        flags = (" --beyond" if beyond else "") + (" --large" if large else "")
        out = "\n".join([f"## Medium arrays (bench/bench_engine.py --medium{flags})", "",
                         medium_ops(quick, beyond, large), ""])
        print(out)
        return
    if "--small" in sys.argv:
        if "--numba" not in sys.argv:
            _loader.LOAD_AFTER = float("inf")     # the table's ops would load it midway
        loaded = " --numba: numba loaded first" if "--numba" in sys.argv else ""
        out = "\n".join([f"## Small arrays (bench/bench_engine.py --small{loaded})", "",
                         small_ops(quick), ""])
        print(out)
        if not quick:
            Path(__file__).with_name("RESULTS_small.md").write_text(out + "\n")
        return
    text = ["## Engine (bench/bench_engine.py)", "", scalar_loop(quick), "",
            elementwise(quick), "", fused_rules(quick), "", fresh_output(quick), "",
            small_ops(quick), ""]
    out = "\n".join(text)
    print(out)
    Path(__file__).with_name("RESULTS_engine.md").write_text(out + "\n")


if __name__ == "__main__":
    main()
