"""Stop 67's corpus lane: dg.quad's note on the partials' error estimates where
``limit`` stops the bisection (attack66 F5)."""

import re
import warnings

import numpy as np
import pytest
from scipy.integrate import IntegrationWarning

import dualgrad as dg


def test_limit_warning_names_the_partials_estimate():
    # int_0^1 t**a dt = 1 / (a + 1), d/da = -1 / (a + 1)**2 (analytic oracle).  At a =
    # -0.9 the value converges within limit=50 and its partial, t**a log t, does not:
    # the returned abserr (the value's) understated the derivative's error ~40x with
    # nothing saying so.
    a0, got = -0.9, {}

    def f(a):
        got["r"] = dg.quad(lambda t, a: t ** a, 0.0, 1.0, args=(a,), full_output=1)
        return got["r"][0]

    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        slope = dg.derivative(f, a0)          # (full_output: no warning, the message)
    _, abserr, info, message = got["r"]
    wrong = abs(slope + 1.0 / (a0 + 1.0) ** 2)
    assert wrong > 10 * abserr                  # what the note is for
    estimate = info["abserr_all"][1]
    assert re.search(rf"abserr_all\[1\] has an estimate of {estimate:.3g}\b", message)
    assert f"abserr ({abserr:.3g})" in message
    with pytest.warns(IntegrationWarning, match=r"abserr_all\[1\] has an estimate"):
        dg.derivative(lambda a: dg.quad(lambda t: t ** a, 0.0, 1.0)[0], a0)


def test_limit_warning_quiet_where_the_partials_met_theirs():
    # The value misses its tolerance at limit=1 and its partials are 0 at every node
    # (error estimates 0): SciPy's message alone, no partial named.
    with pytest.warns(IntegrationWarning) as seen:
        dg.gradient(lambda p: dg.quad(lambda t: np.sin(60 * t) * np.exp(-t) + p[1] * 0.0,
                                      0.0, 2.0, limit=1)[0], np.array([1.0, 2.0]))
    text = " ".join(str(w.message) for w in seen)
    assert "maximum number of subdivisions" in text
    assert "abserr_all" not in text


def test_moving_limit_tie_on_floats_matches_the_thresholds():
    # _tie's float path for sign steps (g == 0) against the table's threshold test
    # (g == step_threshold(sign)(g)) on the NaN sources' places at floats: +-0, subnormal,
    # inf, NaN, 1e308, both signs.
    from dualgrad.api import _quad
    from dualgrad.rules._table import branch_functions, step_threshold

    specials = [0.0, -0.0, 5e-324, -5e-324, 1.0, -2.5, 1e308, -1e308, np.inf, -np.inf,
                np.nan, 0.5, 3.0]
    seen = 0
    for ufunc in (np.power, np.sqrt, np.log, np.arccos, np.arcsin, np.log1p):
        specs = branch_functions(ufunc)
        pairs = [(a,) for a in specials] if ufunc.nin == 1 else \
            [(a, b) for a in specials for b in specials]
        for values in pairs:
            want = False
            with np.errstate(all="ignore"):
                for _, step, place in specs:
                    g = np.real(place(*values, None))
                    on = g == step_threshold(step)(g)
                    if np.any(on):
                        want = True
                        break
            assert _quad._tie(specs, list(values)) == want, (ufunc, values)
            seen += want
    assert seen > 10                    # (ties met, not only misses)


def test_a_product_by_one_is_the_dual_itself():
    # d * 1 (int, float, np.float64) of a real slot-class scalar dual returns d (a path
    # that ran: a new object on 2a9a2d7), whose bits are x * 1 and p * 1's; complex and
    # vector-class duals still multiply (complex(x, inf) * 1 has a NaN real part), and
    # every result equals the product by 1.0 written out.
    from _probes import same_duals

    specials = [0.0, -0.0, 5e-324, -2.5, 1e308, np.inf, -np.inf, np.nan]
    made = 0
    for v in specials:
        for p in ([1.0, -0.0], [np.nan, 5e-324], [np.inf, -1e308]):
            d = dg.Dual(v, p)
            for one in (1, 1.0, np.float64(1.0)):
                got = d * one
                assert got is d
                made += 1
            want = dg.Dual(v * 1.0, [q * 1.0 for q in p])
            same_duals(d * 1, want)
    assert made == 72
    z = dg.Dual(complex(1.0, np.inf), [1.0, 0.0])
    assert (z * 1) is not z and np.isnan((z * 1).value.real)     # Python's own product
    w = dg.Dual(2.0, np.arange(20.0))                            # the vector class
    assert (w * 1) is not w and (w * 1).partials.tobytes() == w.partials.tobytes()
    # a Hessian through literal factors: d^2/dxdy (x * 1 * y * 1) = 1 (analytic)
    H = dg.hessian(lambda q: q[0] * 1 * q[1] * 1, np.array([0.3, -2.0]))
    assert H.tolist() == [[0.0, 1.0], [1.0, 0.0]]
