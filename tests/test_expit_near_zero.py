"""expit's higher derivatives near 0 (attack61 02): the row's ``out * expit(-x)``
differentiated as a product is ``s(x) s(-x) (s(-x) - s(x))``, whose last factor cancels:
d2/dx2 expit was 6e-9 relatively off at x = 1e-8, 9e-5 at 1e-12, and 0.0 for -x / 8 from
|x| = 1e-17 (log_expit's third derivative through it).  Below |x| = 1 the row is
``(1 - tanh(x / 2)**2) / 4``.  Oracle: the closed forms s (1 - s), s (1 - s) (1 - 2 s),
s (1 - s) (1 - 6 s + 6 s**2) in mpmath at 700 digits."""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
import dualgrad.scipy.special  # noqa: F401  (the table's scipy rows)

POINTS = [1e-300, 1e-17, -1e-12, 1e-8, -0.3, 0.999999, 1.0, -1.5, 20.0, -40.0, 700.0]


def _closed(x):
    with mp.workdps(700):           # 1 - 2 s at x = 1e-300: 300 digits cancel
        s = 1 / (1 + mp.exp(-mp.mpf(x)))
        return [float(s * (1 - s)), float(s * (1 - s) * (1 - 2 * s)),
                float(s * (1 - s) * (1 - 6 * s + 6 * s * s))]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.engine_independent
def test_expit_derivatives_near_zero_do_not_cancel(engine):
    d = dg.derivative
    with dg.engine(engine):
        for x in POINTS:
            want = _closed(x)
            got = [d(sc.expit, x), d(lambda t: d(sc.expit, t), x),
                   d(lambda u: d(lambda t: d(sc.expit, t), u), x)]
            assert np.allclose(got, want, rtol=8e-16, atol=0), (x, got, want)
            assert d(lambda u: d(lambda t: d(sc.log_expit, t), u), x) == \
                pytest.approx(-want[1], rel=8e-16, abs=0), x
            xs = np.array([x, -x, 2.0 * x])
            h = dg.hessian(lambda v: np.sum(sc.expit(v)), xs)
            assert np.allclose(np.diag(h), [_closed(v)[1] for v in xs], rtol=8e-16, atol=0), x
