"""power74: d/dx x**y where ``x**(y - 1)`` underflowed beside a large ``|y|``.

``y * x ** (y - 1.0)`` multiplies a subnormal ``x**(y - 1)`` (a few of its bits left)
by ``y``: a normal product that kept the part's error (x = 1 - 7.3e-8, y = 1e10:
9.226063294684436e-308 for 9.226064273541042e-308, 1.06e-7 off) on every array path,
unless a neighbour's careful steps ran.  The array paths' tests of d/dx now flag
``|f| < TINY max(1, |y|)`` and send it to the careful terms.  Oracle: mpmath at 60
digits at the float arguments.
"""

import mpmath
import numpy as np
import pytest

import dualgrad as dg

TINY = 2.2250738585072014e-308


def _cases():
    """(x, y): x near 1 below it for y > 0, above it for y < 0, x**(y - 1) subnormal
    (1e-309 .. 1e-318) and y x**(y - 1) normal."""
    out = []
    with mpmath.workdps(60):
        for y in (1e3, 1e5, 1e8, 1e10, 1e12, 1e14, -1e3, -1e6, -1e10, -1e13):
            for q in (309, 312, 315, 318):
                x = float(mpmath.exp(mpmath.log(mpmath.mpf(10) ** -q) / (y - 1)))
                if x == 1.0:
                    continue
                d = _exact(x, y)
                if abs(d) >= TINY and abs(x ** (y - 1.0)) < TINY:
                    out.append((x, y))
    return out


def _exact(x, y):
    with mpmath.workdps(60):
        return float(mpmath.mpf(y) * mpmath.mpf(x) ** (mpmath.mpf(y) - 1))


CASES = _cases()


def test_the_sweep_holds_the_reported_point_and_both_signs():
    assert len(CASES) >= 20
    assert any(y < 0 for _, y in CASES) and any(y > 0 for _, y in CASES)
    assert _exact(1 - 7.3e-8, 1e10) == 9.226064273541042e-308


def _check(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [1, 4, 32, 3000])
@pytest.mark.parametrize("form", ["array ** array", "array ** number", "float_power",
                                  "np.power number"])
def test_d_dx_against_mpmath(n, form):
    pts = CASES + [(1 - 7.3e-8, 1e10)]
    for x0, y0 in pts:
        x = np.full(n, x0)
        y = np.full(n, y0)
        ones = np.ones(n)
        if form == "array ** array":
            g = dg.jvp(lambda uv: uv[0] ** uv[1], [x, y], [ones, np.zeros(n)])[1]
        elif form == "array ** number":
            g = dg.jvp(lambda u: u ** y0, x, ones)[1]
        elif form == "float_power":
            g = dg.jvp(lambda u: np.float_power(u, y0), x, ones)[1]
        else:
            g = dg.jvp(lambda u: np.power(u, y), x, ones)[1]
        _check(np.asarray(g), np.full(n, _exact(x0, y0)))


def test_a_single_flagged_element_does_not_depend_on_its_neighbours():
    x = np.full(40, 0.5)
    y = np.full(40, 3.0)
    x[17], y[17] = 1 - 7.3e-8, 1e10
    g = dg.jacobian(lambda v: v[:40] ** v[40:], np.concatenate([x, y]))
    assert g[17, 17] == pytest.approx(_exact(1 - 7.3e-8, 1e10), rel=1e-12, abs=0)
    assert g[3, 3] == 3.0 * 0.5 ** 2.0


def test_nested_hessian_diagonal():
    """d2/dx2 sum(x ** y0): the first level's d/dx is the sweep's (its slope is
    y (y - 1) x**(y - 2), checked too)."""
    x0, y0 = 1 - 7.3e-8, 1e10
    x = np.full(20, x0)
    g = dg.grad(lambda u: np.sum(u ** y0))(x)
    _check(g, np.full(20, _exact(x0, y0)))
    with mpmath.workdps(60):
        want = float(mpmath.mpf(y0) * (y0 - 1) * mpmath.mpf(x0) ** (mpmath.mpf(y0) - 2))
    h = dg.hessian(lambda u: np.sum(u ** y0), x)
    _check(np.diag(h), np.full(20, want))


@pytest.mark.parametrize("form", ["scalar ** scalar", "scalar ** number", "pow",
                                  "np.float_power"])
def test_scalar_duals_against_mpmath(form):
    f = {"scalar ** scalar": lambda v: v[0] ** v[1],
         "scalar ** number": lambda v: v[0] ** float(v[1].value),
         "pow": lambda v: pow(v[0], float(v[1].value)),
         "np.float_power": lambda v: np.float_power(v[0], v[1])}[form]
    for x0, y0 in CASES[::3] + [(1 - 7.3e-8, 1e10)]:
        g = dg.jacobian(f, np.array([x0, y0]))
        assert g[0] == pytest.approx(_exact(x0, y0), rel=1e-12, abs=0), (x0, y0)


def test_a_scalar_hessian_reads_the_mended_slope():
    """d/dx of ``x ** y`` inside a nested pass (scalar duals two levels deep)."""
    x0, y0 = 1 - 7.3e-8, 1e10
    g = dg.jacobian(lambda v: dg.grad(lambda w: w[0] ** w[1])(v), np.array([x0, y0]))
    with mpmath.workdps(60):
        want = float(mpmath.mpf(y0) * (y0 - 1) * mpmath.mpf(x0) ** (mpmath.mpf(y0) - 2))
    assert g[0, 0] == pytest.approx(want, rel=1e-12, abs=0)
    first = dg.grad(lambda w: w[0] ** w[1])(np.array([x0, y0]))
    assert first[0] == pytest.approx(_exact(x0, y0), rel=1e-12, abs=0)


def test_numba_jitted_power_against_mpmath():
    numba = pytest.importorskip("numba")
    pair = numba.njit(lambda v: v[0] ** v[1])
    number = numba.njit(lambda v: v[0] ** 1e10)
    x0 = 1 - 7.3e-8
    for f in (pair, number):
        g = dg.jacobian(f, np.array([x0, 1e10]))
        assert g[0] == pytest.approx(_exact(x0, 1e10), rel=1e-12, abs=0)


@pytest.mark.parametrize("n", [20000])
def test_a_long_chain_against_mpmath(n):
    """The power inside a chain of array operations (the fused engine's kernels where
    conftest sets it)."""
    x0, y0 = 1 - 7.3e-8, 1e10
    x = np.full(n, x0)
    g = dg.jvp(lambda u: np.exp(u * 0.0) * (u * 1.0) ** y0 + 1.0, x, np.ones(n))[1]
    _check(g, np.full(n, _exact(x0, y0)))
