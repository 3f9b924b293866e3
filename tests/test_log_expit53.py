"""scipy.special.log_expit's smooth kink (its slope is expit, a smooth step) narrower
than dg.quad's nodes: exp(log_expit(s (x - p))) at s = 1e12 gave 0.0 for -1 (attack53
21).  It is watched as the table's other smooth steps are.  Oracle: d/dp of
int_0^3 g(s (x - p)) dx = -(g(s (3 - p)) - g(-s p))."""

import warnings

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
import dualgrad.scipy.special  # noqa: F401  (the table's scipy rows)

P0 = 1.2345


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_a_step_narrower_than_the_nodes_is_refused():
    s = 1e12
    with pytest.raises(TypeError, match="log_expit"):
        dg.derivative(lambda p: dg.quad(lambda x: np.exp(sc.log_expit(s * (x - p))),
                                        0.0, 3.0)[0], P0)


@pytest.mark.parametrize("s", [10.0, 1e10])
def test_a_resolved_step_is_exact(s):
    got = dg.derivative(lambda p: dg.quad(lambda x: np.exp(sc.log_expit(s * (x - p))),
                                          0.0, 3.0)[0], P0)
    want = -(sc.expit(s * (3.0 - P0)) - sc.expit(-s * P0))
    np.testing.assert_allclose(got, want, rtol=1e-7)       # (dg.quad's tolerance)


def test_the_kink_itself_is_exact():
    # int_0^3 log_expit(s (x - p)) dx: d/dp = -int s expit(-s (x - p)) dx
    s = 10.0
    got = dg.derivative(lambda p: dg.quad(lambda x: sc.log_expit(s * (x - p)), 0.0, 3.0)[0],
                        P0)
    want = -(np.logaddexp(0.0, s * P0) - np.logaddexp(0.0, -s * (3.0 - P0)))
    np.testing.assert_allclose(got, want, rtol=1e-9)
