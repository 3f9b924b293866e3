"""exact71: a scalar dual's + - * / with a plain number, the words each reports beside
NumPy's float64 scalar operator's (refusals70's Left: ``u * 1e300`` overflowed
unreported where ``np.float64(1e10) * 1e300`` says "overflow encountered in scalar
multiply"), under the default error state and ``np.errstate(all="raise")``; and the
values and derivatives, which must not move (printed as a digest to compare).

``PYTHONPATH=<tree> python bench/scalar_words71.py`` prints the cases whose words
differ from NumPy's, the totals, and a digest of every value and derivative's bits.
"""
import hashlib
import itertools
import operator
import warnings

import numpy as np

import dualgrad as dg

VALUES = [0.0, -0.0, 1e-310, 1e-300, 1e-10, 1.0, -2.5, 1e10, 1e300, -1.7e308, np.inf,
          np.nan]
NUMBERS = [0.0, 1e-300, 1e-10, 3.0, 1e300, 1.7e308, -1e308, np.inf]
OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def words(call, state):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            with np.errstate(**({"all": "raise"} if state == "raise" else {})):
                result = call()
        except (FloatingPointError, ZeroDivisionError) as exc:
            return [f"{type(exc).__name__}: {exc}"], None
    return sorted({str(m.message) for m in w if issubclass(m.category, RuntimeWarning)}), \
        result


def main():
    differ = total = 0
    digest = hashlib.sha256()
    for (sym, op), v, c, side, state in itertools.product(
            OPS.items(), VALUES, NUMBERS, ("u op c", "c op u"), ("default", "raise")):
        f = (lambda u: op(u, c)) if side == "u op c" else (lambda u: op(c, u))
        plain, _ = words(lambda: f(np.float64(v)), state)
        got, d = words(lambda: dg.derivative(f, v), state)
        total += 1
        if state == "default":          # (raise: a report may now stop the call)
            digest.update(b"raised" if d is None else np.float64(d).tobytes())
        if plain != got:
            differ += 1
            print(f"{side} {sym} v={v!r} c={c!r} {state}: NumPy {plain}, dual {got}")
    print(f"{differ} of {total} differ in words; derivatives' digest {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
