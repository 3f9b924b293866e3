"""A hydrologist's models against a peer: GR4J and an HBV-type snow routine.

GR4J as examples/rainfall_runoff.py writes it (RRMPG's structure: Python ``if`` on the
day's forcing, ``max(0, ...)`` on the routing store, buffers indexed by day, unit
hydrographs shifted with overlapping slices) against a PyTorch port in float64: the
hydrograph's Jacobian against torch's forward mode, the Hessian of the NSE against
``torch.autograd.functional.hessian``, exact to rounding on both sides.  A degree-day
snow routine with Python's ``min`` / ``if`` on the temperature is checked against its
derivative carried by hand.
"""

import os
import runpy
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rainfall_runoff.py"


@pytest.fixture(scope="module")
def ex():
    if not EXAMPLE.exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(EXAMPLE))


def gr4j_torch(par, prec, etp):
    """GR4J in PyTorch, scalar state, lists for the hydrographs (an independent port)."""
    import math

    import torch
    x1, x2, x3, x4 = par
    x4v = float(x4.detach())
    n1, n2 = math.ceil(x4v), math.ceil(2 * x4v + 1)

    def sc1(t):
        return 0.0 * x4 if t <= 0 else (t / x4) ** 2.5 if t < x4v else 1.0 + 0.0 * x4

    def sc2(t):
        if t <= 0:
            return 0.0 * x4
        if t <= x4v:
            return 0.5 * (t / x4) ** 2.5
        if t < 2 * x4v:
            return 1 - 0.5 * (2 - t / x4) ** 2.5
        return 1.0 + 0.0 * x4
    o1 = [sc1(j) - sc1(j - 1) for j in range(1, n1 + 1)]
    o2 = [sc2(j) - sc2(j - 1) for j in range(1, n2 + 1)]
    uh1, uh2 = [0.0 * x1] * n1, [0.0 * x1] * n2
    s, r, q = 0.6 * x1, 0.7 * x3, []
    zero = torch.zeros((), dtype=torch.float64)
    for p, e in zip(prec.tolist(), etp.tolist()):
        if p >= e:
            pn = p - e
            ps = x1 * (1 - (s / x1) ** 2) * torch.tanh(pn / x1) / (1 + s / x1 * torch.tanh(pn / x1))
            es = 0.0
        else:
            pn, ps = 0.0, 0.0
            es = s * (2 - s / x1) * torch.tanh((e - p) / x1) / (1 + (1 - s / x1) * torch.tanh((e - p) / x1))
        s = s - es + ps
        perc = s * (1 - (1 + (4 / 9 * s / x1) ** 4) ** -0.25)
        s = s - perc
        pr = perc + (pn - ps)
        uh1 = [uh1[j + 1] + o1[j] * 0.9 * pr for j in range(n1 - 1)] + [o1[-1] * 0.9 * pr]
        uh2 = [uh2[j + 1] + o2[j] * 0.1 * pr for j in range(n2 - 1)] + [o2[-1] * 0.1 * pr]
        gw = x2 * (r / x3) ** 3.5
        r = torch.maximum(zero, r + uh1[0] + gw)
        qr = r * (1 - (1 + (r / x3) ** 4) ** -0.25)
        r = r - qr
        q.append(qr + torch.maximum(zero, uh2[0] + gw))
    return torch.stack(q)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def environ_kept():
    """os.environ as it was: torch's forward mode sets TORCHINDUCTOR_CACHE_DIR at its
    first use (the suite's state guard fails a test that leaves it set)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_gr4j_hydrograph_jacobian_matches_torch(ex, torch, environ_kept):
    T = 200
    prec, etp = ex["PREC"][:T], ex["ETP"][:T]
    x = np.array([350.0, 0.4, 90.0, 1.7])
    J = dg.jacobian(ex["gr4j"], x, prec, etp)
    import torch.autograd.forward_ad as fwad
    cols = []
    for i in range(4):                          # torch's forward mode, one pass a column
        with fwad.dual_level():
            p = fwad.make_dual(torch.tensor(x), torch.eye(4, dtype=torch.float64)[i])
            cols.append(fwad.unpack_dual(gr4j_torch(p, prec, etp)).tangent.numpy())
    Jt = np.stack(cols, axis=-1)
    np.testing.assert_allclose(ex["gr4j"](x, prec, etp),
                               gr4j_torch(torch.tensor(x), prec, etp).numpy(), rtol=1e-13)
    assert J.shape == (T, 4)
    assert np.max(np.abs(J - Jt)) <= 1e-12 * np.max(np.abs(Jt))


def test_gr4j_nse_hessian_matches_torch(ex, torch, environ_kept):
    T = 120
    prec, etp = ex["PREC"][:T], ex["ETP"][:T]
    obs = ex["Q_OBS"][:T]
    x = np.array([300.0, 0.8, 70.0, 2.6])

    def nse(p):
        q = ex["gr4j"](p, prec, etp)
        return 1 - np.sum((q - obs) ** 2) / np.sum((obs - obs.mean()) ** 2)

    def nse_t(p):
        q = gr4j_torch(p, prec, etp)
        o = torch.tensor(obs)
        return 1 - torch.sum((q - o) ** 2) / torch.sum((o - o.mean()) ** 2)
    H = dg.hessian(nse, x)
    Ht = torch.autograd.functional.hessian(nse_t, torch.tensor(x, dtype=torch.float64)).numpy()
    assert np.array_equal(H, H.T)
    assert np.max(np.abs(H - Ht)) <= 1e-11 * np.max(np.abs(Ht))


def test_degree_day_snow_with_builtin_min_and_if_matches_hand_derivative():
    """Melt = min(cf (temp - tt), snow) on warm days, accumulation on cold ones: the
    derivative in (tt, cf) carried by hand along the same branches."""
    rng = np.random.default_rng(3)
    temp = 4 * np.sin(np.arange(150) / 11.0) + rng.normal(0, 1.5, 150)
    rain = np.maximum(rng.gamma(0.6, 6.0, 150) - 1, 0)

    def melt(par):
        tt, cf = par
        snow, out = 0.0, np.zeros_like(par, shape=150)
        for t in range(150):
            if temp[t] < tt:
                snow = snow + rain[t]
            else:
                m = min(cf * (temp[t] - tt), snow)
                snow = snow - m
                out[t] = m
        return out

    tt, cf = 0.3, 2.5
    snow, dsnow = 0.0, np.zeros(2)
    want = np.zeros((150, 2))
    for t in range(150):
        if temp[t] < tt:
            snow = snow + rain[t]
        elif cf * (temp[t] - tt) < snow:
            want[t] = [-cf, temp[t] - tt]
            snow, dsnow = snow - cf * (temp[t] - tt), dsnow - want[t]
        else:
            want[t] = dsnow
            snow, dsnow = 0.0, np.zeros(2)
    J = dg.jacobian(melt, np.array([tt, cf]))
    assert np.count_nonzero(want) > 20
    np.testing.assert_allclose(J, want, rtol=1e-14, atol=1e-14)


def test_jitted_gr4j_int_of_a_dual_is_named_with_its_line():
    """RRMPG's jitted GR4J takes its unit hydrograph's length as int(np.ceil(x4)): the
    refusal names int() and the line, and the fix (the count passed in) works."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def uh_length(par):
        x4 = par[3]
        n = int(np.ceil(x4))
        out = np.zeros_like(par)
        out[0] = x4 * n
        return out

    with pytest.raises(TypeError) as info:
        dg.jacobian(uh_length, np.array([350.0, 0.4, 90.0, 1.7]))
    msg = str(info.value)
    assert "int() of a dual" in msg and "pass it to the jitted function as an argument" in msg
    assert "`n = int(np.ceil(x4))`" in msg and "test_userhydro50.py" in msg

    @numba.njit
    def uh_length_passed(par, n):
        out = np.zeros_like(par)
        out[0] = par[3] * n
        return out
    x = np.array([350.0, 0.4, 90.0, 1.7])
    J = dg.jacobian(uh_length_passed, x, int(np.ceil(dg.stop_gradient(x[3]))))
    assert J[0, 3] == 2.0 and np.count_nonzero(J) == 1


def test_jitted_store_into_plain_buffer_names_its_line():
    numba = pytest.importorskip("numba")

    @numba.njit
    def stores(par):
        s_store = np.zeros(5, np.float64)
        s_store[0] = 0.6 * par[0]
        return s_store

    with pytest.raises(TypeError) as info:
        dg.jacobian(stores, np.array([350.0, 0.4]))
    msg = str(info.value)
    assert "storing a dual into a plain float array" in msg
    assert "`s_store[0] = 0.6 * par[0]`" in msg and "float call before that" in msg
