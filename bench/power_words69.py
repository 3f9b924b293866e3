"""The reports of ``u ** -1`` / ``u ** 0.5`` in NumPy's words, and the numbers unchanged
(refusals69; prints only).

    python bench/power_words69.py --words
    python bench/power_words69.py [--compare /tmp/main_before]
    python bench/digest_cases.py bench/power_words69.py --compare /tmp/main_before

``--words``: for array duals of 3, 40 and 3000 elements (a zero and negatives among
them) under the eager and fused engines, exponents ``-1``, ``-1.0``,
``np.float64(-1.0)``, ``0.5``, ``np.float64(0.5)``, ``2.5``, ``-2``, ``2``, in the
spellings ``u ** k``, ``np.power(u, k)`` and ``u **= k``, NumPy's default error state
and ``np.errstate(all="raise")``: the RuntimeWarnings' (or FloatingPointError's) texts of
``dg.jvp`` of the spelling beside those of the same spelling on the float array; prints
the cases whose texts differ and their count.  NumPy's operator takes ``np.reciprocal``
for the Python int -1 and ``np.sqrt`` for the Python float 0.5 (NumPy 2.4; other types
and values ``np.power``), and so does the dual's since refusals69 (it said "... in
power" for both: small68's Left).

Without ``--words``: a bit digest (bench/_common's ``record``: values, partials, texts
of warnings) of ``dg.jvp`` and ``dg.jacobian`` of those spellings on arrays holding 0,
-0.0, NaN, +-inf, 1e-310, 1e300, negatives (3 and 40 elements, float64), and of
``dg.hessian`` of ``sum(u ** k)``, in a fresh process per engine and numba state, this
checkout beside ``--compare``'s; ``digest_cases.py`` lists the cases that moved and
whether their numbers or only their warnings did.
"""
import itertools
import sys
import warnings
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402

EXPONENTS = [("-1", -1), ("-1.0", -1.0), ("np.float64(-1.0)", np.float64(-1.0)),
             ("0.5", 0.5), ("np.float64(0.5)", np.float64(0.5)), ("2.5", 2.5), ("-2", -2),
             ("2", 2), ("2.0", 2.0), ("np.float64(2.0)", np.float64(2.0))]
SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-310, 1e300, -2.5, 0.3, 7.0])


# power71: scalar duals' operators beside NumPy's float64 scalar's words (attack70 M2,
# refusals70's Left), and the ufunc spellings that keep the ufunc's words
SCALAR_MORE = {
    "u ** np.int64(3)": lambda t: t ** np.int64(3),
    "u ** np.int64(-1)": lambda t: t ** np.int64(-1),
    "u ** np.int32(2)": lambda t: t ** np.int32(2),
    "2.0 ** u": lambda t: 2.0 ** t,
    "0.0 ** u": lambda t: 0.0 ** t,
    "(-2.0) ** u": lambda t: (-2.0) ** t,
    "u ** (0.5 * u + 3.0)": lambda t: t ** (0.5 * t + 3.0),
    "np.power(u, np.int64(3))": lambda t: np.power(t, np.int64(3)),
    "u / 0": lambda t: t / 0,
    "u / 0.0": lambda t: t / 0.0,
    "1.0 / u": lambda t: 1.0 / t,
    "u / (u - u)": lambda t: t / (t - t),
    "u / 1e-320": lambda t: t / 1e-320,
    "np.divide(u, 0.0)": lambda t: np.divide(t, 0.0),
}


def body(kind, k):
    def f(v):
        if kind == "u ** k":
            return v ** k
        if kind == "np.power(u, k)":
            return np.power(v, k)
        v = v * 1.0
        v **= k
        return v
    return f


