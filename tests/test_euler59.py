"""The elements a helper's pass keeps for its *buffers* (dualgrad/dual/_array.py,
``_keep_buffer``, euler59): ``S[i] = d`` into a 1-D float64 dual buffer keeps ``d``,
and ``S[i]`` read again hands it (or the element a read built) out again, so every
way of changing the buffer's memory after a store must give the element a new read
builds.

Each write test stores the three elements of ``x`` into a buffer (so that they are
kept), writes into the buffer by one path (the seed's own list of write paths,
tests/test_seed_elements.py, applied to the buffer, plus the paths a buffer meets:
element writes through views, tuple and NumPy-integer keys, negative keys, constants),
reads the elements again and returns both; the oracle is the closed form of what the
function computes (a kept element that survived the write would give the derivative
of the value before it).  The Euler loops are checked against their closed forms and
complex steps through the same loops in complex buffers.
"""

import concurrent.futures

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import dual
from dualgrad.dual import _array
from dualgrad.testing import complex_step
from test_seed_elements import BY_HAND, WRITES
from _probes import bench_module

X0 = np.array([0.3, -1.2, 2.0])
A, B, C = X0
E = np.eye(3)

corpus58 = bench_module("corpus58")


def _buffer_of(x):
    """A buffer holding x's values and partials, written element by element."""
    S = np.zeros_like(x, shape=(3,))
    for i in range(3):
        S[i] = x[i] * 1.0
    return S


def _stored_elements_are_kept(S):
    if isinstance(S, dual.ArrayDual):                # (not the same function on floats)
        first = S[1]
        assert S[1] is first and S[-2] is first


def test_a_stored_element_is_handed_out_again_while_nothing_else_writes():
    def f(x):
        S = np.zeros_like(x, shape=(4,))
        d = x[0] * x[1]
        S[2] = d
        assert S[2] is d and S[-2] is d               # kept
        assert type(S._c) is _array._Stored and id(S) in dual.ELEMENTS
        e = S[3]                                      # a read keeps what it built
        assert S[3] is e and e.value == 0.0
        S[1] = 2.0                                    # a constant: built on its read
        assert S[1].value == 2.0
        S[2] = x[2] * 3.0
        assert S[2] is not d
        return np.array([d, S[1], S[2], S[3]])
    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, [[B, A, 0.0], [0, 0, 0], 3 * E[2], [0, 0, 0]], rtol=1e-15)
    assert not dual.ELEMENTS and not _array._PASSES    # released when the pass ends


