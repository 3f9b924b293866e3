"""Infinite slopes at a domain's edge reached through an argument of -0.0 (attack58 06).

IEEE gives ``-(0.0) = -0.0`` and ``np.sqrt(-0.0) = -0.0``, so a rule written ``0.5 / out``
or ``1.0 / x`` gave ``-inf`` where the derivative's one-sided limit from the function's
domain is ``+inf``: ``d/dx sqrt(-x)`` at 0 came out ``+inf`` for ``-inf``.  The oracle is
each closed form's limit from inside the domain (its sign is what is tested; the
magnitude is infinite), checked on the scalar fast path, the array path (both engines,
and the fused engine's size), the nested second level and users' ``@numba.njit`` code.
"""

import math

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg

# (name, g of the argument, the argument as written at x = 0, the closed form's first and
# second derivative in x, each the one-sided limit x -> 0 from the side where g is defined)
CASES = [
    # sqrt(-x): -1 / (2 sqrt(-x)) -> -inf, -1 / (4 (-x)**1.5) -> -inf
    ("sqrt(-x)", lambda x: np.sqrt(-x), -np.inf, -np.inf),
    ("sqrt(-2 x)", lambda x: np.sqrt(-2.0 * x), -np.inf, -np.inf),
    # Box-Muller's radius at u = 1 + x (x <= 0): d/dx sqrt(-2 log(1 + x)) -> -inf
    ("sqrt(-2 log(1 + x))", lambda x: np.sqrt(-2.0 * np.log(1.0 + x)), -np.inf, None),
    # log(-x): 1 / x -> -inf from x < 0; -1 / x**2 -> -inf
    ("log(-x)", lambda x: np.log(-x), -np.inf, -np.inf),
    ("log2(-x)", lambda x: np.log2(-x), -np.inf, -np.inf),
    ("log10(-x)", lambda x: np.log10(-x), -np.inf, -np.inf),
    # logit(-x) = log(-x / (1 + x)): -1 / (-x (1 + x)) -> -inf
    ("logit(-x)", lambda x: sc.logit(-x), -np.inf, -np.inf),
    # xlogy(1, -x) = log(-x)
    ("xlogy(1, -x)", lambda x: sc.xlogy(1.0, -x), -np.inf, -np.inf),
    # the argument itself -0.0: sqrt(u) on u >= 0 has slope +inf at 0, log's +inf
    ("sqrt(x) at -0.0", np.sqrt, np.inf, -np.inf),
    ("log(x) at -0.0", np.log, np.inf, -np.inf),
]

# controls: the same forms whose argument is +0.0 were right before, and stay right
CONTROLS = [
    ("sqrt(0 - x)", lambda x: np.sqrt(0.0 - x), -np.inf),
    ("logit(1 + x)", lambda x: sc.logit(1.0 + x), np.inf),
    ("log(x)", lambda x: np.log(x), np.inf),
]


def _at(name):
    """The point: -0.0 for the case written on the argument itself, else +0.0."""
    return -0.0 if name.endswith("-0.0") else 0.0


@pytest.mark.parametrize("name, g, d1, d2", CASES, ids=[c[0] for c in CASES])
def test_scalar_first_derivative_has_the_domains_sign(name, g, d1, d2):
    got = dg.derivative(g, _at(name))
    assert got == d1, (name, got)


@pytest.mark.parametrize("name, g, d1, d2", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("n", [3, 5000])
def test_array_path_has_the_domains_sign(name, g, d1, d2, n):
    x = np.full(n, _at(name))
    got = dg.elementwise_grad(g)(x) if n > 3 else np.diag(dg.jacobian(g, x))
    assert np.all(got == d1), (name, got[:3])


@pytest.mark.parametrize("name, g, d1, d2", [c for c in CASES if c[3] is not None],
                         ids=[c[0] for c in CASES if c[3] is not None])
def test_second_level_has_the_domains_sign(name, g, d1, d2):
    nested = dg.derivative(lambda u: dg.derivative(g, u), _at(name))
    assert nested == d2, (name, nested)
    h = dg.hessian(lambda v: g(v[0]) + v[1], np.array([_at(name), 1.0]))
    assert h[0, 0] == d2, (name, h)


@pytest.mark.parametrize("name, g, d1", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_controls_at_plus_zero(name, g, d1):
    assert dg.derivative(g, 0.0) == d1
    assert np.all(np.diag(dg.jacobian(g, np.zeros(3))) == d1)


def test_users_numba_code_has_the_domains_sign():
    numba = pytest.importorskip("numba")

    @numba.njit
    def radius(v):
        out = np.empty_like(v)
        for i in range(v.shape[0]):
            out[i] = math.sqrt(-v[i]) + math.log(-v[i] + 1.0) + np.log(-v[i] + 2.0)
        return out

    @numba.njit
    def edge(v):
        out = np.empty_like(v)
        for i in range(v.shape[0]):
            out[i] = math.sqrt(-v[i])
        return out

    # d/dx sqrt(-x) at 0: -inf, from x < 0
    assert np.all(np.diag(dg.jacobian(edge, np.zeros(2))) == -np.inf)
    # away from the edge the same loop is finite and exact: -1/(2 sqrt 0.25) - 1/1.25 - 1/2.25
    want = -1.0 / (2.0 * math.sqrt(0.25)) - 1.0 / 1.25 - 1.0 / 2.25
    np.testing.assert_allclose(np.diag(dg.jacobian(radius, np.full(2, -0.25))), want, rtol=1e-15)
