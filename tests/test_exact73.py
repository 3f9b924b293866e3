"""Stop 72's open exactness findings (exact73).

(1) attack72 F2, silent: ``np.add.at(np.asarray(d), i, c)`` of an array dual made
outside any helper (``dg.Dual(value, deriv)``) wrote only the snapshot (every ufunc's
``.at``): refused at the call now, the advised spellings give the float code's numbers.
(2) attack72 M4: a snapshot made writable and written is said so (not "a ufunc's .at");
``np.asarray(x, dtype=object)``, a copy in float code, is the user's own array.
Oracles: the float code's own numbers, analytic derivatives, central differences.
"""

import threading

import numpy as np
import pytest

import dualgrad as dg

X0 = np.array([3.0, -3.0, 4.0])


def _user_dual():
    """An array dual of no helper call: d/dx0 only."""
    return dg.Dual(X0.copy(), np.array([[1.0], [0.0], [0.0]]))


def _float_after(write):
    """The float code: ``write(x)`` then sum(x * x) and its derivative in x0 (x0's
    final value v: 2 v, the writes below being shifts or copies of x0 alone)."""
    x = X0.copy()
    write(x)
    return (x * x).sum(), x


# ---- (1) ufunc.at into np.asarray's snapshot of a dual of no helper call ------------

AT_WRITES = {
    "add": lambda y: np.add.at(y, [0], 2.0),
    "add repeated": lambda y: np.add.at(y, [0, 0], 1.0),
    "subtract": lambda y: np.subtract.at(y, [0], 2.0),
    "multiply": lambda y: np.multiply.at(y, [0], 2.0),
    "maximum": lambda y: np.maximum.at(y, [0], 5.0),
    "minimum": lambda y: np.minimum.at(y, [0], -5.0),
    "negative": lambda y: np.negative.at(y, [0]),
    "sin": lambda y: np.sin.at(y, [0]),
    "divide": lambda y: np.divide.at(y, [0], 2.0),
    "power": lambda y: np.power.at(y, [0], 2.0),
    "reciprocal": lambda y: np.reciprocal.at(y, [1]),
    "add floats": lambda y: np.add.at(y, [0, 1], np.array([2.0, 1.0])),
}
SNAPSHOTS = {
    "np.asarray": np.asarray,
    "np.asanyarray": np.asanyarray,
    "__array__": lambda d: d.__array__(),
    "view": lambda d: np.asarray(d)[0:],
}


@pytest.mark.parametrize("spelling", SNAPSHOTS)
@pytest.mark.parametrize("ufunc", AT_WRITES)
def test_at_into_snapshot_refused_at_the_call(ufunc, spelling):
    write, snap = AT_WRITES[ufunc], SNAPSHOTS[spelling]
    value, x = _float_after(lambda v: write(snap(v)))
    assert not np.array_equal(x, X0)        # on floats the write reaches x
    d = _user_dual()
    with pytest.raises(TypeError, match=r"ufunc's \.at") as info:
        write(snap(d))
    assert "x.copy()" in str(info.value) or ".copy() in place of" in str(info.value)
    np.testing.assert_array_equal(d.value, X0)


def test_at_refused_after_the_elements_were_read():
    d = _user_dual()
    y = np.asarray(d)
    str(y[0])
    total = y.sum()                         # (every element read, by NumPy's sum)
    assert total.value == pytest.approx(X0.sum(), abs=0)
    np.testing.assert_array_equal(total.partials, [1.0])
    with pytest.raises(TypeError, match=r"ufunc's \.at"):
        np.add.at(y, [0], 2.0)


def test_at_refused_in_a_thread():
    caught = []

    def run():
        d = _user_dual()
        try:
            np.add.at(np.asarray(d), [0], 2.0)
        except TypeError as exc:
            caught.append(str(exc))
        # (np.asarray of a temporary dual: its memory dies with it, the snapshot is
        # the user's own then, as the float code's temporary)
        np.add.at(np.asarray(_user_dual()), [0], 2.0)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert len(caught) == 1 and ".at" in caught[0]