def _written(write, duals=False):
    """``(f, seen)``: f reads a kept buffer's first three elements, lets ``write(S, x)``
    write into it (its rows and values in ``seen``), reads them again; the Jacobian of
    its first three is the identity's, of the last three the written rows (``duals``:
    each element read after the write is a dual)."""
    seen = {}

    def f(x):
        S = _buffer_of(x)
        _stored_elements_are_kept(S)
        before = [S[0], S[1], S[2]]
        seen["rows"], seen["values"] = write(S, x)
        after = [S[0], S[1], S[2]]
        seen["got"] = [e.value if duals else getattr(e, "value", e) for e in after]
        return np.array(before + after)

    J = dg.jacobian(f, X0)
    np.testing.assert_array_equal(J[:3], E)
    np.testing.assert_allclose(J[3:], np.array(seen["rows"], dtype=float),
                               rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(seen["got"], seen["values"], rtol=1e-15)
    return f, seen


@pytest.mark.parametrize("write", WRITES)
def test_a_write_into_a_buffer_gives_new_elements(write):
    f, seen = _written(lambda S, x: write(S))
    if write not in BY_HAND:                 # the same function on floats
        np.testing.assert_allclose(f(X0.copy())[3:], seen["values"], rtol=1e-15)


# The writes a buffer meets beside the seed's: (the buffer, x) -> rows, values.  Each
# keeps the element's value (x - X0 is exactly 0) and changes its partials: only the
# write path's hook can tell that a kept element is stale.
def _element_through_a_view(S, x):
    w = S[1:]
    w[0] = x[1] + (x[2] - C)          # the view's own int path, into S's memory
    return [E[0], E[1] + E[2], E[2]], [A, B, C]


def _element_through_a_reversed_view(S, x):
    S[::-1][0] = x[2] + (x[0] - A)
    return [E[0], E[1], E[2] + E[0]], [A, B, C]


def _tuple_key(S, x):
    S[(1,)] = x[1] + (x[0] - A)
    return [E[0], E[1] + E[0], E[2]], [A, B, C]


def _numpy_integer_key(S, x):
    S[np.int64(2)] = x[2] + (x[1] - B)
    return [E[0], E[1], E[2] + E[1]], [A, B, C]


def _negative_key(S, x):
    S[-3] = x[0] + (x[2] - C)         # element 0 under another name
    return [E[0] + E[2], E[1], E[2]], [A, B, C]


def _constant(S, x):
    S[2] = C                          # the same value, zero partials
    return [E[0], E[1], 0 * E[2]], [A, B, C]


def _slice_of_one(S, x):
    S[1:2] = x[1:2] + (x[0] - A)
    return [E[0], E[1] + E[0], E[2]], [A, B, C]


def _another_buffer(S, x):
    T = np.zeros_like(x, shape=(3,))
    T[0] = x[1] * 1.0                 # another buffer kept beside S: S untouched
    T[1] = T[0] * 2.0
    return [E[0], E[1], E[2]], [A, B, C]


def _the_seed(S, x):
    x[1] = x[1] + (x[0] - A)          # a write into the seed: S untouched
    return [E[0], E[1], E[2]], [A, B, C]


def _dual_wrapping_the_same_arrays(S, x):
    T = _array.make_array(S.value, S._p, S.tag)   # another dual over S's very arrays
    T[0] = x[0] + (x[1] - B)
    return [E[0] + E[1], E[1], E[2]], [A, B, C]


BUFFER_WRITES = [_element_through_a_view, _element_through_a_reversed_view, _tuple_key,
                 _numpy_integer_key, _negative_key, _constant, _slice_of_one,
                 _another_buffer, _the_seed, _dual_wrapping_the_same_arrays]


@pytest.mark.parametrize("write", BUFFER_WRITES)
def test_a_buffer_write_by_another_door_gives_new_elements(write):
    _written(write, duals=True)


def test_np_asarray_of_a_kept_buffer_gives_its_own_rows():
    def f(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = x[1] * 2.0
        S[2] = x[0] * x[2]
        objects = np.asarray(S)                       # the buffer's rows, not a seed's
        return np.array([objects[0], objects[1], objects[2]])
    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, [2 * E[1], [0, 0, 0], [C, 0, A]], rtol=1e-15)


def test_euler_growth_loop_matches_its_closed_form():
    steps, dt = 400, 0.01

    def f(q):
        S = np.zeros_like(q, shape=(steps + 1,))
        S[0] = q[0] * 1.0
        for i in range(1, steps + 1):
            S[i] = S[i - 1] + q[1] * S[i - 1] * dt
        return S[::50]
    s0, r = 2.0, 0.7
    k = np.arange(0, steps + 1, 50)
    expect = np.stack([(1 + r * dt) ** k, s0 * k * dt * (1 + r * dt) ** np.maximum(k - 1, 0)],
                      axis=1)
    np.testing.assert_allclose(dg.jacobian(f, [s0, r]), expect, rtol=1e-13)
    H = dg.hessian(lambda q: f(q)[-1], [s0, r])       # nested: the inner pass's buffers
    n, g = steps, 1 + r * dt
    cross = n * dt * g ** (n - 1)
    np.testing.assert_allclose(H, [[0, cross], [cross, s0 * n * (n - 1) * dt * dt * g ** (n - 2)]],
                               rtol=1e-12)


def test_sir_and_hodgkin_huxley_loops_match_complex_steps():
    ref = complex_step(
        lambda q: corpus58.sir_infected(q, zeros_like=lambda t: np.zeros(t.shape, complex)),
        [0.3, 0.1])
    np.testing.assert_allclose(dg.jacobian(corpus58.sir_infected, [0.3, 0.1]), ref,
                               rtol=1e-12, atol=1e-12)
    ref = complex_step(
        lambda q: corpus58.cn_HHmodel(2, 0.001, [0.2, 1.5], q[0], -65, g_Na=q[1],
                                      zeros=lambda m: np.zeros(m, complex))[0][::100],
        [10.0, 120.0])
    np.testing.assert_allclose(dg.jacobian(corpus58.hh_voltage, [10.0, 120.0]), ref,
                               rtol=1e-10, atol=1e-12)


def test_more_buffers_than_a_pass_keeps_and_a_buffer_too_long_to_keep():
    def f(x):
        bufs = [np.zeros_like(x, shape=(3,)) for _ in range(_array._MAX_BUFFERS + 3)]
        for k, S in enumerate(bufs):
            S[0] = x[0] * float(k)
            S[1] = S[0] + x[1]
        assert len(dual.ELEMENTS) <= 1 + _array._MAX_BUFFERS
        big = np.zeros_like(x, shape=(_array._MAX_FLOATS // 4 + 1,))
        big[5] = x[2] * 1.0
        assert big._c is None and big[5].value == C
        return np.array([S[1] for S in bufs] + [big[5]])
    J = dg.jacobian(f, X0)
    expect = [k * E[0] + E[1] for k in range(_array._MAX_BUFFERS + 3)] + [E[2]]
    np.testing.assert_allclose(J, expect, rtol=1e-15)
    assert not dual.ELEMENTS and not _array._PASSES


def test_a_buffer_that_escapes_or_a_pass_that_raises_keeps_nothing():
    kept = {}

    def f(x):
        S = np.zeros_like(x, shape=(2,))
        S[0] = x[0] * 1.0
        kept["S"] = S
        return S
    dg.jacobian(f, X0)
    assert kept["S"]._c is None and not dual.ELEMENTS and not _array._PASSES

    def g(x):
        S = np.zeros_like(x, shape=(2,))
        S[0] = x[0] * 1.0
        raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):
        dg.jacobian(g, X0)
    assert not dual.ELEMENTS and not _array._PASSES


def test_threads_running_euler_loops_give_the_serial_jacobians():
    points = [np.array([0.3 + 0.01 * k, 0.1]) for k in range(8)]
    serial = [dg.jacobian(corpus58.sir_infected, p) for p in points]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda p: dg.jacobian(corpus58.sir_infected, p), points))
    for s, J in zip(serial, got):
        np.testing.assert_array_equal(J, s)
    assert not dual.ELEMENTS and not _array._PASSES


