"""``a + b`` and ``a - b`` on array duals compute the value into an operand's value
array when nothing but the operator holds that operand or its value, as NumPy reuses
its temporaries (dualgrad/dual/_array.py's ``_spare``).

Checked: the reuse happens for a temporary (its value array, watched by a weak
reference, lives on as the result's), and never where something still reads the
operand's value (a name, a view, a factor of a pending expression, a snapshot) or
where the result has another shape; values equal NumPy's on plain floats, partials
the eager engine's (bit for bit) and analytic derivatives.
"""

import weakref

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _array

N = 40_000                     # 320 KB values: above SPARE_BYTES
s0 = np.linspace(-1.5, 2.0, N)
P = np.array([0.7, -0.4, 1.3, 0.25])


def field(p):
    """A value-sized dual with four directions: ``p0 + p1 s + p2 s^2 + p3 s^3``."""
    return p[0] + s0 * (p[1] + s0 * (p[2] + s0 * p[3]))


def field_value(p):
    return p[0] + s0 * (p[1] + s0 * (p[2] + s0 * p[3]))


def field_partials():
    return np.stack([np.ones(N), s0, s0 * s0, s0 * s0 * s0], axis=-1)


def _square(u, watch):
    """``u * u`` handed back as a temporary of the caller's expression, its value
    watched by a weak reference (which holds nothing)."""
    t = u * u
    watch.append(weakref.ref(t.value))
    return t


@pytest.mark.parametrize("engine", ["eager", "fused", "auto"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_temporary_operand_gives_its_value_array(engine, side, sign):
    watch, results = [], []

    def f(p):
        u = field(p)
        s = np.sin(u)
        if side == "left":
            r = _square(u, watch) + s if sign > 0 else _square(u, watch) - s
        else:
            r = s + _square(u, watch) if sign > 0 else s - _square(u, watch)
        results.append(r.value)
        return r

    with dg.engine(engine):
        J = dg.jacobian(f, P)
    assert watch[0]() is results[0]          # the temporary's array is the result's
    u = field_value(P)
    if side == "left":
        value, local = u * u + sign * np.sin(u), 2 * u + sign * np.cos(u)
    else:
        value, local = np.sin(u) + sign * (u * u), np.cos(u) + sign * 2 * u
    assert np.array_equal(results[0], value)                 # NumPy's bits
    np.testing.assert_allclose(J, local[:, None] * field_partials(), rtol=1e-13, atol=1e-13)


def test_partials_equal_the_eager_engines_to_the_bit():
    def f(p):
        u = field(p)
        a = np.exp(-u)
        return (u * a + np.sin(u)) - (a * a + u) + (u * u - a) + (a * u - u * u)

    with dg.engine("eager"):
        eager = dg.jacobian(f, P)
    for engine in ("fused", "auto"):
        with dg.engine(engine):
            assert np.array_equal(dg.jacobian(f, P), eager)


def _with_view(u, kept):
    t = u * u
    kept.append((t.value[::2], t.value[::2].copy()))      # a view of t's value, alive
    return t


def _with_pending_product(u, kept):
    t = u * u
    kept.append(t * u)                     # pending: t's value is one of its factors
    return t


def _with_snapshot(u, kept):
    t = u * u
    kept.append(np.asarray(t))             # a snapshot: weak references to t's memory
    return t


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_named_operand_keeps_its_value(engine):
    def f(p):
        u = field(p)
        t = u * u
        before = t.value.copy()
        r = t + u
        assert np.array_equal(t.value, before)
        assert not np.shares_memory(t.value, r.value)
        return r + t

    with dg.engine(engine):
        J = dg.jacobian(f, P)
    u = field_value(P)
    np.testing.assert_allclose(J, (4 * u + 1)[:, None] * field_partials(), rtol=1e-13,
                               atol=1e-12)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_viewed_value_is_not_written(engine):
    kept = []

    def f(p):
        u = field(p)
        return _with_view(u, kept) + u

    with dg.engine(engine):
        dg.jacobian(f, P)
    view, before = kept[0]
    assert np.array_equal(view, before)


def test_a_factor_of_a_pending_expression_is_not_written():
    """A product deferred over ``t`` reads ``t``'s value when it is computed, after
    the sum that drops ``t``: its partials stay the eager engine's, bit for bit."""
    def f(p, kept):
        u = field(p)
        r = _with_pending_product(u, kept) + u
        return kept[0] + 0.0 * r

    with dg.engine("eager"):
        eager = dg.jacobian(f, P, [])
    with dg.engine("fused"):
        fused = dg.jacobian(f, P, [])
    assert np.array_equal(eager, fused)
    u = field_value(P)
    np.testing.assert_allclose(fused, (3 * u * u)[:, None] * field_partials(), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_snapshot_of_the_operand_stops_the_reuse(engine):
    """The operand's memory dies with it, so the result may be written in place; a
    reused value array would keep the snapshot's memory alive and ``r += 1.0``
    would raise (a write under a live snapshot)."""
    def f(p):
        kept = []
        u = field(p)
        r = _with_snapshot(u, kept) + u
        r += 1.0
        return r

    with dg.engine(engine):
        J = dg.jacobian(f, P)
    u = field_value(P)
    np.testing.assert_allclose(J, (2 * u + 1)[:, None] * field_partials(), rtol=1e-13,
                               atol=1e-12)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_an_operand_of_another_shape_gives_a_new_array(engine):
    watch = []

    def f(p):
        u = field(p)
        wide = np.stack([u, 2.0 * u])                 # (2, N): the result's shape
        return _square(u, watch) + wide

    with dg.engine(engine):
        J = dg.jacobian(f, P)
    assert watch[0]() is None
    u = field_value(P)
    expected = np.stack([2 * u + 1, 2 * u + 2])[..., None] * field_partials()
    np.testing.assert_allclose(J, expected, rtol=1e-13, atol=1e-12)


def test_an_explicit_method_call_is_not_the_operator():
    watch = []

    def f(p):
        u = field(p)
        return _square(u, watch).__add__(u)

    with dg.engine("fused"):
        dg.jacobian(f, P)
    assert watch[0]() is None                   # not reused: its array died


def test_small_values_are_not_reused():
    watch = []

    def f(x):
        return _square(x, watch) + x

    dg.jacobian(f, np.linspace(0.0, 1.0, 100))
    assert watch[0]() is None


def test_the_calibration_tells_a_temporary_from_a_name():
    assert _array._SPARE is not None            # CPython: counted as measured at import
