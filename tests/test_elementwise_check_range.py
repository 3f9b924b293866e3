"""elementwise_grad's check at the ends of float64's range: no blind zone.

The probes' partials are the first direction's times codes up to ``2**124``, exact
while nothing overflows or goes subnormal.  Rows outside that range used to be left
uncompared, so a coupled ``f`` whose derivatives were below about ``1e-271`` or
above about ``1e270`` returned ``J @ 1`` (twice the truth here) without an error
(outside attack 19: a Gaussian tail at x ~ 26, ``exp(x) * 1e305``).  Now every row is
compared down to 2**-1022 in the one evaluation of ``f`` (API.md: never more), and rows
it cannot compare exactly (subnormal and differing, a probe overflowing) raise an
``UncheckedWarning``: a coupled ``f`` either raises ValueError or warns, never passes in
silence.  Oracles: a coupled ``f`` has an off-diagonal Jacobian entry; elementwise
functions against their analytic derivatives.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg

SCALES = (1e-318, 1e-312, 1e-308, 1e-300, 1e250, 1e290, 1e305)


def _never_silent(call):
    """``call()`` raises the check's ValueError or warns UncheckedWarning."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            call()
        except ValueError as exc:
            assert "elementwise" in str(exc)
            return "raised"
    assert any(issubclass(w.category, dg.UncheckedWarning) for w in seen), \
        "a coupled f passed without an error or a warning"
    assert all(w.filename == __file__ for w in seen
               if issubclass(w.category, dg.UncheckedWarning))    # at the caller's line
    return "warned"


def _counted(f, calls):
    def counted(*args):
        calls.append(1)
        return f(*args)
    return counted


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.engine_independent
def test_a_coupling_at_extreme_magnitudes_is_never_silent(engine, scale):
    x = np.linspace(0.0, 1.0, 1000)
    for k in (0, 5, 500, 998):
        def f(a, k=k):
            r = np.exp(a) * scale
            r[k] += np.exp(a[k + 1]) * scale
            return r
        with dg.engine(engine), np.errstate(all="ignore"):
            outcome = _never_silent(lambda: dg.elementwise_grad(f)(x))
        if 1e-300 <= scale <= 1e250:             # normal, probes finite: compared exactly
            assert outcome == "raised"


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.parametrize("centre", (26.0, 26.9, 27.2))
@pytest.mark.engine_independent
def test_a_coupled_gaussian_tail_is_never_silent(engine, centre):
    # exp(-x**2) at x ~ 26 is ~1e-294 (normal), at 27.2 subnormal
    x = np.linspace(centre, centre + 0.001, 1000)
    for k in range(0, 999, 37):
        def f(a, k=k):
            r = np.exp(-a ** 2)
            r[k] += np.exp(-a[k + 1] ** 2)
            return r
        with dg.engine(engine), np.errstate(all="ignore"):
            outcome = _never_silent(lambda: dg.elementwise_grad(f)(x))
        if centre < 26.5:                        # normal derivatives: compared exactly
            assert outcome == "raised"


