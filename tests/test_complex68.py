"""complex68: complex small array duals by a line generated per rule
(``dispatch._lean_complex``), and complex quotients whose factor's modulus passes the
float range (Python's ``abs`` raised ``OverflowError`` there).

The lean lines ran (``_complex_partials``, the steps they write out, not called), give
the duals of ``complex_small``'s own steps to the bit (specials, branch cuts, signed
zeros, the careful quotient, a factor that is not finite), and the derivatives of a
magnetotelluric-like recursion are mpmath's."""

import cmath
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import new_tag
from dualgrad.rules._table import RULES

from _probes import same_duals, spy_on

MU = 4e-7 * np.pi
RHO = [1.5, 2.3, 0.8, 1.9]                  # log10 resistivities, the last a half space
THICK = [5.0, 8.0, 12.0]
FREQS = np.logspace(3, -1, 6)


def mt(model):
    """The impedance recursion of bench/corpus64.py's magnetotelluric row, its output
    Re Z, Im Z."""
    w = 2 * np.pi * FREQS
    rho = 10 ** model
    Z = np.sqrt(1j * w * MU * rho[-1])
    for j in range(len(THICK) - 1, -1, -1):
        zo = np.sqrt(1j * w * MU * rho[j])
        R = (zo - Z) / (zo + Z)
        gamma = np.sqrt(1j * w * MU / rho[j])
        e = np.exp(-2 * gamma * THICK[j])
        Z = zo * (1 - R * e) / (1 + R * e)
    return np.concatenate([Z.real, Z.imag])


def mt_mpmath(model, i):
    """Z at frequency ``i`` in mpmath (the same recursion)."""
    w = 2 * mpmath.pi * mpmath.mpf(FREQS[i])
    rho = [mpmath.power(10, m) for m in model]
    mu = 4e-7 * mpmath.pi
    Z = mpmath.sqrt(1j * w * mu * rho[-1])
    for j in range(len(THICK) - 1, -1, -1):
        zo = mpmath.sqrt(1j * w * mu * rho[j])
        R = (zo - Z) / (zo + Z)
        e = mpmath.exp(-2 * mpmath.sqrt(1j * w * mu / rho[j]) * THICK[j])
        Z = zo * (1 - R * e) / (1 + R * e)
    return Z


@pytest.mark.mp_dps(30)
def test_recursion_on_the_lean_lines_against_mpmath(monkeypatch):
    general = spy_on(monkeypatch, _ufuncs, "_complex_partials", lambda args, r: 1)
    x = np.array(RHO)
    got = dg.jacobian(mt, x)
    assert general == []                 # every complex operation took its lean line
    for i in range(len(FREQS)):
        # (the slopes at low frequencies are |Z| 1e-7 by cancellation: float64's
        # recursion holds them to a few ulps of |Z|, not of themselves)
        tol = 4e-15 * float(abs(mt_mpmath(list(x), i)))
        for k in range(len(x)):
            dz = mpmath.diff(lambda t: mt_mpmath([*x[:k], t, *x[k + 1:]], i), x[k])
            assert got[i, k] == pytest.approx(float(dz.real), rel=0, abs=tol)
            assert got[len(FREQS) + i, k] == pytest.approx(float(dz.imag), rel=0, abs=tol)


PARTS = [0.75, -2.5, 0.0, -0.0, 5e-324, 1e-200, 1e200, np.inf, -np.inf, np.nan]


def _grid(rng, n=3, real=PARTS, imag=PARTS):
    """Complex values from ``real`` x ``imag`` (every pair) and partials with specials and
    a zero row."""
    v = np.array([complex(a, b) for a in real for b in imag])
    p = rng.standard_normal((v.size, n)) + 1j * rng.standard_normal((v.size, n))
    p[::7] = 0.0
    p[3::11, 0] = complex(np.nan, 0.0)
    p[5::13, 1] = complex(-0.0, np.inf)
    return v, p


@pytest.mark.parametrize("name", ["sqrt", "log", "exp", "reciprocal", "tanh", "multiply",
                                  "divide", "subtract"])
