"""Stop 69's luminosity lane (issue 13): levels_of reads a scalar dual's slots without
building its partials array; dg.quad's rule sums (``_gk21``) call NumPy's
compiled contraction directly, not ``np.einsum``'s Python wrapper (~2.6 us of ~6 a
sum, four sums a rule).  The row's Jacobian against mpmath's integrals of the analytic
partials with ``np.einsum`` made to raise; the rule's results equal to the bit those of
the wrapper's lines on grids of coefficients with specials."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import _ode_levels, _quad
from _probes import bench_module
from test_corpus68 import _dL_partials


def _refused(*args, **kwargs):
    raise AssertionError("np.einsum's Python wrapper called inside dg.quad's rule")


def test_luminosity_row_without_the_einsum_wrapper(monkeypatch):
    # Fails where _gk21 reads np.einsum (the tree before lum69): the wrapper raises.
    corpus62 = bench_module("corpus62")
    q = np.array([0.7, 0.284, 1.0])
    monkeypatch.setattr(np, "einsum", _refused)
    J = dg.jacobian(corpus62.cosmology_row, q)
    value = corpus62.cosmology_row(q)
    for i, z0 in enumerate(corpus62.GW_Z):
        want = _dL_partials(q, z0)
        assert float(value[i]) == pytest.approx(want[0], rel=1e-11)
        np.testing.assert_allclose(J[i], want[1:], rtol=1e-11)


def _gk21_by_wrapper(g, lo, hi):
    """``_gk21``'s lines as they were before lum69 (``np.einsum``): the oracle of bits."""
    X, V, W, eps, tiny = _quad._X, _quad._V, _quad._W, _quad._EPS, _quad._TINY
    c, h = (lo + hi) / 2, (hi - lo) / 2
    F = g((c[:, None] + h[:, None] * X).ravel()).reshape(len(lo), len(X), -1)
    s_k = np.einsum("i,nim->nm", V, F)
    s_g = np.einsum("i,nim->nm", W, F[:, 1::2])
    s_abs = np.einsum("i,nim->nm", V, np.abs(F))
    s_dabs = np.einsum("i,nim->nm", V, np.abs(F - s_k[:, None, :] / 2))
    ah = np.abs(h)[:, None]
    err = np.abs(s_k - s_g) * ah
    dabs = s_dabs * ah
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = dabs * np.minimum(1.0, (200 * err / dabs) ** 1.5)
    err = np.where((dabs != 0) & (err != 0), scaled, err)
    rnd = 50 * eps * ah * s_abs
    err = np.where(rnd > tiny, np.maximum(err, rnd), err)
    return h[:, None] * s_k, err, rnd, (err == dabs) & (err != 0), F


@pytest.mark.parametrize("n, m", [(1, 1), (1, 4), (3, 7), (50, 10), (2, 129)])
def test_rule_sums_equal_the_wrappers_bit_for_bit(n, m):
    rng = np.random.default_rng(69 + n * m)
    specials = np.array([0.0, -0.0, 5e-324, -1e-310, 1e300, -1e308, np.inf, -np.inf,
                         np.nan, 1.0, -3.5])
    for trial in range(6):
        F = rng.standard_normal((n * 21, m)) * 10.0 ** rng.integers(-300, 300, (n * 21, m))
        if trial % 2:
            mask = rng.random(F.shape) < 0.1
            F[mask] = rng.choice(specials, mask.sum())
        F = F if trial != 4 else np.asfortranarray(F)
        lo = np.sort(rng.standard_normal(n))
        hi = lo + rng.random(n) * 10.0 ** rng.integers(-12, 3, n)
        with np.errstate(all="ignore"):
            got = _quad._gk21(lambda x: F, lo, hi)
            want = _gk21_by_wrapper(lambda x: F, lo, hi)
        for a, b in zip(got, want):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert a.tobytes() == b.tobytes()


def _levels_before(duals):
    """``levels_of`` as it was before lum69 (every dual's ``partials_array`` read)."""
    from dualgrad.dual import directions, partials_array
    found = {}

    def walk(d):
        found.setdefault(d.tag, directions(d))
        if isinstance(d.value, _ode_levels.Dual):
            walk(d.value)
        p = partials_array(d)
        if isinstance(p, _ode_levels.Dual):
            walk(p)
    for d in duals:
        walk(d)
    return dict(sorted(found.items()))


def _no_partials_in_walk(monkeypatch):
    """partials_array raising where levels_of's walk calls it on a scalar dual."""
    import sys
    real = _ode_levels.partials_array

    def spy(d):
        if sys._getframe(1).f_code.co_name == "_walk" and d._kind == "slots":
            raise AssertionError("levels_of built a scalar dual's partials array")
        return real(d)
    monkeypatch.setattr(_ode_levels, "partials_array", spy)


def test_levels_of_reads_scalar_slots_without_their_array(monkeypatch):
    # Fails where levels_of builds each scalar dual's partials array (before lum69).
    # d/dp and d2/dp2 of int_0^b exp(p x) dx through nested scalar duals (their slots
    # duals themselves): analytic, (e^{pb}(pb - 1) + 1) / p^2 and its derivative.
    _no_partials_in_walk(monkeypatch)

    def F(q):
        p, b = q[0], q[1]
        return dg.quad(lambda x: np.exp(p * x), 0.0, b)[0]
    p, b = 0.7, 1.3
    e = np.exp(p * b)
    g = dg.gradient(F, np.array([p, b]))
    np.testing.assert_allclose(g, [(e * (p * b - 1) + 1) / p ** 2, e], rtol=1e-12)
    H = dg.hessian(F, np.array([p, b]))
    d2p = (e * (p * b * (p * b - 2) + 2) - 2) / p ** 3       # d/dp of (e(pb - 1) + 1) / p^2
    np.testing.assert_allclose(H, [[d2p, b * e], [b * e, p * e]], rtol=1e-11)


def test_levels_of_equals_the_walk_before():
    # The walk's answer (tags, directions, nested levels first found) against the lines
    # before lum69 on one-level, nested, many-direction, complex and array duals.
    seen = []

    def grab(q):
        seen.append([q[0], q[0] * q[1], q[:2], 1j * q[0], q[0] * 0.0])
        return q[0]
    dg.jacobian(lambda q: grab(q), np.array([0.5, 1.5, 2.0]))
    dg.hessian(lambda q: grab(q) * q[1], np.array([0.5, 1.5, 2.0]))
    dg.jacobian(lambda q: grab(q), np.linspace(0.1, 2.0, 20))
    for duals in seen:
        for k in range(len(duals)):
            want = _levels_before(duals[k:] + duals[:k])
            got = _ode_levels.levels_of(duals[k:] + duals[:k])
            assert list(got) == list(want) and got == want