def test_a_zero_whose_sign_is_written_by_hand_gives_a_new_element():
    seen = {}

    def f(x):
        S = np.zeros_like(x, shape=(2,))
        S[0] = x[0] * -0.0                     # -0.0, kept
        kept, seed = S[0], x[1]                # the buffer's and the seed's elements, kept
        S.value[0] = 0.0                       # the values by hand: the other zeros
        x.value[1] = -0.0
        a, b = S[0], x[1]
        seen["signs"] = [np.copysign(1.0, e.value) for e in (kept, a, seed, b)]
        return np.array([np.arctan2(a, -1.0), np.arctan2(b, -1.0)])
    J = dg.jacobian(f, np.array([2.0, 0.0, 1.0]))
    assert seen["signs"] == [-1.0, 1.0, 1.0, -1.0]          # the memory's zeros
    np.testing.assert_allclose(J, [[0.0, 0, 0], [0, -1.0, 0]], atol=1e-15)


@pytest.mark.parametrize("name", ["fused", "eager"])
def test_a_pending_expression_over_a_kept_buffer_keeps_the_old_element(name):
    m = 6000                                   # partials of m x 3: past the fused engine's bound

    def f(x):
        S = np.zeros_like(x, shape=(m,))
        S[7] = x[0] * 1.0                      # kept
        S[8] = x[1] * 1.0
        T = S * x[2]                           # pending in the fused engine: reads S
        S[7] = x[1] + (x[0] - A)               # the same value, other partials
        S[8] = x[2] * 1.0
        return np.array([T[7], T[8], S[7], S[8]])
    with dg.engine(name):
        J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, [[C, 0, A], [0, C, B], E[0] + E[1], E[2]], rtol=1e-15)
