"""A kept buffer's element stores and reads (dualgrad/dual/_array.py, loops60): ``S[i] = d``
writes ``d``'s float partials slot by slot into a flat memoryview of the buffer's rows
(the class's generated ``_put``), and ``S[i]`` compares the kept element's value with the
memory through a memoryview of the values.  Neither may change a number: every test runs
the same function with the store's slot path off (``_PUT_SLOTS = 0``: the rows written by
NumPy from the partials' list, as before) and with no buffer kept at all (``_keep_buffer``
off: the general element paths), and asserts the value and every partial equal bit for bit
(NaN where NaN, the zero's sign), errors alike; closed forms and complex steps are the
independent oracles of the loops themselves.
"""

import math

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _array, _scalar
from _probes import bench_module

INF, NAN = float("inf"), float("nan")


def _bits(a):
    """The float64 bits of ``a`` (NaN's and the zero's sign compared too)."""
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.int64)


def _three_ways(fn, x, helper=dg.jacobian, monkeypatch=None):
    """``helper(fn, x)`` with the slot stores, with the list stores, and with no buffer
    kept; asserts all three give the same bits (or the same error) and returns the first."""
    def run():
        try:
            return helper(fn, np.array(x, dtype=float)), None
        except Exception as err:        # noqa: BLE001 (compared below)
            return None, (type(err), str(err))
    got = [run()]
    monkeypatch.setattr(_array, "_PUT_SLOTS", 0, raising=False)
    got.append(run())
    monkeypatch.undo()
    monkeypatch.setattr(_array, "_keep_buffer", lambda d, v, p: None)
    got.append(run())
    monkeypatch.undo()
    (first, err0), rest = got[0], got[1:]
    for other, err in rest:
        assert err == err0
        if err is None:
            np.testing.assert_array_equal(_bits(first), _bits(other))
    return first, err0


# ---- the stores take the slot path, and it writes nothing a list store would not ------

def test_a_kept_store_writes_the_slots_without_the_partials_list(monkeypatch):
    """The path is taken: no ``_plist`` (the list NumPy converted) while storing."""
    cls = _scalar.scalar_class(3)
    calls = []
    real = cls._plist
    monkeypatch.setattr(cls, "_plist", lambda self: calls.append(1) or real(self))

    def f(x):
        S = np.zeros_like(x, shape=(50,))
        S[0] = x[0] * 1.0
        calls.clear()
        for i in range(1, 50):
            S[i] = S[i - 1] * x[1] + x[2]
        assert type(S._c) is _array._Stored and S._c.mp is not None
        assert not calls
        return S[::7]
    dg.jacobian(f, np.array([0.5, 0.9, 0.1]))


def test_a_kept_read_compares_through_the_values_memoryview():
    """The path is taken: a read asks the memoryview (a spy in its place) for the value."""
    asked = []

    class Spy:
        def __init__(self, mv):
            self.mv = mv

        def __getitem__(self, i):
            asked.append(i)
            return self.mv[i]

    def f(x):
        S = np.zeros_like(x, shape=(4,))
        S[1] = x[0] * x[1]
        S._c.mv = Spy(S._c.mv)
        e = S[1]
        assert asked == [1] and S[-3] is e and asked == [1, -3]
        return e
    np.testing.assert_allclose(dg.gradient(f, np.array([0.3, 0.7])), [0.7, 0.3], rtol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 16, 17])
def test_growth_loop_bits_and_closed_form(n, monkeypatch):
    """S[i] = S[i - 1] (1 + r): the closed form x0 (1 + r)^k, and the three paths' bits."""
    steps = 40

    def f(q):
        S = np.zeros_like(q, shape=(steps + 1,))
        S[0] = q[0] * 1.0
        for i in range(1, steps + 1):
            S[i] = S[i - 1] * (1.0 + q[1 if len(q) > 1 else 0]) + 0.0 * q[-1]
        return S[::5]
    x = np.linspace(0.5, 0.9, n) if n > 1 else np.array([0.5])
    J, err = _three_ways(f, x, monkeypatch=monkeypatch)
    assert err is None
    x0, r = x[0], x[1] if n > 1 else x[0]
    k = np.arange(0, steps + 1, 5)
    if n > 1:
        np.testing.assert_allclose(J[:, 0], (1 + r) ** k, rtol=1e-13)
        np.testing.assert_allclose(J[:, 1], x0 * k * (1 + r) ** np.maximum(k - 1, 0), rtol=1e-13)
    else:                                           # S[k] = x (1 + x)^k
        np.testing.assert_allclose(J[:, 0], (1 + x0) ** k + x0 * k * (1 + x0) ** (k - 1),
                                   rtol=1e-13)


