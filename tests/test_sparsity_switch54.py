"""Sparsity detection through ``dg.solve_ivp`` and ``dg.quad`` sees a place that moves
with the inputs (attack54 17): ``np.where(t >= p, D, 0)`` inside the right-hand side
carries none of p's inputs in its result, yet the solution moves with p (the jump term
the dual path adds), so a pattern that leaves p's column out made ``sparsity="auto"``
return 0 for ``dy/dp``.  Oracles: closed forms."""

import numpy as np
import pytest

import dualgrad as dg

D = 2.0
SWITCHES = {
    "np.where": lambda t, p: np.where(t >= p, D, 0.0),
    "heaviside": lambda t, p: D * np.heaviside(t - p, 1.0),
    "python if": lambda t, p: D if t >= p else 0.0,
    "np.sign": lambda t, p: D * (np.sign(t - p) + 1.0) / 2.0,
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("engine", ["fused", "eager"])
@pytest.mark.parametrize("name", sorted(SWITCHES))
def test_ode_switch_times_are_in_the_detected_pattern(name, engine):
    """y_i' = -k_i y_i + D [t >= p_i], y_i(0) = 1: d y_i(10) / d p_i = -D e^{-k_i (10 - p_i)},
    d y_i(10) / d k_i by the closed form's derivative (y = e^{-kT} + D (1 - e^{-k (T - p)}) / k)."""
    step = SWITCHES[name]

    def f(th):
        out = []
        for i in range(2):
            k, p = th[2 * i], th[2 * i + 1]
            sol = dg.solve_ivp(lambda t, y: -k * y + step(t, p), (0, 10), [1.0],
                               rtol=1e-11, atol=1e-13)
            out.append(sol.y[0, -1])
        return np.stack(out)

    th = np.array([0.5, 4.0, 0.3, 2.0])
    with dg.engine(engine):
        P = dg.sparsity(f, th).toarray()
        J = dg.jacobian(f, th, sparsity="auto").toarray()
    assert P[0, 1] and P[1, 3], P
    T = 10.0
    for i in range(2):
        k, p = th[2 * i], th[2 * i + 1]
        dp = -D * np.exp(-k * (T - p))
        dk = -T * np.exp(-k * T) + D * ((T - p) * np.exp(-k * (T - p)) / k
                                        - (1 - np.exp(-k * (T - p))) / k ** 2)
        np.testing.assert_allclose(J[i, 2 * i + 1], dp, rtol=1e-6)
        np.testing.assert_allclose(J[i, 2 * i], dk, rtol=1e-6)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_quad_switch_places_are_in_the_detected_pattern(engine):
    """I_i = int_0^2 c_i x [x >= p_i] dx = c_i (4 - p_i^2) / 2 depends on p_i: dg.sparsity
    holds p_i's column (it held c_i's alone), and the Jacobian, sparse as dense, is
    refused by dg.quad's watch (a jump at a moving place: split the range there)."""
    def f(th):
        return np.stack([dg.quad(lambda x: th[2 * i] * np.where(x >= th[2 * i + 1], x, 0.0),
                                 0.0, 2.0, points=[0.5, 1.5])[0] for i in range(2)])

    th = np.array([1.5, 0.7, 0.8, 1.2])
    with dg.engine(engine):
        P = dg.sparsity(f, th).toarray()
        for sparsity in (None, "auto"):
            with pytest.raises(TypeError, match="Split the range at the moving place"):
                dg.jacobian(f, th, sparsity=sparsity)
    np.testing.assert_array_equal(P != 0, [[1, 1, 0, 0], [0, 0, 1, 1]])
