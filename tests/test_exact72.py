"""Stop 71's open exactness findings (exact72).

(1) attack71 F2: the j-th derivative of ``x ** k`` at a negative base has the sign of
``x ** (k - j)``, the parity of the exact integer ``k - j``; a nested level
differentiates ``x ** (y - 1.0)`` at the exponent the level above left, and
``-2**53 - 1.0`` rounds to the even -2**53, so the second derivative at k = 1 - 2**53,
the third at k = 2 - 2**53 and the first at k = -2**53 took the even power's sign.
Oracle: mpmath's ``k (k - 1) ... x**(k - j)`` at 60 digits.
"""

import math

import numpy as np
import pytest

import dualgrad as dg

mpmath = pytest.importorskip("mpmath")

# ---- (1) the sign of x ** (k - j) at every order near 2**53 -------------------------

_B = 2 ** 53
KS = [float(k) for k in (1 - _B, 2 - _B, 3 - _B, -_B, -_B - 2, -_B - 4, _B - 1, _B, _B + 2,
                         2 * _B)]
# (-3 and -0.25, outside [0.5, 2]: there the branch past 2**53 takes x's sign alone,
# which at k = 2**53 itself, whose k - 1.0 is exact and odd, flipped the right sign:
# attack72 F3, -inf read +inf at x = -3)
XS = [-1.0, -(1 + 2.0 ** -52), -(1 - 2.0 ** -53), 1 + 2.0 ** -52, -0.5, -2.0, -3.0, -0.25]


def _exact(x, k, order):
    """d^order/dx^order x**k by mpmath at 60 digits, rounded once (a signed inf past the
    range; a signed zero below it)."""
    with mpmath.workdps(60):
        c = mpmath.mpf(1)
        for i in range(order):
            c *= int(k) - i
        v = c * mpmath.mpf(x) ** (int(k) - order)
        try:
            return float(v)
        except OverflowError:
            return math.copysign(math.inf, v)


def _same(got, want):
    got = float(got)
    assert math.copysign(1.0, got) == math.copysign(1.0, want), (got, want)
    assert got == pytest.approx(want, rel=1e-13, abs=0), (got, want)


def _nested(f, order):
    g = f
    for _ in range(order):
        g = (lambda h: lambda t: dg.derivative(h, t))(g)
    return g