# the items a store meets: float partials of every kind of float, constants, other numbers
def _special_partials(q):
    S = np.zeros_like(q, shape=(8,))
    S[0] = q[0] * INF                   # an infinite partial
    S[1] = q[0] * -0.0                  # -0.0 partials and value
    S[2] = q[1] * NAN                   # NaN
    S[3] = (q[0] - q[0]) * -1.0         # -0.0 value, zero partials of both signs
    S[-1] = q[1] * 1e308 * 10.0         # overflowed value
    S[4] = 3                            # constants of each kind
    S[5] = np.float64(-0.0)
    S[6] = 2.5
    S[4] = q[0] * q[1]                  # a store over a kept element
    return np.array([S[k] for k in range(8)] + [S[-1], S[-8]])


def _int_and_numpy_keys(q):
    S = np.zeros_like(q, shape=(5,))
    S[np.int64(1)] = q[0] * 2.0         # another key kind (the general element path)
    S[2] = q[1] * 3.0
    S[True] = q[0] * 5.0 if False else S[1]
    S[-2] = S[2] * S[1]
    return S[:]


def _float32_seed(q):
    S = np.zeros_like(q, shape=(4,))
    for i in range(4):
        S[i] = q[i % 2] * np.float32(1.5)
    return S * 1.0


def _complex_into_real(q):
    S = np.zeros_like(q, shape=(3,))
    S[0] = q[0] * 1.0
    S[1] = q[1] * 1j                    # NumPy's / dualgrad's refusal, the same either way
    return S


def _index_out_of_range(q):
    S = np.zeros_like(q, shape=(3,))
    S[0] = q[0] * 1.0
    S[3] = q[1] * 1.0                   # NumPy's IndexError (by the values' write)
    return S


def _negative_out_of_range(q):
    S = np.zeros_like(q, shape=(3,))
    S[1] = q[0] * 1.0
    S[-4] = q[1] * 1.0
    return S


def _another_tag(q):
    S = np.zeros_like(q, shape=(3,))
    S[0] = q[0] * 1.0

    def inner(z):
        S[1] = z[0] * q[1]              # a dual of the inner pass's tag (nested)
        return S[1] * 1.0
    return np.array([dg.derivative(lambda z: inner(np.array([z])), 0.7), S[0]])


def _value_written_by_hand(q):
    S = np.zeros_like(q, shape=(3,))
    S[0] = q[0] * 2.0
    S.value[0] = 5.0                    # the memory changed behind the kept element
    return S[0] * 1.0


def _sign_of_zero_by_hand(q):
    S = np.zeros_like(q, shape=(3,))
    S[0] = (q[0] - q[0]) * 1.0
    S.value[0] = -0.0
    return S[0] * 1.0


def _read_only_rows(q):
    S = np.zeros_like(q, shape=(3,))
    S._p.flags.writeable = False        # not kept slot by slot: NumPy's own error
    S[0] = q[0] * 1.0
    return S


def _rows_in_fortran_order(q):
    S = np.zeros_like(q, shape=(4,))
    S._p = np.asfortranarray(S._p)      # no flat view of the rows: the list store
    for i in range(4):
        S[i] = q[i % 2] * (i + 1.0)
    return S[::-1]


def _many_buffers(q):
    out = []
    for b in range(10):                 # past the pass's cap of kept buffers
        S = np.zeros_like(q, shape=(3,))
        S[b % 3] = q[b % 2] * (b + 1.0)
        out.append(S[b % 3])
    return np.array(out)


