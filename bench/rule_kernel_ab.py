"""Another checkout's generated rule kernels against this one's, in one process (prints only).

    python bench/rule_kernel_ab.py OTHER_CHECKOUT [--n 4] [--rows 100000] [--rounds 2] [--calls 50]

Compiles ``dualgrad/backend/_rule_kernels.py`` (the table's kernels) and
``_numba_kernels.py`` (the row selects ``where_rows``/``zero_rows``, the products
``scale``/``scale2`` of factors NumPy computed) twice in this process,
from OTHER_CHECKOUT's text and from this checkout's (no disk cache), checks that both
give the same bits on the cases below, then times them alternating, call by call: the
fastest of ``--calls`` calls of each, per round, and the ratio this / other (below 1
is faster).  ``np.add(P, Q, out=R)`` is the peer, a NumPy pass over the same bytes.
N = ``--rows`` (1e5) rows of ``--n`` partials, values uniform in (0.2, 0.9) as bench_functions'
(``x - 0.55``: of both signs), a fresh random choice per row.  The kernels alone:
no dispatch, no allocation.
"""

import argparse
import sys
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

SELECTS = ("where_rows", "zero_rows", "scale", "scale2", "scale_finite", "scale2_finite")


def load(checkout, label):
    """``(rule kernels module, {name: row select})`` compiled from ``checkout``'s text."""
    backend = Path(checkout) / "dualgrad" / "backend"
    text = (backend / "_rule_kernels.py").read_text()
    text = text.replace("from ._jit import njit", "from numba import njit")
    text = text.replace("cache=True", "cache=False")
    module = types.ModuleType(f"rule_kernels_{label}")
    exec(compile(text, f"{checkout}/_rule_kernels.py", "exec"), module.__dict__)  # noqa: S102
    source = (backend / "_numba_kernels.py").read_text()
    source = source.replace("from ._jit import njit", "from numba import njit")
    source = source.replace("cache=True", "cache=False")
    kernels = types.ModuleType(f"numba_kernels_{label}")
    exec(compile(source, f"{checkout}/_numba_kernels.py", "exec"), kernels.__dict__)  # noqa: S102
    return module, {name: getattr(kernels, name) for name in SELECTS}


def cases(N, n):
    """name -> function of ``(module, selects, q)`` calling one kernel into ``q``."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.2, 0.9, N), rng.uniform(0.2, 0.9, N)
    xm, cos = x - 0.55, np.cos(x)
    P, Q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    cond = rng.uniform(size=N) < 0.5

    def rows(ufunc, duals):
        return lambda m: m.kernels(ufunc)[duals][n > 1]
    out = {u: u(x, y) for u in (np.maximum, np.minimum, np.fmax, np.fmin, np.divide)}
    out.update({u: u(x) for u in (np.square, np.sqrt)})
    flat = (lambda a: a.reshape(N)) if n == 1 else (lambda a: a)
    return {
        "np.maximum(X, Y)": lambda m, s, q: rows(np.maximum, (0, 1))(m)(
            x, y, out[np.maximum], flat(P), flat(Q), flat(q)),
        "np.minimum(X, Y)": lambda m, s, q: rows(np.minimum, (0, 1))(m)(
            x, y, out[np.minimum], flat(P), flat(Q), flat(q)),
        "np.fmax(X, Y)": lambda m, s, q: rows(np.fmax, (0, 1))(m)(
            x, y, out[np.fmax], flat(P), flat(Q), flat(q)),
        "np.fmin(X, y)": lambda m, s, q: rows(np.fmin, (0,))(m)(
            x, y, out[np.fmin], flat(P), flat(q)),
        "np.absolute(X)": lambda m, s, q: rows(np.absolute, (0,))(m)(
            x, x, flat(P), flat(q)),
        "np.absolute(X - 0.55)": lambda m, s, q: rows(np.absolute, (0,))(m)(
            xm, np.absolute(xm), flat(P), flat(q)),
        "np.divide(X, Y)": lambda m, s, q: rows(np.divide, (0, 1))(m)(
            x, y, out[np.divide], flat(P), flat(Q), flat(q)),
        "np.square(X)": lambda m, s, q: rows(np.square, (0,))(m)(
            x, out[np.square], flat(P), flat(q)),
        "np.sqrt(X)": lambda m, s, q: rows(np.sqrt, (0,))(m)(
            x, out[np.sqrt], flat(P), flat(q)),
        "scale (np.sin's)": lambda m, s, q: s["scale"](cos, P, q),
        "scale2 (np.multiply's)": lambda m, s, q: s["scale2"](y, P, x, Q, q),
        "scale_finite (lean path)": lambda m, s, q: s["scale_finite"](cos, P, q),
        "scale2_finite (lean a * b)": lambda m, s, q: s["scale2_finite"](y, P, x, Q, q),
        "np.divide small (lean a / b)": lambda m, s, q: m.small_kernel(np.divide)(
            x, y, out[np.divide], P, Q, q),
        "np.square small (lean)": lambda m, s, q: m.small_kernel(np.square)(
            x, out[np.square], P, q),
        "np.absolute small (lean)": lambda m, s, q: m.small_kernel(np.absolute)(
            xm, np.absolute(xm), P, q),
        "np.maximum small (lean)": lambda m, s, q: m.small_kernel(np.maximum)(
            x, y, out[np.maximum], P, Q, q),
        "where_rows": lambda m, s, q: s["where_rows"](cond, P, Q, q),
        "zero_rows": lambda m, s, q: s["zero_rows"](cond, P, q, 1),
    }, (lambda q: np.add(P, Q, out=q))


def fastest(fn, calls):
    best = np.inf
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other")
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    N, n = args.rows, args.n
    sides = [load(args.other, "other"), load(HERE.parent, "this")]
    table, peer = cases(N, n)
    q = [np.empty((N, n)) for _ in sides]
    for name, call in table.items():                   # compile, and the bits agree
        for side, out in zip(sides, q):
            call(*side, out)
        if not np.array_equal(q[0].view(np.uint64), q[1].view(np.uint64)):
            raise SystemExit(f"{name}: the two checkouts' kernels give different bits")
    print(f"N = {N}, n = {n}: fastest of {args.calls} calls, us, other -> this (this / other)")
    for r in range(args.rounds):
        line = [f"peer np.add(P, Q, out=R) {fastest(lambda: peer(q[0]), args.calls) * 1e6:.1f}"]
        for name, call in table.items():
            t = [np.inf, np.inf]
            for _ in range(args.calls):                  # the two sides call by call
                for k, side in enumerate(sides):
                    t0 = time.perf_counter()
                    call(*side, q[k])
                    t[k] = min(t[k], time.perf_counter() - t0)
            line.append(f"{name} {t[0] * 1e6:.1f} -> {t[1] * 1e6:.1f} ({t[1] / t[0]:.2f})")
        print(f"round {r + 1}: " + "; ".join(line))


if __name__ == "__main__":
    main()