SPELLINGS = {
    "u ** k": lambda k: lambda t: t ** k,
    "u ** int": lambda k: lambda t: t ** int(k),
    "np.power": lambda k: lambda t: np.power(t, k),
    "np.float_power": lambda k: lambda t: np.float_power(t, k),
    "array": lambda k: lambda t: ((t * np.ones(2)) ** k)[1],
    "array of 3000": lambda k: lambda t: ((t * np.ones(3000)) ** k)[7],
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_every_order_has_the_sign_of_the_exact_power(spelling, order):
    for k in KS:
        f = _nested(SPELLINGS[spelling](k), order)
        for x in XS:
            _same(f(x), _exact(x, k, order))


def test_attack71_f2_repro():
    """attack71's F2_k2.py: +8.113e31 for -8.113e31 at x = -1, k = 1 - 2**53, in the
    nested derivative, dg.hessian and nested jacfwd; the third derivative at k = 2 -
    2**53 -7.31e47 for +7.31e47; the first at k = -2**53 -2**53 for +2**53."""
    k = float(1 - _B)
    want = _exact(-1.0, k, 2)
    assert want == pytest.approx(-8.112963841460667e31, rel=1e-15)
    _same(dg.hessian(lambda z: np.sum(z ** k), np.array([-1.0]))[0, 0], want)
    _same(dg.hessian(lambda z: z[0] ** k + z[1], np.array([-1.0, 2.0]))[0, 0], want)
    _same(dg.jacfwd(dg.jacfwd(lambda z: z ** k))(-1.0), want)
    _same(_nested(lambda t: t ** float(2 - _B), 3)(-1.0), _exact(-1.0, 2 - _B, 3))
    assert dg.derivative(lambda t: t ** float(-_B), -1.0) == float(_B)


def test_u_to_a_dual_exponent_keeps_the_sign():
    """``u ** v`` with v a constant dual (the pair's row): its d/dx at every order; a
    zero sign is not judged (the pair sums d/dx with d/dy times v's zero partial)."""
    for k in (1 - _B, 2 - _B, -_B):
        for x in (-1.0, -(1 + 2.0 ** -52), -0.5):
            for order in (1, 2, 3):
                got = _nested(lambda t: t ** (t * 0.0 + float(k)), order)(x)
                want = _exact(x, k, order)
                assert got == pytest.approx(want, rel=1e-13, abs=0) and \
                    math.copysign(1.0, got) == math.copysign(1.0, want), (x, k, order)


def test_the_jit_wing_at_minus_2_53():
    numba = pytest.importorskip("numba")

    @numba.njit
    def one(v, k):
        return v[0] ** k
    for x in (-1.0, -(1 + 2.0 ** -52)):
        _same(dg.gradient(lambda v: one(v, float(-_B)), np.array([x, 1.0]))[0],
              _exact(x, -_B, 1))


def test_the_ordinary_range_and_2_54_as_before():
    """Guards: k within 2**53 of 0 on the plain formula, 2**54 on the row's branch."""
    for k in (3.0, -5.0, 2.0 ** 54, -(2.0 ** 54), 2.0 ** 53 - 1):
        for x in (-1.5, -(1 + 2.0 ** -52), 0.75):
            for order in (1, 2):
                want = _exact(x, k, order)
                if math.isfinite(want) and want != 0.0:
                    _same(_nested(lambda t: t ** k, order)(x), want)


# ---- (2) a complex dtype of a real dual: the fix that works ----------------------------

_X2 = np.array([1.0, 2.0])
# (the refused spelling, the advised one, the analytic Jacobian of its real part)
COMPLEX_CASTS = {
    "np.cumsum by position": (lambda z: np.cumsum(z, 0, complex),
                              lambda z: np.cumsum(z.astype(complex), 0), [[1, 0], [1, 1]]),
    "np.sum": (lambda z: np.sum(z, dtype=complex), lambda z: np.sum(z.astype(complex)),
               [1, 1]),
    "np.mean": (lambda z: np.mean(z, dtype=np.complex128),
                lambda z: np.mean(z.astype(complex)), [0.5, 0.5]),
    "np.prod": (lambda z: np.prod(z, dtype=complex), lambda z: np.prod(z.astype(complex)),
                [2.0, 1.0]),
    "np.add": (lambda z: np.add(z, 1.0, dtype=complex),
               lambda z: np.add(z.astype(complex), 1.0), [[1, 0], [0, 1]]),
    "np.sin": (lambda z: np.sin(z, dtype=complex), lambda z: np.sin(z.astype(complex)),
               np.diag(np.cos(_X2))),
    "a scalar's np.add": (lambda z: np.add(z[0], 1.0, dtype=complex),
                          lambda z: np.add(z[0].astype(complex), 1.0), [1, 0]),
    "np.asarray": (lambda z: np.asarray(z, dtype=complex), lambda z: z.astype(complex),
                   [[1, 0], [0, 1]]),
    "np.array": (lambda z: np.array(z, dtype=np.complex128), lambda z: z * (1 + 0j),
                 [[1, 0], [0, 1]]),
    "signature=": (lambda z: np.multiply(z, z, signature=(None, None, complex)),
                   lambda z: np.multiply(z.astype(complex), z), np.diag(2 * _X2)),
    "complex64": (lambda z: np.sum(z, dtype=np.complex64),     # (complex128's cast, the
                  lambda z: np.sum(z.astype(complex)), [1, 1]),  # result cast: exact74)
}


@pytest.mark.parametrize("name", COMPLEX_CASTS)
def test_a_complex_dtype_names_the_cast_that_keeps_the_derivatives(name):
    """attack71 M1: the refusal named math.sin, nothing the call wrote; its fix now runs
    to the analytic Jacobian."""
    refused, fix, want = COMPLEX_CASTS[name]
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda z: np.real(refused(z)), _X2)
    message = str(info.value)
    assert "x.astype(complex)" in message and "math.sin" not in message, message
    assert "x * (1 + 0j)" in message
    np.testing.assert_allclose(dg.jacobian(lambda z: np.real(fix(z)), _X2),
                               np.array(want, dtype=float), rtol=1e-15, atol=0)


