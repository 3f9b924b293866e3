"""A digest of issue 13's N = 10 rows that small65 / small66 touched, bit for bit (prints
only).

    python bench/small65_bits.py [--compare /tmp/main_before]

The unary ufuncs ``np.sin`` / ``np.exp`` / ``np.log`` / ``np.sqrt`` / ``np.tanh`` /
``np.cos`` / ``np.sinh`` / ``np.cosh`` / ``np.expm1``, scipy.special's ``erf`` / ``k1`` /
``gamma`` (small66: values past tanh's 374
cut among the specials, 0-d and empty values, Hessians of tanh and cos), ``a ** b`` and ``np.power(a, b)`` of two array duals, ``k ** a``, ``a ** k``,
``2.0 ** a``, ``t ** k`` (``k`` a scalar dual, ``t`` a float64 ndarray) and ``a[3]`` /
``a[-1]`` (small67: ``a[0]``, ``a[-N]``, ``a[N]``, ``a[-N - 1]``, ``a[2 ** 70]``,
``a[1:][-1]``), on values and partials drawn from special numbers (+-0, NaN, +-inf,
subnormals, 1e-160, 1e154, 1e300, negative numbers) and ordinary ones, in four layouts
(contiguous, strided, reversed, Fortran-ordered partials; ``d[::2]`` views, whose values
are strided), at (N, n) = (10, 10), (3, 1), (1, 4) and (40, 30) (past ``SMALL_BELOW``),
2-D values, under NumPy's default, ``ignore``
and ``raise`` error states.  A case's record: the result's class, its value's and
partials' dtypes, shapes and bytes, and NumPy's warnings (category and text) or the
exception's type and text; all of them go into one SHA-1.

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR`` (``_common.digest_sides``); equal digests:
the same bits.
"""
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import digest_main, levels, print_digest  # noqa: E402
SPECIAL = [0.7312, 2.5, -1.3, 0.0, -0.0, 1.0, 5e-324, -1e-310, 1e-160, 1e154, 1e300,
           -1e300, np.inf, -np.inf, np.nan, 374.5, -373.9, 709.5]


def layouts(x, p):
    """The value and partials in four layouts (the same numbers)."""
    yield "C", x, p
    yield "strided", np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    yield "reversed", x[::-1].copy()[::-1], p[::-1].copy()[::-1]
    yield "F", x, np.asfortranarray(p)


def values(rng, N, pattern):
    """Pattern ``pattern`` of N values."""
    if pattern == 0:
        return rng.uniform(0.5, 2.0, N)
    if pattern == 1:
        return rng.uniform(-3.0, 3.0, N)
    if pattern == 2:                               # one special among ordinary values
        x = rng.uniform(0.2, 4.0, N)
        x[rng.integers(N)] = SPECIAL[rng.integers(len(SPECIAL))]
        return x
    if pattern == 3:
        return rng.choice(SPECIAL, N)
    if pattern == 4:                               # integers (negative bases' powers)
        return rng.integers(-4, 5, N).astype(float)
    return np.exp(rng.uniform(-700.0, 700.0, N))   # tiny and huge magnitudes


def _sc():
    import scipy.special
    return scipy.special


