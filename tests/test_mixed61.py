"""A scalar dual and a Python complex constant (``2 * np.pi * 1j * ph``: the perovskite
row of bench/corpus61.py) through ``_ufuncs._with_complex``, entered first by the scalar
duals' general entry and casting the float64 operand to complex128 itself (mixed61).

Oracles: the general path (``_with_complex`` patched to decline) to the bit, over signed
zeros, subnormals, infinities and NaN in the value, the constant and the partials; the
closed forms of the derivatives (``+ - * /``) to rounding where they are finite.
"""

import itertools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual._base import new_tag

SPECIAL = [0.0, -0.0, 1.5, -2.5, 5e-324, -1e-310, 1e308, np.inf, -np.inf, np.nan]
PARTS = [0.0, -0.0, -1e-310, 2.0, -3.0, np.inf, np.nan]
PARTIALS = [1.0, -0.0, 5e-324, -2.0]
OPS = {"+": (lambda a, b: a + b, lambda v, c, p, first: p),
       "-": (lambda a, b: a - b, lambda v, c, p, first: p if first else -p),
       "*": (lambda a, b: a * b, lambda v, c, p, first: p * c),
       "/": (lambda a, b: a / b, lambda v, c, p, first: p / c if first else -c * p / v ** 2)}


def _bits(x):
    return np.asarray(x.value).tobytes(), np.asarray(x.partials).tobytes(), type(x)


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_complex_constant_against_general_path_and_closed_form(op, kind, monkeypatch):
    f, closed = OPS[op]
    calls = []
    fast = _ufuncs._with_complex
    monkeypatch.setattr(_ufuncs, "_with_complex",
                        lambda *a: calls.append(1) or fast(*a))
    tag = new_tag()
    seen = 0
    with np.errstate(all="ignore"):
        for v, cr, ci in itertools.product(SPECIAL, PARTS, PARTS):
            c = complex(cr, ci)
            value = v if kind == "real" else complex(v, -0.75)
            d = dg.Dual(value, PARTIALS, tag=tag)
            for first in (True, False):
                got = f(d, c) if first else f(c, d)
                with monkeypatch.context() as mp:
                    mp.setattr(_ufuncs, "_with_complex", lambda *a: None)
                    want = f(d, c) if first else f(c, d)
                assert _bits(got) == _bits(want), (op, value, c, first)
                p = np.array(PARTIALS, dtype=complex)
                ref = closed(np.complex128(value), np.complex128(c), p, first)
                ok = np.isfinite(ref) & np.isfinite(got.partials)
                np.testing.assert_allclose(got.partials[ok], ref[ok], rtol=1e-15, atol=1e-300)   # (subnormals)
                seen += int(ok.sum())
    assert len(calls) == 2 * len(SPECIAL) * len(PARTS) ** 2 and seen > 1000


def test_perovskite_phase_gradient():
    """``|exp(2 pi i h x)|`` is 1 and its phase's derivative 2 pi h: the row's product
    of a real dual and ``2 * np.pi * 1j`` inside ``np.exp``."""
    def f(q):
        z = np.exp(2 * np.pi * 1j * (3.0 * q[0]) - q[1] / 4)
        return np.stack([z.real, z.imag])
    q = np.array([0.13, 0.4])
    J = dg.jacobian(f, q)
    t, r = 2 * np.pi * 3.0 * q[0], np.exp(-q[1] / 4)
    want = np.array([[-6 * np.pi * r * np.sin(t), -r * np.cos(t) / 4],
                     [6 * np.pi * r * np.cos(t), -r * np.sin(t) / 4]])
    np.testing.assert_allclose(J, want, rtol=1e-14)


UNARY = [np.exp, np.sin, np.cos, np.log, np.sqrt, np.expm1, np.reciprocal, np.tanh,
         np.square, np.negative]


@pytest.mark.parametrize("ufunc", UNARY, ids=lambda u: u.__name__)
def test_complex_unary_against_general_path(ufunc, monkeypatch):
    """``ufunc`` of a complex scalar dual through ``_ufuncs._complex_unary``: the general
    ``call``'s bits (the lean step patched to decline) over signed zeros, subnormals,
    infinities and NaN, complex partials too; ``exp``'s partials ``exp(z) dz``."""
    calls = []
    lean = _ufuncs._complex_unary
    monkeypatch.setattr(_ufuncs, "_complex_unary", lambda *a: calls.append(1) or lean(*a))
    tag = new_tag()
    with np.errstate(all="ignore"):
        for re, im in itertools.product(SPECIAL, PARTS):
            for ps in (PARTIALS, [1j, -0.5 + 0j, 0.0, complex(-0.0, 2.0)]):
                d = dg.Dual(complex(re, im), ps, tag=tag)
                got = ufunc(d)
                with monkeypatch.context() as mp:
                    mp.setattr(_ufuncs, "_complex_unary", lambda *a: None)
                    want = ufunc(d)
                assert _bits(got) == _bits(want), (ufunc, re, im, ps)
                if ufunc is np.exp and np.isfinite(complex(re, im)) and abs(re) < 700:
                    np.testing.assert_allclose(got.partials,
                                               np.exp(complex(re, im)) * np.array(ps),
                                               rtol=1e-15, atol=1e-300)
    assert calls