CASES = [_special_partials, _int_and_numpy_keys, _float32_seed, _complex_into_real,
         _index_out_of_range, _negative_out_of_range, _another_tag, _value_written_by_hand,
         _sign_of_zero_by_hand, _read_only_rows, _rows_in_fortran_order, _many_buffers]


@pytest.mark.parametrize("fn", CASES)
def test_stores_and_reads_give_the_general_paths_bits(fn, monkeypatch):
    with np.errstate(all="ignore"):
        _three_ways(fn, [0.3, -1.2], monkeypatch=monkeypatch)


def test_special_partials_against_their_closed_forms(monkeypatch):
    with np.errstate(all="ignore"):
        J, err = _three_ways(_special_partials, [0.3, -1.2], monkeypatch=monkeypatch)
    assert err is None
    a, b = 0.3, -1.2
    expect = [[INF, 0.0], [-0.0, 0.0], [0.0, NAN], [0.0, 0.0], [b, a], [0.0, 0.0],
              [0.0, 0.0], [0.0, 1e308 * 10.0], [0.0, 1e308 * 10.0], [INF, 0.0]]
    np.testing.assert_array_equal(J, expect)
    assert math.copysign(1.0, J[1, 0]) == -1.0


def test_errors_are_numpys(monkeypatch):
    for fn, kind in ((_index_out_of_range, IndexError), (_negative_out_of_range, IndexError),
                     (_read_only_rows, ValueError)):
        _, err = _three_ways(fn, [0.3, -1.2], monkeypatch=monkeypatch)
        assert err is not None and issubclass(err[0], kind), (fn, err)


def test_hessian_through_a_kept_buffer(monkeypatch):
    """Nested duals (the outer store's partials are duals: the general lines) and the
    inner pass's own buffers: the closed form of x0 (1 + r)^k's Hessian, the bits alike."""
    steps = 30

    def f(q):
        S = np.zeros_like(q, shape=(steps + 1,))
        S[0] = q[0] * 1.0
        for i in range(1, steps + 1):
            S[i] = S[i - 1] * (1.0 + q[1])
        return S[-1]
    H, err = _three_ways(f, [2.0, 0.05], helper=dg.hessian, monkeypatch=monkeypatch)
    assert err is None
    x0, r, n = 2.0, 0.05, steps
    cross = n * (1 + r) ** (n - 1)
    np.testing.assert_allclose(H, [[0, cross], [cross, x0 * n * (n - 1) * (1 + r) ** (n - 2)]],
                               rtol=1e-13)


def test_an_escaped_buffer_and_an_escaped_element_still_raise(monkeypatch):
    kept = {}

    def f(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = x[0] * 1.0
        kept["S"], kept["e"] = S, S[0]
        return S[0]
    dg.gradient(f, np.array([0.3, 0.4]))

    def g(x):
        kept["S"][1] = x[0] * 1.0       # into a buffer of a pass that ended
        return x[0]
    with pytest.raises(Exception) as one:
        dg.gradient(g, np.array([0.3, 0.4]))

    def h(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = kept["e"]                # an element of a pass that ended
        return S[0] * x[0]
    with pytest.raises(Exception) as two:
        dg.gradient(h, np.array([0.3, 0.4]))
    assert "escaped" in str(one.value) + str(two.value) or "outside" in str(one.value)


def test_sir_against_complex_steps(monkeypatch):
    """bench/corpus58.py's SIR loop: the three paths' bits, and complex steps through the
    same loop in complex buffers (rtol 1e-12)."""
    corpus58 = bench_module("corpus58")
    q = np.array([0.3, 0.1])
    J, err = _three_ways(corpus58.sir_infected, q, monkeypatch=monkeypatch)
    assert err is None

    def zeros_like(t):
        return np.zeros(t.shape, dtype=complex)
    h = 1e-30
    cols = [corpus58.sir_infected(q + 1j * h * e, zeros_like=zeros_like).imag / h
            for e in np.eye(2)]
    np.testing.assert_allclose(J, np.stack(cols, axis=1), rtol=1e-12)
