"""dg.solve_ivp's augmented rhs of a ``fun`` returning a list or tuple of scalar duals,
read in one step (rates64): the lean read ran, and its Jacobian is the object array
form's to the bit and the analytic one to the solver's tolerance."""

import numpy as np

import dualgrad as dg
from dualgrad.api import _ode

from _probes import spy_on


def chain3(t, y, a, b):
    return [-a * y[0], a * y[0] - b * y[1], b * y[1]]


def solve(fun, q, method="RK45"):
    sol = dg.solve_ivp(fun, (0.0, 2.0), np.array([1.0, 0.0, 0.0]), method=method,
                       args=(q[0], q[1]), rtol=1e-9, atol=1e-11)
    return sol.y[:, -1]


def test_list_rhs_read_lean_and_exact(monkeypatch):
    q = np.array([1.3, 0.7])
    seen = spy_on(monkeypatch, _ode, "stacked_numbers", lambda args, r: r is not None,
                  after=True)
    lean = dg.jacobian(lambda p: solve(chain3, p), q)
    assert seen and all(seen)             # every rates call took the one-step read
    tupled = dg.jacobian(lambda p: solve(lambda *z: tuple(chain3(*z)), p), q)
    objects = dg.jacobian(lambda p: solve(lambda *z: np.array(chain3(*z)), p), q)
    assert lean.tobytes() == objects.tobytes() == tupled.tobytes()
    a, b, t = 1.3, 0.7, 2.0               # y0 = e^{-at}, y1 = a (e^{-at} - e^{-bt}) / (b - a)
    ea, eb = np.exp(-a * t), np.exp(-b * t)
    y1_a = (ea - eb) / (b - a) + a * (-t * ea) / (b - a) + a * (ea - eb) / (b - a) ** 2
    y1_b = a * (t * eb) / (b - a) - a * (ea - eb) / (b - a) ** 2
    want = np.array([[-t * ea, 0.0], [y1_a, y1_b], [-(-t * ea) - y1_a, -y1_b]])
    np.testing.assert_allclose(lean, want, rtol=1e-6, atol=1e-8)


def test_mixed_list_takes_the_general_read(monkeypatch):
    q = np.array([1.3, 0.7])
    seen = spy_on(monkeypatch, _ode, "stacked_numbers", lambda args, r: r is not None,
                  after=True)
    got = dg.jacobian(lambda p: solve(lambda t, y, a, b: [-a * y[0], 0.0, b * y[1]], p), q)
    assert seen and not any(seen)         # a number beside the duals: the general path
    assert got[1].tolist() == [0.0, 0.0] and got[0, 0] < 0.0