ELEMENTWISE = {
    "gaussian over [-30, 30]": (lambda x: np.exp(-x ** 2),
                                lambda x: -2 * x * np.exp(-x ** 2), (-30.0, 30.0)),
    "gaussian tail [26, 27.5]": (lambda x: np.exp(-x ** 2),
                                 lambda x: -2 * x * np.exp(-x ** 2), (26.0, 27.5)),
    "exp near overflow": (np.exp, np.exp, (600.0, 709.0)),
    "exp * 1e-318": (lambda x: np.exp(x) * 1e-318, lambda x: np.exp(x) * 1e-318,
                     (0.0, 1.0)),
    "exp * 1e-308": (lambda x: np.exp(x) * 1e-308, lambda x: np.exp(x) * 1e-308,
                     (0.0, 1.0)),
    "exp * 1e305": (lambda x: np.exp(x) * 1e305, lambda x: np.exp(x) * 1e305, (0.0, 1.0)),
    "a peak on the way": (lambda x: (x * 1e300) * 1e-300, lambda x: np.ones_like(x),
                          (0.5, 1.5)),
    "x exp(-x) underflowing": (lambda x: x * np.exp(-x), lambda x: (1 - x) * np.exp(-x),
                               (700.0, 760.0)),
}


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.engine_independent
def test_elementwise_functions_at_extreme_magnitudes_take_one_evaluation(engine, name):
    f, derivative, (lo, hi) = ELEMENTWISE[name]
    x = np.linspace(lo, hi, 3001)
    calls = []
    with dg.engine(engine), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.UncheckedWarning)   # (rows it cannot compare)
        g = dg.elementwise_grad(_counted(f, calls))(x)
        want = derivative(x)
    assert len(calls) == 1                   # API.md: once per argument, never more
    normal = np.abs(want) >= 2.0 ** -1022
    np.testing.assert_allclose(g[normal], want[normal], rtol=1e-13)
    # subnormal derivatives: to the subnormals' resolution (a few units of 2**-1074)
    np.testing.assert_allclose(g[~normal], want[~normal], rtol=0, atol=2.0 ** -1068)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_in_range_derivatives_take_one_evaluation_and_no_warning(engine):
    x = np.linspace(-3.0, 3.0, 5000)
    calls = []
    with dg.engine(engine), warnings.catch_warnings():
        warnings.simplefilter("error", dg.UncheckedWarning)
        g = dg.elementwise_grad(_counted(lambda a: np.exp(-a ** 2) * 1e-250, calls))(x)
    assert len(calls) == 1
    np.testing.assert_allclose(g, -2 * x * np.exp(-x ** 2) * 1e-250, rtol=1e-13)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_a_subnormal_partial_on_the_way_raises_naming_check_false(engine):
    # x * 1e-300 * 1e-20 is subnormal in the first direction (bits lost) and not in
    # its scaled probes; 1e300 brings the difference back into range, where it looks
    # like a coupling.  The message names check=False, which gives the derivative.
    x = np.linspace(0.5, 1.5, 3000)
    f = lambda a: ((a * 1e-300) * 1e-20) * 1e300      # noqa: E731
    with dg.engine(engine), np.errstate(all="ignore"):
        with pytest.raises(ValueError, match="check=False"):
            dg.elementwise_grad(f)(x)
        g = dg.elementwise_grad(f, check=False)(x)
    np.testing.assert_allclose(g, 1e-20, rtol=1e-4)   # forward mode's own rounding there


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_an_overflowing_probe_warns_naming_the_fix(engine):
    # a peak that overflows the probes: those rows are not compared, and the call says so
    x = np.linspace(0.5, 1.5, 3000)
    f = lambda a: ((a * 1e300) * 1e-300) * 1e-280     # noqa: E731
    with dg.engine(engine):
        with pytest.warns(dg.UncheckedWarning, match=r"check=False.*dg\.jacobian"):
            g = dg.elementwise_grad(f)(x)
        np.testing.assert_allclose(g, 1e-280, rtol=1e-14)
        with warnings.catch_warnings():
            warnings.simplefilter("error", dg.UncheckedWarning)
            g = dg.elementwise_grad(f, check=False)(x)
    np.testing.assert_allclose(g, 1e-280, rtol=1e-14)


@pytest.mark.engine_independent
def test_the_columns_kernel_counts_rows_near_overflow(kernel_counts):
    # inf == inf in a probe says nothing: the kernel counts rows whose first
    # direction is finite from 2**900 up, and the call looks closer
    x = np.linspace(0.0, 1.0, 5000)
    big = x > 0.5
    with dg.engine("fused"):
        _never_silent(lambda: dg.elementwise_grad(
            lambda a: (np.exp(a) + np.roll(np.exp(a), 1)) * 1e305)(x))
    assert kernel_counts and kernel_counts[-1] is not None and kernel_counts[-1][0] > 0
    kernel_counts.clear()
    with dg.engine("fused"), pytest.warns(dg.UncheckedWarning):
        g = dg.elementwise_grad(lambda a: np.exp(a) * np.where(big, 1e305, 1.0))(x)
    assert kernel_counts == [[int(np.sum(np.exp(x[big]) * 1e305 >= 2.0 ** 900))]]
    np.testing.assert_allclose(g, np.exp(x) * np.where(big, 1e305, 1.0), rtol=1e-14)
