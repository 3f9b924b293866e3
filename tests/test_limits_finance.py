"""README's Limits, each claim held to an oracle that does not come from dualgrad:
pathwise derivatives of a digital (0, where the closed form is not), a tie in a binomial
tree (the average of the one-sided derivatives where the tie is exact), Black-Scholes at sigma = 0 (NaN, and the branch
that gives the limit), and np.sqrt(x) ** 2 at 0 (why no 0 * inf = 0 rule)."""

import numpy as np
import pytest

import dualgrad as dg

special = pytest.importorskip("scipy.special")


def test_a_digitals_pathwise_delta_is_zero_where_the_closed_form_is_not():
    S0, K, T, r, sig = 100.0, 105.0, 1.0, 0.03, 0.2
    Z = np.random.default_rng(1).standard_normal(20_000)

    def digital(s0):
        ST = s0 * np.exp((r - 0.5 * sig ** 2) * T + sig * np.sqrt(T) * Z)
        return np.exp(-r * T) * np.mean(np.where(ST > K, 1.0, 0.0))
    d2 = (np.log(S0 / K) + (r - 0.5 * sig ** 2) * T) / (sig * np.sqrt(T))
    closed = np.exp(-r * T) * np.exp(-0.5 * d2 ** 2) / np.sqrt(2 * np.pi) / (S0 * sig)
    crn = (digital(S0 + 1.0) - digital(S0 - 1.0)) / 2
    assert closed == pytest.approx(0.0190, abs=5e-5)
    assert crn == pytest.approx(closed, rel=0.1)          # the estimator's Greek
    assert dg.derivative(digital, S0) == 0.0               # the code's derivative


def crr_put(S0, N, K=100.0, T=1.0, r=0.05, sig=0.25, exact_nodes=False):
    dt = T / N
    u = np.exp(sig * np.sqrt(dt))
    d = 1 / u
    q = (np.exp(r * dt) - d) / (u - d)
    disc, j = np.exp(-r * dt), np.arange(N + 1)

    def node(i, k):            # S0 u**(i-k) d**k; u**(i - 2k) is exactly 1 at i = 2k
        return S0 * u ** (i - 2 * k) if exact_nodes else S0 * u ** (i - k) * d ** k
    V = np.maximum(K - node(N, j), 0.0)
    for i in range(N - 1, -1, -1):
        V = np.maximum(disc * (q * V[:-1] + (1 - q) * V[1:]), K - node(i, j[:i + 1]))
    return V[0]


def _crr_put_sides(N=200, K=100, T=1, r=0.05, sig=0.25):
    """The one-sided derivatives in S0 of :func:`crr_put` at S0 = K (an even N: the
    middle node on the strike), by mpmath at 30 digits: the price is piecewise linear in
    S0 (products by constants and maxima), so a one-sided difference of step 1e-12
    inside a piece is its slope, to 1e-17."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(30):
        dt = mp.mpf(T) / N
        u = mp.exp(sig * mp.sqrt(dt))
        q = (mp.exp(r * dt) - 1 / u) / (u - 1 / u)
        a, b = mp.exp(-r * dt) * q, mp.exp(-r * dt) * (1 - q)

        def put(S0):
            node = {m: S0 * u ** m for m in range(-N, N + 1)}
            V = [max(K - node[N - 2 * k], 0) for k in range(N + 1)]
            for i in range(N - 1, -1, -1):
                V = [max(a * V[k] + b * V[k + 1], K - node[i - 2 * k]) for k in range(i + 1)]
            return V[0]
        S, h = mp.mpf(K), mp.mpf("1e-12")
        p = put(S)
        return float((p - put(S - h)) / h), float((put(S + h) - p) / h)


def test_a_tie_at_the_strike_gives_the_average_of_the_sides_and_no_tie_the_central_one():
    """An even N puts the middle terminal node on the strike.  Spelled u**(N-j) d**j the
    node is 3e-13 below it in floating point (u**100 d**100 = 1 - 3e-15): no exact tie,
    so the delta is the left derivative of the computed function (-0.42898).  Spelled
    u**(N - 2j) the node is exactly the strike: np.maximum's tie splits evenly (rule
    table, TIES), so the delta is the average of the sides (-0.41857), as central
    differences give (it was the left one while the first argument won ties).  The
    sides' numbers: :func:`_crr_put_sides` (mpmath, 30 digits)."""
    h = 1e-6
    mp_left, mp_right = _crr_put_sides()
    for exact in (False, True):
        left = (crr_put(100.0, 200, exact_nodes=exact) -
                crr_put(100.0 - h, 200, exact_nodes=exact)) / h
        right = (crr_put(100.0 + h, 200, exact_nodes=exact) -
                 crr_put(100.0, 200, exact_nodes=exact)) / h
        assert abs(left - right) > 1e-2             # a real kink: the sides differ
        even = dg.derivative(lambda s: crr_put(s, 200, exact_nodes=exact), 100.0)
        if exact:
            central = (crr_put(100.0 + h, 200, exact_nodes=True) -
                       crr_put(100.0 - h, 200, exact_nodes=True)) / (2 * h)
            assert even == pytest.approx(central, abs=1e-7)
            assert even == pytest.approx((left + right) / 2, abs=1e-7)
            assert even == pytest.approx((mp_left + mp_right) / 2, abs=1e-12)   # -0.41857
        else:
            u = np.exp(0.25 * np.sqrt(1.0 / 200))
            assert 0.0 < 100.0 - 100.0 * u ** 100 * (1 / u) ** 100 < 1e-12   # no exact tie
            assert even == pytest.approx(left, abs=1e-7)
            assert even == pytest.approx(mp_left, abs=1e-12)                   # -0.42898
    odd = dg.derivative(lambda s: crr_put(s, 201), 100.0)
    central = (crr_put(100.0 + h, 201) - crr_put(100.0 - h, 201)) / (2 * h)
    assert odd == pytest.approx(central, abs=1e-7)


def bs_call(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return S * special.ndtr(d1) - K * np.exp(-r * T) * special.ndtr(d1 - sigma * np.sqrt(T))


def test_black_scholes_at_zero_volatility_gives_nan_and_the_branch_the_limit():
    with np.errstate(divide="ignore"):
        assert bs_call(100.0, 90.0, 1.0, 0.0, 0.0) == 10.0
        assert np.isnan(dg.derivative(lambda s: bs_call(s, 90.0, 1.0, 0.0, 0.0), 100.0))

    def branched(S, K, T, r, sigma):          # README's fix
        if sigma == 0:
            return np.maximum(S - K * np.exp(-r * T), 0.0)
        return bs_call(S, K, T, r, sigma)
    # the limit sigma -> 0 of delta = ndtr(d1): 1 above the forward strike, 0 below
    assert dg.derivative(lambda s: branched(s, 90.0, 1.0, 0.0, 0.0), 100.0) == 1.0
    assert dg.derivative(lambda s: branched(s, 110.0, 1.0, 0.0, 0.0), 100.0) == 0.0
    assert dg.derivative(lambda s: bs_call(s, 90.0, 1.0, 0.0, 1e-9), 100.0) == 1.0


def test_sqrt_squared_at_zero_is_nan_not_a_silent_zero():
    # d/dx (sqrt(x))**2 = 1: a rule taking 0 * inf as 0 would return 0 here
    assert np.isnan(dg.derivative(lambda x: np.sqrt(x) ** 2, 0.0))