def test_at_refused_names_the_line_that_made_the_array():
    d = _user_dual()

    def f(x):
        y = np.asarray(x)
        np.add.at(y, [0], 2.0)
        return (x * x).sum()
    with pytest.raises(TypeError) as info:
        f(d)
    text = str(info.value)
    assert "`y = np.asarray(x)`" in text and "np.add.at(x, i, c)" in text


def test_at_into_a_copy_is_the_users_own():
    # a copy (np.asarray(x).copy(), np.array(x)) is the user's array on floats too:
    # the write stays there, x keeps its value
    for copy in (lambda v: np.asarray(v).copy(), np.array):
        x = X0.copy()
        yf = copy(x)
        np.add.at(yf, [0], 2.0)
        d = _user_dual()
        y = copy(d)
        np.add.at(y, [0], 2.0)
        assert y[0].value == pytest.approx(yf[0], abs=0)
        np.testing.assert_array_equal(y[0].partials, [1.0])
        np.testing.assert_array_equal(d.value, x)


@pytest.mark.parametrize("fix", ["np.add.at", "np.maximum"])
def test_the_advised_spellings_give_the_float_codes_numbers(fix):
    if fix == "np.add.at":
        def write(x):
            np.add.at(x, [0], 2.0)
    else:
        def write(x):
            x[[0]] = np.maximum(x[[0]], 5.0)
    value, x = _float_after(write)
    d = _user_dual()
    write(d)
    r = (d * d).sum()
    assert r.value == pytest.approx(value, abs=0)
    # d/dx0 of sum(x * x) after the write: 2 (x0 + 2) for the shift, 0 where the
    # maximum took the constant 5
    expect = 2 * (X0[0] + 2.0) if fix == "np.add.at" else 0.0
    np.testing.assert_array_equal(r.partials, [expect])


def test_snapshot_elements_compute_as_before():
    # the snapshot's elements (watched now) against analytic partials
    d = dg.Dual(np.array([0.7, -1.3, 2.1]), np.eye(3))
    y = np.asarray(d)
    s = y.sum()
    np.testing.assert_array_equal(s.partials, [1.0, 1.0, 1.0])
    p = y[0] * y[1]
    np.testing.assert_array_equal(p.partials, [-1.3, 0.7, 0.0])
    q = 2.0 - y[2] / y[0]
    assert q.value == pytest.approx(2.0 - 2.1 / 0.7, rel=1e-15)
    np.testing.assert_allclose(q.partials, [2.1 / 0.7 ** 2, 0.0, -1 / 0.7], rtol=1e-14)
    m = max(y)
    assert m is y[2] or m.value == 2.1
    w = np.sin(y[1])
    assert w.value == pytest.approx(np.sin(-1.3), abs=0)
    np.testing.assert_allclose(w.partials, [0.0, np.cos(-1.3), 0.0], rtol=1e-15)


def test_inside_a_helper_still_refused_at_the_end():
    def f(x):
        y = np.asarray(x)
        np.add.at(y, [0], 2.0)
        return (x * x).sum()
    with pytest.raises(TypeError, match=r"ufunc's \.at"):
        dg.gradient(f, X0.copy())


# ---- (2) a snapshot made writable; np.asarray(x, dtype=object) --------------------

@pytest.mark.parametrize("how", ["flags", "setflags"])
def test_snapshot_made_writable_said_so(how):
    def f(x):
        y = np.asarray(x)
        if how == "flags":
            y.flags.writeable = True
        else:
            y.setflags(write=True)
        y[0] = 5.0
        return (x * x).sum()
    with pytest.raises(TypeError) as info:
        dg.gradient(f, X0.copy())
    text = str(info.value)
    assert "writable" in text and "ufunc's .at" not in text
    assert "y = x.copy() in place of y = np.asarray(x)" in text


def test_asarray_object_dtype_is_a_copy():
    def f(x):
        y = np.asarray(x, dtype=object)
        y[0] = 7.0                    # a copy on floats: x keeps its value
        return (x * x).sum() + y[0] * y[1]
    x = X0.copy()
    value = f(x)
    assert value == 34.0 + 7.0 * -3.0
    g = dg.gradient(f, X0.copy())
    np.testing.assert_array_equal(g, 2 * X0 + np.array([0.0, 7.0, 0.0]))