def test_lean_lines_are_complex_smalls_steps(monkeypatch, name):
    """Each form's result against ``complex_small`` from the value on (``out=``, the
    steps before this change), bit for bit, warnings alike, under NumPy's default
    state; a lean line ran."""
    rule = RULES[getattr(np, name)]
    rng = np.random.default_rng(68)
    v, p = _grid(rng)
    tag = new_tag()
    u = dg.Dual(v, p, tag=tag)
    v2, p2 = _grid(rng, real=[0.75, -2.5, 3.0], imag=[0.75, -0.0, 0.0, -2.5])
    u2 = dg.Dual(v2, p2, tag=tag)       # finite values, no zero: the lean lines whole
    w = dg.Dual(v[::-1].copy(), p[::-1] * 0.5, tag=tag)
    r = dg.Dual(v.real.copy(), p.real.copy(), tag=tag)      # a real array dual
    s = dg.Dual(0.3, np.array([1.0, -0.0, np.inf]), tag=tag)     # a real scalar dual
    c = dg.Dual(-0.0 - 2.5j, np.array([1j, 0.0, -2.0]), tag=tag)
    grid = v * 0.5
    forms = [(u,), (u2,)] if rule.ufunc.nin == 1 else [
        (u, w), (u, u), (u, 2), (1j, u), (u, np.float64(-0.0)), (np.complex128(1e300j), u),
        (u, r), (r, u), (2.5j, r), (grid, s), (s, grid), (c, u), (u, c), (grid.real, c),
        (u2, u2[::-1]), (u2, 2), (1j, u2), (u2, c), (v2, s), (s, v2 * 0.5j)]
    general = spy_on(monkeypatch, _ufuncs, "_complex_partials", lambda args, r: 1)
    taken = 0
    for args in forms:
        before = len(general)
        with warnings.catch_warnings(record=True) as fast_warnings:
            warnings.simplefilter("always")
            fast = _ufuncs.complex_small(rule, args)
        taken += len(general) == before
        values = [a.value if isinstance(a, dg.Dual) else a for a in args]
        values = [np.float64(a) if type(a) in (int, float) else
                  np.complex128(a) if type(a) is complex else a for a in values]
        with np.errstate(all="ignore"):
            out = rule.ufunc(*values)
        with warnings.catch_warnings(record=True) as steps_warnings:
            warnings.simplefilter("always")
            rule.ufunc(*values)                   # NumPy's reports on the value
            steps = _ufuncs.complex_small(rule, args, out)
        assert fast is not None
        same_duals(fast, steps)
        assert [str(x.message) for x in fast_warnings] == \
            [str(x.message) for x in steps_warnings]
    # the lean lines took the finite forms whole (the grid's infinite factors,
    # underflowed quotients: complex_small from the value on)
    assert taken >= (1 if rule.ufunc.nin == 1 else 5)


def test_branch_cuts_and_signed_zeros():
    """sqrt and log just above and below the negative real axis (imaginary part +-0.0):
    the slope of the side NumPy's value is on (cmath's, an independent oracle)."""
    z = np.array([complex(-2.5, 0.0), complex(-2.5, -0.0), complex(-1e-300, -0.0),
                  complex(4.0, -0.0)])

    def f(t):
        u = z * t[0]
        return np.concatenate([np.sqrt(u), np.log(u)])
    J = dg.jacobian(f, np.array([1.0]))[:, 0]
    for i, zi in enumerate(z):
        assert J[i] == pytest.approx(0.5 * zi / cmath.sqrt(zi), rel=1e-15, abs=0)
        assert J[len(z) + i] == pytest.approx(1.0, rel=1e-15, abs=0)   # z d(log z)/dz


def test_fallback_reports_once_and_keeps_zero_partials():
    """log of an array holding 0 (its factor 1 / 0 inf): the lean line hands its value to
    complex_small, NumPy's divide warning is the value's alone, once; the zero partial
    stays 0 beside the infinite factor, the other element's slope 1 / t."""
    def f(t):
        return np.log(np.array([0j, 1 + 1j]) * t[0])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        J = dg.jacobian(f, np.array([2.0]))
    assert [str(w.message) for w in seen] == ["divide by zero encountered in log"]
    assert J[0, 0] == 0 and J[1, 0] == pytest.approx(0.5, rel=1e-15, abs=0)


Y0 = 0.8 * cmath.exp(1j * np.pi / 8)


@pytest.mark.parametrize("form", ["array", "array real partials", "scalar", "np.divide"])
def test_quotient_past_the_float_range(form):
    """x / y with -out / y of parts 1.3e308 (modulus 1.9e308: Python's abs raised
    OverflowError in the underflow test): the slopes, mpmath's."""
    def f(t):
        if form == "array":
            return (np.array([1.2e308 + 0j]) * t[0] / (np.array([Y0]) * t[1])).real
        if form == "array real partials":
            return (np.array([1.2e308 + 0j]) * t[0] / (Y0 * t[1])).real
        x = (1.2e308 + 0j) * t[0]
        return (x / (Y0 * t[1])).real if form == "scalar" else \
            np.real(np.divide(x, Y0 * t[1]))
    J = np.ravel(dg.jacobian(f, np.array([1.0, 1.0])))
    want = mpmath.mpf(1.2e308) / mpmath.mpc(Y0.real, Y0.imag)
    assert J[0] == pytest.approx(float(want.real), rel=1e-15, abs=0)
    assert J[1] == pytest.approx(-float(want.real), rel=1e-15, abs=0)


def test_numpys_own_error_from_a_lean_line():
    """scipy.special.expit has no complex loop: NumPy's TypeError, raised in the lean
    line (a frame of dualgrad's own), reaches the user as NumPy gave it, not as the
    object-array message (which named np.expit and an object array that was not
    there: 251d020f's namespace had no ``__name__``)."""
    with pytest.raises(TypeError, match="ufunc 'expit' not supported") as got:
        dg.jacobian(lambda t: sc.expit(np.array([0.3 + 0.2j, -1.5 + 2j]) * t[0]),
                    np.array([1.0]))
    assert "object array" not in str(got.value)
