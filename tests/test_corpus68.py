"""Stop 68's corpus lane (issue 13): dg.quad's fixed costs in the luminosity and heat
exchanger rows: a scalar dual's coefficients read as one row (``expand``), the nodes'
watch written out where it records nothing, a NaN source's tie at a moving limit tested
first.  Each oracle is analytic or mpmath; the spies show the new lines ran."""

import math

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import _ode_levels, _quad
from _probes import bench_module, spy_on


@mpmath.workdps(30)
def _dL_partials(q, z0):
    """d_L(s z0) and its partials in (h, Om, s) for bench/corpus62.py's H (mpmath)."""
    h, om, s = (mpmath.mpf(float(v)) for v in q)
    H0 = mpmath.mpf(299792458) * h / (mpmath.mpf("2.9979") * mpmath.mpf("3.085678") *
                                     mpmath.mpf(10) ** 25)
    c = mpmath.mpf("9.715611890800001e-18")
    z = s * z0

    def E(Z):
        return mpmath.sqrt(om * (1 + Z) ** 3 + 1 - om)
    inner = mpmath.quad(lambda Z: 1 / (H0 * E(Z)), [0, z])
    d_om = mpmath.quad(lambda Z: -((1 + Z) ** 3 - 1) / (2 * H0 * E(Z) ** 3), [0, z])
    d_L = (1 + z) * c * inner
    return [float(d_L), float(-d_L / h), float((1 + z) * c * d_om),
            float(z0 * c * inner + (1 + z) * c * z0 / (H0 * E(z)))]


def test_luminosity_row_against_mpmath(monkeypatch):
    # The row's four dg.quad calls (a moving upper limit, x ** 0.5 a NaN source at every
    # node and at the limit): value and Jacobian against mpmath's integrals of the
    # analytic partials; the limit's pre-test ran and found no tie.
    corpus62 = bench_module("corpus62")
    seen = spy_on(monkeypatch, _quad, "_tied_at_limit", lambda args, r: r, after=True)
    q = np.array([0.7, 0.284, 1.0])
    J = dg.jacobian(corpus62.cosmology_row, q)
    value = corpus62.cosmology_row(q)
    for i, z0 in enumerate(corpus62.GW_Z):
        want = _dL_partials(q, z0)
        assert value[i] == pytest.approx(want[0], rel=1e-12, abs=0)
        for j in range(3):
            assert J[i, j] == pytest.approx(want[j + 1], rel=1e-11, abs=0)
    assert seen and not any(seen)


def test_tie_at_a_moving_limit_still_recorded(monkeypatch):
    # int_p^1 sqrt(x - p) dx = 2/3 (1 - p)^(3/2): the limit p sits on sqrt's edge (a
    # tie), so the pre-test says "tied" and the full lines run; d/dp = -(1 - p)^(1/2).
    # And p ** 0.5 at its limit b (no tie): d/db int_0^b x ** 0.5 dx = b ** 0.5.
    seen = spy_on(monkeypatch, _quad, "_tied_at_limit", lambda args, r: r, after=True)
    p0 = 0.36
    got = dg.derivative(lambda p: dg.quad(lambda x: np.sqrt(x - p), p, 1.0)[0], p0)
    assert got == pytest.approx(-math.sqrt(1 - p0), rel=1e-9, abs=0)
    assert True in seen
    seen.clear()
    b0 = 0.7
    got = dg.derivative(lambda b: dg.quad(lambda x: x ** 0.5, 0.0, b)[0], b0)
    assert got == pytest.approx(math.sqrt(b0), rel=1e-12, abs=0)
    assert seen and not any(seen)


def test_tied_at_limit_unknown_reads_as_tied():
    # What _plain or a place cannot read is "may record" (the full lines decide).
    specs = _quad.branch_functions(np.sqrt)

    class Odd:
        pass
    assert _quad._tied_at_limit(specs, (Odd(),)) is True
    assert _quad._tied_at_limit(specs, (0.0,)) is True
    assert _quad._tied_at_limit(specs, (2.0,)) is False
    assert _quad._tied_at_limit(specs, (np.array([1.0 + 1.0j]),)) is False


def test_nodes_watch_still_sees_branches_and_steps():
    # The nodes' written-out start / check must leave every record to check(): a jump
    # whose place moves (np.where(x > p, x, 0): refused, its boundary term -p missing
    # from the partials under the integral sign), a smooth step (d/dp int_0^2 tanh(40
    # (x - p)) dx = tanh(40 (p - 2)) - tanh(40 p)) and a NaN source met past its edge
    # (log(x - p) over [0, 1] at p = 0.5: refused).
    p0 = 0.7
    with pytest.raises(TypeError, match="a jump whose place moves"):
        dg.derivative(lambda p: dg.quad(lambda x: np.where(x > p, x, 0.0), 0.0,
                                        2.0)[0], p0)
    step = dg.derivative(lambda p: dg.quad(lambda x: np.tanh(40 * (x - p)), 0.0,
                                           2.0)[0], p0)
    assert step == pytest.approx(math.tanh(40 * (p0 - 2)) - math.tanh(40 * p0),
                                 rel=1e-8, abs=0)
    with pytest.raises(TypeError):
        dg.derivative(lambda p: dg.quad(lambda x: np.log(x - p), 0.0, 1.0)[0], 0.5)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_expand_of_a_scalar_dual_is_its_row(monkeypatch, n):
    # One level's coefficients of a real scalar dual: its value then its partials,
    # float64, every bit (specials included), without the general lines' partials
    # array (a spy that fails if they run).
    specials = [0.0, -0.0, 5e-324, -5e-324, 1.5, -2.25e-308, 1e308, np.inf, -np.inf,
                np.nan]
    made = []

    def f(a):
        cls, tag = type(a[0]), a[0].tag
        for v in specials:
            for p in specials:
                e = object.__new__(cls)
                e.value, e.tag = v, tag
                for k in range(n):
                    setattr(e, f"p{k}", p if k % 2 == 0 else -p)
                made.append(e)
        return a
    dg.jacobian(f, np.arange(1.0, n + 1.0))
    monkeypatch.setattr(_ode_levels, "partials_array",
                        lambda d: (_ for _ in ()).throw(AssertionError("general lines")))
    assert len(made) == len(specials) ** 2
    for e in made:
        got = _ode_levels.expand(e, {e.tag: 0}, (n + 1,))
        want = np.array([e.value] + [getattr(e, f"p{k}") for k in range(n)],
                        dtype=np.float64)
        assert got.dtype == np.float64 and got.shape == (n + 1,)
        assert got.tobytes() == want.tobytes()