# ---- (3) the negative base's sign of the extended-range products: the table's ----------


def _far_hessian_entry(x, y):
    """H00 of (a w0) ** w1 at a w0 = x (a = 1e-300): a**2 y (y - 1) x**(y - 2), past the
    float range where the float chain's x**(y - 2) overflows (the pairs' term)."""
    with np.errstate(all="ignore"):
        return float(dg.hessian(lambda w: (1e-300 * w[0]) ** w[1],
                                np.array([x / 1e-300, y]))[0, 0])


@pytest.mark.parametrize("x, y", [(-1e-160, -2.0), (-1e-160, -3.0), (-1e-160, -4.0)])
def test_the_extended_range_sign_is_the_rows(monkeypatch, x, y):
    """diff71 F1: the sign (-1)**(y - 1) at a negative base was written in
    dispatch._farpower (and the jit wing's _far) beside the table's own: it is the row's
    spread's c now, so a row edited to leave it out (c = y) takes the magnitude's sign
    in the far term, and the table's row the exact one (mpmath)."""
    from dualgrad.dispatch import _farpower
    from dualgrad.rules._table import RULES
    A, X, Y = mpmath.mpf(1e-300), mpmath.mpf(x), mpmath.mpf(y)
    want = float(A * A * Y * (Y - 1) * X ** (Y - 2))
    _same(_far_hessian_entry(x, y), want)
    row = RULES[np.power]
    unsigned = __import__("dataclasses").replace(
        row, spread=(("y", row.spread[0][1]), row.spread[1]))
    real = _farpower.power_terms
    monkeypatch.setattr(_farpower, "power_terms",
                        lambda rule, *args, **kwargs: real(unsigned, *args, **kwargs))
    # d2/dx2 through c * h**4 with h of |x|: (c h**4)' = y (y - 1) |x|**(y - 2) sign(x),
    # the exact value's sign at an odd y - 2 only (y = -3: the same number, a guard)
    _same(_far_hessian_entry(x, y), -float(A * A * Y * (Y - 1) * abs(X) ** (Y - 2)))


def test_the_sign_is_written_once():
    """Neither the pairs nor the jit wing computes a parity of its own."""
    import inspect

    from dualgrad.dispatch import _farpower
    from dualgrad.rules import _table
    assert "% 2" not in inspect.getsource(_farpower)
    assert "_ODD_POWER_SIGN" in inspect.getsource(_table)
    numba_dual = pytest.importorskip("dualgrad.jit._numba_dual")
    assert "% 2" not in inspect.getsource(numba_dual)


def test_the_jit_wings_far_term_at_a_negative_base():
    """Guard: the jit wing's extended-range term at a negative base (its c now the
    row's, signed, its h of |x|): d/dw (a w) ** k at a w = -1e-160, k = -2, -3."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def f(v, k):
        return (1e-300 * v[0]) ** k
    for k in (-2.0, -3.0):
        with np.errstate(all="ignore"):
            got = dg.gradient(lambda v: f(v, k), np.array([-1e-160 / 1e-300, 1.0]))[0]
        K = mpmath.mpf(k)
        _same(got, float(mpmath.mpf(1e-300) * K * mpmath.mpf(-1e-160) ** (K - 1)))