def texts(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            fn()
        except FloatingPointError as e:
            return ["FloatingPointError: " + str(e)]
    return sorted({str(x.message) for x in w if issubclass(x.category, RuntimeWarning)})


def words():
    import dualgrad as dg
    differ = total = 0
    for n, engine, (name, k), kind, state in itertools.product(
            (3, 40, 3000), ("eager", "fused"), EXPONENTS,
            ("u ** k", "np.power(u, k)", "u **= k"), ("default", "raise")):
        x = np.linspace(-1, 1, n)
        x[n // 2] = 0.0
        x[-1] = 1e200                   # (refusals70: an overflow, for 2 and 2.0)
        f = body(kind, k)

        def under(call):
            if state == "raise":
                with np.errstate(all="raise"):
                    return call()
            return call()

        def dual():
            with dg.engine(engine):
                return dg.jvp(f, x, np.ones(n))
        plain, got = texts(lambda: under(lambda: f(x.copy()))), texts(lambda: under(dual))
        total += 1
        if plain != got:
            differ += 1
            print(f"n={n} {engine} k={name} {kind} {state}: NumPy {plain}, dual {got}")
    print(f"{differ} of {total} array cases' reports differ from NumPy's")
    differ2, total2 = more_words(dg)
    print(f"{differ2} of {total2} scalar / Hessian cases' reports differ from NumPy's")


def more_words(dg):
    """refusals70: the scalar dual's reports beside NumPy's float64 scalar's (``x **
    k`` of a float64 scalar says "... in scalar power"; ``np.power`` "... in power"),
    and ``dg.hessian`` of ``sum(f(u))`` (two levels, and its rescaled rerun) beside
    the float array's, for the array's exponents and values 0, -1, 1e200, 1e-200."""
    differ = total = 0
    for (name, k), kind, state, v in itertools.product(
            EXPONENTS, ("u ** k", "np.power(u, k)", "u **= k"), ("default", "raise"),
            (0.0, -1.0, 1e200, 1e-200)):
        f = body(kind, k)

        def under(call):
            if state == "raise":
                with np.errstate(all="raise"):
                    return call()
            return call()
        plain = texts(lambda: under(lambda: f(np.float64(v))))
        got = texts(lambda: under(lambda: dg.derivative(f, v)))
        total += 1
        if plain != got:
            differ += 1
            print(f"scalar v={v} k={name} {kind} {state}: NumPy {plain}, dual {got}")
    for (name, f), state, v, level in itertools.product(
            SCALAR_MORE.items(), ("default", "raise"), list(SPECIAL) + [1e200, 2000.0, 0.5],
            (1, 2)):
        def under(call):
            if state == "raise":
                with np.errstate(all="raise"):
                    return call()
            return call()
        plain = texts(lambda: under(lambda: f(np.float64(v))))
        g = f if level == 1 else (lambda s: dg.derivative(f, s))
        got = texts(lambda: under(lambda: dg.derivative(g, v)))
        total += 1
        if plain != got:
            differ += 1
            print(f"scalar level {level} v={v} {name} {state}: NumPy {plain}, dual {got}")
    for (name, k), kind, state, n in itertools.product(
            EXPONENTS, ("u ** k", "np.power(u, k)", "u **= k"), ("default", "raise"),
            (3, 40)):
        x = np.linspace(-1, 1, n)
        x[n // 2] = 0.0
        x[0] = 1e200
        f = body(kind, k)

        def under(call):
            if state == "raise":
                with np.errstate(all="raise"):
                    return call()
            return call()
        plain = texts(lambda: under(lambda: f(x.copy())))
        got = texts(lambda: under(lambda: dg.hessian(lambda u: np.sum(f(u)), x)))
        total += 1
        if plain != got:
            differ += 1
            print(f"hessian n={n} k={name} {kind} {state}: NumPy {plain}, dual {got}")
    return differ, total


def child(numba):
    dg = child_dualgrad(numba)
    out = []
    run = partial(record, out)
    rng = np.random.default_rng(69)
    arrays = {"special": SPECIAL,
              "40": np.concatenate([SPECIAL, rng.normal(size=30) * 3])}
    for (name, k), kind, (label, x) in itertools.product(
            EXPONENTS, ("u ** k", "np.power(u, k)", "u **= k"), arrays.items()):
        f = body(kind, k)
        run(f"jvp {kind} k={name} {label}",
            lambda: dg.jvp(f, x, np.linspace(-2, 3, len(x))))
        run(f"jacobian {kind} k={name} {label}", lambda: dg.jacobian(f, x))
        run(f"raise jacobian {kind} k={name} {label}",
            lambda: _raising(lambda: dg.jacobian(f, x)))
    # refusals70: scalar duals (NumPy's scalar operator's words outside 1e-40 < x < 1e40,
    # |k| <= 7, and for an underflowed square), values near the range's ends too
    for (name, k), kind in itertools.product(
            EXPONENTS, ("u ** k", "np.power(u, k)", "u **= k")):
        f = body(kind, k)
        for v in list(SPECIAL) + [1e50, 1e-50, 3e-160, 1e-160, 1e154, 2e154, -1e-170]:
            run(f"derivative {kind} k={name} v={v!r}", lambda: dg.derivative(f, float(v)))
            run(f"raise derivative {kind} k={name} v={v!r}",
                lambda: _raising(lambda: dg.derivative(f, float(v))))
    # power71: the operators' other ways to the general path (NumPy int exponents, u **
    # v, 2.0 ** u, nested scalars, u / 0), their numbers with their words
    for name, f in SCALAR_MORE.items():
        for v in list(SPECIAL) + [1e200, -1e-200, 2000.0, -2000.0, 0.5]:
            run(f"derivative {name} v={v!r}", lambda: dg.derivative(f, float(v)))
            run(f"raise derivative {name} v={v!r}",
                lambda: _raising(lambda: dg.derivative(f, float(v))))
            run(f"second derivative {name} v={v!r}",
                lambda: dg.derivative(lambda s: dg.derivative(f, s), float(v)))
    for (name, k), label in itertools.product(EXPONENTS, ("positive", "special")):
        x = np.abs(SPECIAL[-3:]) + 0.5 if label == "positive" else SPECIAL[:6]
        run(f"hessian sum(u ** k) k={name} {label}",
            lambda: dg.hessian(lambda v: np.sum(v ** k), x))
    print_digest(out)


def _raising(call):
    """``call()`` under ``np.errstate(all="raise")``; a FloatingPointError's text goes
    into the record as a warning (its words, not numbers: digest_cases tells them
    apart) and the result is the text ``"raised"``."""
    try:
        with np.errstate(all="raise"):
            return call()
    except FloatingPointError as exc:
        warnings.warn(f"FloatingPointError: {exc}", RuntimeWarning, stacklevel=2)
        return "raised"


if __name__ == "__main__":
    if "--words" in sys.argv:
        words()
    else:
        digest_main(__file__, child)
