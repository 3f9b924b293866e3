"""Factor arrays computed in the fused kernel from their recipes (heat51).

A deferred ``+ - *`` notes how its fresh value was computed from numbers and dual
values (``backend.note_recipe``); a later local derivative that is that value
(``kappa * lap`` in kappa: ``lap``'s value) becomes a ``backend.Local`` that the
kernel evaluates per element from the recipe's values, with NumPy's operations in
NumPy's order, instead of reading the array.  Oracles: the eager engine (NumPy's
passes) to the bit, the hand-written tangent of the heat step, and, for every write
between a recipe and its use (or its pass), the local derivative NumPy computed
before the write, written out here from the values by NumPy itself.
"""

import threading

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen

N = 3_000
P = np.array([0.4, 0.8, 0.1, 1.5])
LAP = "(({0} - ({1} * {2})) + {3})"      # lap's recipe: rows at three offsets, declined
ONE = "({0} - {1})"


@pytest.fixture
def kernels(monkeypatch):
    """Defer at every size and compile each structure at its first meeting; the
    keys of the kernels used."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    seen = []
    real = _fusedgen.kernel

    def kernel(key):
        seen.append(key)
        return real(key)
    monkeypatch.setattr(_fusedgen, "kernel", kernel)
    monkeypatch.setattr(_fusedgen, "compiled_kernel", lambda key: None)
    return seen


def _templates(keys):
    found = set()
    for key in keys:
        key = key[2] if key[0] == "columns" else key
        for kids in key[2]:
            found.update(coef[1] for coef, kid in kids if coef[0] == "e")
    return found


def _same_bits(got, expected):
    """Equal to the bit, NaN where NaN (a zero's sign aside: the kernels document
    -0.0 against 0.0 beside a finite factor)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    nonzero = (expected != 0.0) & ~np.isnan(expected)
    np.testing.assert_array_equal(got[nonzero].view(np.int64),
                                  expected[nonzero].view(np.int64))
    np.testing.assert_array_equal(got[expected == 0.0], 0.0)