def cases():
    """``(name, make, form)``: ``make()`` gives ``(a, b, k, t)``, ``form`` the operation."""
    import dualgrad as dg
    rng = np.random.default_rng(65)
    forms = {
        "sin": lambda a, b, k, t: np.sin(a), "exp": lambda a, b, k, t: np.exp(a),
        "log": lambda a, b, k, t: np.log(a), "sqrt": lambda a, b, k, t: np.sqrt(a),
        "tanh": lambda a, b, k, t: np.tanh(a), "cos": lambda a, b, k, t: np.cos(a),
        "sinh": lambda a, b, k, t: np.sinh(a), "cosh": lambda a, b, k, t: np.cosh(a),
        "expm1": lambda a, b, k, t: np.expm1(a),
        "sc.erf": lambda a, b, k, t: _sc().erf(a), "sc.k1": lambda a, b, k, t: _sc().k1(a),
        "sc.gamma": lambda a, b, k, t: _sc().gamma(a),
        "a ** b": lambda a, b, k, t: a ** b,
        "np.power(a, b)": lambda a, b, k, t: np.power(a, b),
        "k ** a": lambda a, b, k, t: k ** a, "a ** k": lambda a, b, k, t: a ** k,
        "2.0 ** a": lambda a, b, k, t: 2.0 ** a, "t ** k": lambda a, b, k, t: t ** k,
        "a[3]": lambda a, b, k, t: a[min(3, len(a.value) - 1)],
        "a[-1]": lambda a, b, k, t: a[-1],
        # small67: a[i]'s row read from the partials' buffer: both ends, out of range,
        # past a C integer, a view's rows
        "a[0]": lambda a, b, k, t: a[0], "a[-N]": lambda a, b, k, t: a[-len(a.value)],
        "a[N]": lambda a, b, k, t: a[len(a.value)],
        "a[-N-1]": lambda a, b, k, t: a[-len(a.value) - 1],
        "a[2**70]": lambda a, b, k, t: a[2 ** 70], "a[1:][-1]": lambda a, b, k, t: a[1:][-1],
    }
    out = []
    for N, n in ((10, 10), (3, 1), (1, 4), (40, 30)):
        tag = dg.dual.new_tag()
        for pattern in range(6):
            x, y = values(rng, N, pattern), values(rng, N, (pattern + 1) % 6)
            p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
            if pattern >= 2:                       # special partials
                for m in (p, q):
                    flat = m.reshape(-1)
                    at = rng.integers(flat.size, size=min(flat.size, 3))
                    flat[at] = rng.choice([np.nan, np.inf, -0.0, 5e-324, 1e300, 0.0], at.size)
            c = SPECIAL[(3 * pattern + N) % len(SPECIAL)]
            row = rng.standard_normal(n)
            for (layout, xv, pv), (_, yv, qv) in zip(layouts(x, p), layouts(y, q)):
                def make(xv=xv, pv=pv, yv=yv, qv=qv, c=c, row=row, tag=tag, y=y):
                    return (dg.Dual(xv, pv, tag=tag), dg.Dual(yv, qv, tag=tag),
                            dg.Dual(c, row.copy(), tag=tag), y.copy())
                for name, form in forms.items():
                    out.append((f"{name} | N={N} n={n} x{pattern} {layout}", make, form))
            if N == 10:                            # views of every second element
                def sliced(x=x, p=p, y=y, q=q, c=c, row=row, tag=tag):
                    two = (lambda v: np.repeat(v, 2, axis=0))
                    return (dg.Dual(two(x), two(p), tag=tag)[::2],
                            dg.Dual(two(y), two(q), tag=tag)[::2],
                            dg.Dual(c, row.copy(), tag=tag), y.copy())
                for name, form in forms.items():
                    out.append((f"{name} | sliced x{pattern}", sliced, form))
                # 2-D values
                def make2(x=x, p=p, y=y, q=q, c=c, row=row, tag=tag):
                    return (dg.Dual(x.reshape(2, 5), p.reshape(2, 5, n), tag=tag),
                            dg.Dual(y.reshape(2, 5), q.reshape(2, 5, n), tag=tag),
                            dg.Dual(c, row.copy(), tag=tag), y.reshape(2, 5).copy())
                for name in ("sin", "exp", "log", "tanh", "cos", "a ** b", "k ** a", "a ** k"):
                    out.append((f"{name} | 2-D x{pattern}", make2, forms[name]))
    tag = dg.dual.new_tag()                       # 0-d and empty values (small66)
    for shape, value in (((), 0.7), ((), 374.5), ((), np.nan), ((0,), 0.0)):
        def make0(shape=shape, value=value, tag=tag):
            x = np.full(shape, value)
            return (dg.Dual(x, np.ones(shape + (3,)), tag=tag),
                    dg.Dual(x + 1.0, np.ones(shape + (3,)), tag=tag),
                    dg.Dual(0.5, np.ones(3), tag=tag), x + 2.0)
        for name in ("sin", "exp", "tanh", "cos", "sinh", "a ** b"):
            out.append((f"{name} | {shape} {value}", make0, forms[name]))
    return out


def child(numba):
    """Print this process's number of cases and digest."""
    import dualgrad as dg
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    made = cases()
    records = []
    for state in ("default", "ignore", "raise"):
        for name, make, form in made:
            with warnings.catch_warnings(record=True) as seen, np.errstate(
                    **({} if state == "default" else {"all": state})):
                warnings.simplefilter("always")
                try:
                    got = levels(form(*make()))
                except Exception as exc:  # noqa: BLE001 (its type and text enter the record)
                    got = f"{type(exc).__name__}: {exc}"
            records.append([state, name, got,
                            [f"{w.category.__name__}: {w.message}" for w in seen]])
    x = np.array([0.8, 1.3, 2.1, 0.6])             # a nested level: the general path
    for name, f in (("sin", lambda z: np.sum(np.sin(z) * np.exp(z))),
                    ("tanh", lambda z: np.sum(np.tanh(z) * np.cos(z))),
                    ("a ** b", lambda z: np.sum(z[:2] ** z[2:])),
                    ("k ** a", lambda z: np.sum(z[3] ** z[:3])),
                    ("a[3]", lambda z: z[3] * z[1])):
        records.append(["hessian", name, levels(dg.hessian(f, x)), []])
    assert _loader.READY == numba
    print_digest(records)


if __name__ == "__main__":
    digest_main(__file__, child)