def heat(p, n=N, steps=6, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += kappa * lap + dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


def heat_tangent(p, n=N, steps=6, dt=0.01):
    """Forward sensitivities by hand: u and du/dp stepped together."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    S = np.zeros((n, 4))
    S[:, 1] = g
    S[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        dlap = S[2:] - 2.0 * S[1:-1] + S[:-2]
        mid = u[1:-1]
        dS = kappa * dlap + (dt * rate * (1.0 - 2.0 * mid))[:, None] * S[1:-1]
        dS[:, 0] += lap
        dS[:, 3] += dt * mid * (1.0 - mid)
        u[1:-1] += kappa * lap + dt * rate * mid * (1.0 - mid)
        S[1:-1] += dS
    return S


def heat_roll(p, n=N, steps=6, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    for _ in range(steps):
        lap = np.roll(u, -1) - 2.0 * u + np.roll(u, 1)
        u = u + inner * (kappa * lap + dt * rate * u * (1.0 - u))
    return u


def heat_diff(p, n=N, steps=6, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        mid = u[1:-1]
        mid = mid + kappa * np.diff(u, 2) + dt * rate * mid * (1.0 - mid)
        u = np.concatenate([u[:1], mid, u[-1:]])
    return u


def _near(got, tangent):
    """Within rounding of the hand tangent, relative to each column's scale (terms
    cancel; the ``np.diff`` form adds ``mid + kappa * diff + ...`` in another order
    than the tangent: 7e-12 of the scale in kappa's column, the eager engine too)."""
    scale = np.abs(tangent).max(axis=0)
    assert np.all(np.abs(got - tangent) <= 1e-10 * scale)


def _eager(f, p=P):
    with dg.engine("eager"):
        return dg.jacobian(f, p)


def test_the_slicing_step_computes_its_factors_from_u(kernels):
    """The slicing step's kernel evaluates ``1.0 - u`` and ``(dt * rate) * u`` from
    ``u``'s value (no factor array of theirs; ``lap``, over three rows, is read): the
    hand tangent's Jacobian and the eager engine's bits."""
    with dg.engine("fused"):
        got = dg.jacobian(heat, P)
    assert {"({0} - {1})", "({0} * {1})"} <= _templates(kernels)
    assert LAP not in _templates(kernels)
    _near(got, heat_tangent(P))
    _same_bits(got, _eager(heat))


@pytest.mark.parametrize("form", [heat_roll, heat_diff], ids=["roll", "diff"])
def test_the_other_forms_compute_one_minus_u_and_its_product(kernels, form):
    """``1.0 - u`` and ``(dt * rate) * u`` from ``u``'s value in the ``np.roll`` and
    ``np.diff`` forms (their ``lap`` reads rolled or differenced values: kept as an
    array); the hand tangent (the same simulation) and the eager engine's bits."""
    with dg.engine("fused"):
        got = dg.jacobian(form, P)
    assert {"({0} - {1})", "({0} * {1})"} <= _templates(kernels)
    _near(got, heat_tangent(P))
    _same_bits(got, _eager(form))


def test_node_by_node_the_same_bits(monkeypatch):
    """Below the compile's work the structure is interpreted: the recipe's Local
    is evaluated by NumPy, the same bits."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 10 ** 15)
    with dg.engine("fused"):
        got = dg.jacobian(heat, P)
    _same_bits(got, _eager(heat))


S = np.linspace(0.0, 1.0, N)


def _writes():
    """Writes into ``u`` (or the recipe's own value) between the recipe of
    ``lap`` and its use, each with the values NumPy computes for them."""
    def setitem(u, p):
        u[0] = 5.0 * p[3]

    def view_iadd(u, p):
        v = u[1:]
        v += 1.0

    def view_imul(u, p):
        v = u[:-1]
        v *= 2.0

    def inner_iadd(u, p):
        u[1:-1] += 0.5 * u[1:-1]

    def copyto(u, p):
        np.copyto(u, 3.0 * u)

    def out(u, p):
        np.multiply(u, 2.0, out=u)

    def setitem_dual(u, p):
        u[5:9] = p[3] * S[5:9]
    return [setitem, view_iadd, view_imul, inner_iadd, copyto, out, setitem_dual]


@pytest.mark.parametrize("write", _writes(), ids=lambda w: w.__name__)
@pytest.mark.parametrize("when", ["before use", "after use"])
def test_a_write_into_u_between_the_recipe_and_the_pass(kernels, write, when):
    """``lap = 1.0 - u[1:-1]``'s recipe reads ``u``; ``u`` is written before ``p[2] *
    lap`` is made (the recipe must not be used: ``lap``'s value is the old ``u``'s)
    or after it (the pending expression reads ``u``: computed before the write).
    The local derivative in ``p[2]`` is ``lap`` as NumPy computed it before the
    write."""
    def f(p):
        u = p[0] * S + p[1]
        lap = 1.0 - u[1:-1]
        if when == "before use":
            write(u, p)
        r = p[2] * lap
        if when == "after use":
            write(u, p)
        return r + p[3] * u[1:-1]

    for engine in ("fused", "eager"):
        with dg.engine(engine):
            got = dg.jacobian(f, P)
        u = P[0] * S + P[1]
        lap = 1.0 - u[1:-1]
        np.testing.assert_array_equal(got[:, 2].view(np.int64), lap.view(np.int64))
        if engine == "fused":
            fused = got
            # after use, the pending expression read u through lap's recipe
            assert when == "before use" or ONE in _templates(kernels)
    _same_bits(fused, got)


def test_a_write_into_the_recipes_own_value(kernels):
    """``t = u + 1.0`` has a recipe; ``t[0] = 3.0`` writes it: ``p[2] * t``'s local
    derivative is ``t`` as written, not the recipe's ``u + 1.0``."""
    def f(p):
        u = p[0] * S + p[1]
        t = u + 1.0
        t[0] = 3.0
        return p[2] * t

    with dg.engine("fused"):
        got = dg.jacobian(f, P)
    t = P[0] * S + P[1] + 1.0
    t[0] = 3.0
    np.testing.assert_array_equal(got[:, 2], t)
    _same_bits(got, _eager(f))


def test_a_callers_array_is_not_a_recipes_value(kernels):
    """``x * c`` with the caller's plain ``c``: no recipe (``c`` may be written where
    no hook sees it); the local derivative of ``p[2] * t`` is ``t`` as computed."""
    c = np.linspace(1.0, 2.0, N)

    def f(p):
        t = (p[0] * S) * c
        r = p[2] * t
        c[:] = 7.0
        return r

    c0 = c.copy()
    with dg.engine("fused"):
        got = dg.jacobian(f, P)
    np.testing.assert_array_equal(got[:, 2], (P[0] * S) * c0)


def test_recipes_do_not_outlive_a_call_and_stay_few():
    """The outermost helper call ends with no recipe kept; a loop that never writes
    keeps at most a few dozen (values freed are dropped)."""
    with dg.engine("fused"):
        dg.jacobian(heat_roll, P)
    assert not _fused._RECIPES

    def f(p):
        u = p[0] * S + p[1]
        for _ in range(200):
            u = u + 1e-3 * (1.0 - u)
            assert len(_fused._RECIPES) <= 33
        return u
    with dg.engine("fused"):
        dg.jacobian(f, P)


def test_second_order_through_the_step():
    """Nested duals (a Hessian through the slicing step) agree with the eager engine."""
    def g(p):
        return np.sum(heat(p, n=400, steps=3) ** 2)
    with dg.engine("fused"):
        got = dg.hessian(g, P)
    with dg.engine("eager"):
        expected = dg.hessian(g, P)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)


def test_non_finite_values_in_some_blocks(kernels):
    """inf and NaN values in ``u`` (whole blocks and single rows): the kernel's tested
    path computes the recipe again per element, the clean blocks read the block's
    scratch; the eager engine's bits."""
    def f(p):
        u = p[0] * S + p[1]
        u[200:264] = np.inf * p[1]
        u[1000] = np.nan * p[0]
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        return p[2] * lap + p[3] * (1.0 - u[1:-1])

    with dg.engine("fused"):
        got = dg.jacobian(f, P)
    assert ONE in _templates(kernels)
    _same_bits(got, _eager(f))


def test_threads_give_the_serial_jacobian():
    """Four threads stepping the heat equation at once: each the serial Jacobian."""
    with dg.engine("fused"):
        serial = dg.jacobian(heat, P)
        out = [None] * 4

        def run(k):
            out[k] = dg.jacobian(heat, P)
        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for got in out:
        _same_bits(got, serial)
