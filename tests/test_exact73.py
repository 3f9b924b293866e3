"""Stop 72's open exactness findings (exact73).

(1) attack72 F2, silent: ``np.add.at(np.asarray(d), i, c)`` of an array dual made
outside any helper (``dg.Dual(value, deriv)``) wrote only the snapshot (every ufunc's
``.at``): refused at the call now, the advised spellings give the float code's numbers.
(2) attack72 M4: a snapshot made writable and written is said so (not "a ufunc's .at");
``np.asarray(x, dtype=object)``, a copy in float code, is the user's own array.
(3) attack72 M3: ``np.put_along_axis(a, i, v, axis=None)`` on an array that is not
C-contiguous raises NumPy's own error.
(4) attack72 C2: arguments after a positional ``out=None`` are taken as NumPy takes them.
(5) attack72 M1: the out-by-position advice where ``out`` is not the last argument runs.
(6) diff72 F4: the several-parameter store advice in a module without ``np``.
(7) diff72 F5: the complex-dtype refusal names the helper; complex64's own advice.
(8) attack72 M2: ``np.multiply(1e300, d)`` in the ufunc's words.
Oracles: the float code's own numbers, analytic derivatives, central differences.
"""

import re
import threading
import warnings

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


# ---- (3) np.put_along_axis(axis=None) on an array that is not C-contiguous ---------

def _pal(z):
    a = (z[:6] * 1.0).reshape(3, 2).T          # a transposed view
    np.put_along_axis(a, np.array([0, 4]), z[6:8], None)
    return a.ravel()


def test_put_along_axis_none_not_contiguous_raises_as_numpy():
    x = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4, 1.1, -0.7])
    with pytest.raises(ValueError, match="read-only") as float_error:
        _pal(x)
    with pytest.raises(ValueError, match="read-only") as dual_error:
        dg.jacobian(_pal, x)
    assert str(dual_error.value) == str(float_error.value)


def test_put_along_axis_none_contiguous_still_stores():
    def f(z):
        a = (z[:6] * 1.0).reshape(2, 3)
        np.put_along_axis(a, np.array([0, 4]), z[6:8], None)
        return a.ravel()
    x = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4, 1.1, -0.7])
    J = dg.jacobian(f, x)
    expect = np.zeros((6, 8))
    for i, j in enumerate([6, 1, 2, 3, 7, 5]):
        expect[i, j] = 1.0
    np.testing.assert_array_equal(J, expect)
    pattern = dg.sparsity(f, x)
    np.testing.assert_array_equal(np.asarray(pattern.todense()) != 0, expect != 0)


def test_put_along_axis_none_not_contiguous_in_sparsity():
    x = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4, 1.1, -0.7])
    with pytest.raises(ValueError, match="read-only"):
        dg.sparsity(_pal, x)


# ---- (4) arguments after a positional out=None ------------------------------------

Z = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4])
COND = [True, False, True]
POSITIONAL_NONE = {
    "np.sum initial": (lambda z: np.sum(z.reshape(2, 3), 0, None, None, False, 5.0),
                       lambda z: np.sum(z.reshape(2, 3), axis=0, initial=5.0)),
    "np.sum keepdims": (lambda z: np.sum(z.reshape(2, 3), 1, None, None, True),
                        lambda z: np.sum(z.reshape(2, 3), axis=1, keepdims=True)),
    "np.max initial": (lambda z: np.max(z.reshape(2, 3), 1, None, False, 0.5),
                       lambda z: np.max(z.reshape(2, 3), axis=1, initial=0.5)),
    "np.min keepdims": (lambda z: np.min(z.reshape(2, 3), 0, None, True),
                        lambda z: np.min(z.reshape(2, 3), axis=0, keepdims=True)),
    "np.compress": (lambda z: np.compress(COND, z.reshape(2, 3), 1, None),
                    lambda z: np.compress(COND, z.reshape(2, 3), axis=1)),
    "z.compress": (lambda z: z.reshape(2, 3).compress(COND, 1, None),
                   lambda z: np.compress(COND, z.reshape(2, 3), axis=1)),
    "np.mean keepdims": (lambda z: np.mean(z.reshape(2, 3), 0, None, None, True),
                         lambda z: np.mean(z.reshape(2, 3), axis=0, keepdims=True)),
    "np.std ddof": (lambda z: np.std(z.reshape(2, 3), 0, None, None, 1),
                    lambda z: np.std(z.reshape(2, 3), axis=0, ddof=1)),
    "np.var ddof keepdims": (lambda z: np.var(z.reshape(2, 3), 1, None, None, 1, True),
                             lambda z: np.var(z.reshape(2, 3), axis=1, ddof=1,
                                              keepdims=True)),
    "np.prod initial": (lambda z: np.prod(z.reshape(2, 3), 0, None, None, False, 2.0),
                        lambda z: np.prod(z.reshape(2, 3), axis=0, initial=2.0)),
    "np.take mode": (lambda z: np.take(z, [0, 9, 2], None, None, "clip"),
                     lambda z: np.take(z, [0, 9, 2], mode="clip")),
    "z.take mode": (lambda z: z.take([0, 9, 2], None, None, "wrap"),
                    lambda z: np.take(z, [0, 9, 2], mode="wrap")),
    "z.sum initial": (lambda z: z.reshape(2, 3).sum(0, None, None, False, 5.0),
                      lambda z: np.sum(z.reshape(2, 3), axis=0, initial=5.0)),
    "z.max keepdims": (lambda z: z.reshape(2, 3).max(1, None, True),
                       lambda z: np.max(z.reshape(2, 3), axis=1, keepdims=True)),
}


def _central(f, x, h=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.ravel(f(x + e)) - np.ravel(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("case", POSITIONAL_NONE)
def test_arguments_after_positional_out_none(case):
    f, keyword = POSITIONAL_NONE[case]
    x = Z.copy()
    np.testing.assert_array_equal(f(x), keyword(x))          # the float code agrees
    J = dg.jacobian(f, x)
    np.testing.assert_array_equal(np.reshape(J, (-1, x.size)),
                                  np.reshape(dg.jacobian(keyword, x), (-1, x.size)))
    np.testing.assert_allclose(np.reshape(J, (-1, x.size)), _central(f, x), rtol=1e-7,
                               atol=1e-9)


def test_positional_out_none_in_sparsity():
    f = POSITIONAL_NONE["np.sum initial"][0]
    pattern = dg.sparsity(f, Z.copy())
    np.testing.assert_array_equal(np.asarray(pattern.todense()) != 0,
                                  np.abs(_central(f, Z.copy())) > 0)


# ---- (5) the out-by-position advice where out is not the last argument runs ----------

def _take(z):
    buf = np.zeros(3)
    np.take(z, [0, 2, 1], None, buf, "clip")
    return z[:3] * buf


def _std(z):
    buf = np.zeros(3)
    np.std(z.reshape(2, 3), 0, None, buf, 1)
    return z[:3] * buf


def _mean_method(z):
    buf = np.zeros(3)
    z.reshape(2, 3).mean(0, None, buf)
    return z[:3] * buf


@pytest.mark.parametrize("f", [_take, _std, _mean_method], ids=lambda f: f.__name__)
def test_out_advice_runs(f):
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, Z.copy())
    m = re.search(r"Fix: write (buf = .*?) \(the call without out=", str(info.value))
    assert m, str(info.value)
    advised = m.group(1)
    src = f"def g(z):\n    {advised}\n    return z[:3] * buf\n"
    space = {"np": np}
    exec(src, space)
    g = space["g"]
    x = Z.copy()
    np.testing.assert_array_equal(g(x), f(x))            # the float code's numbers
    np.testing.assert_allclose(dg.jacobian(g, x), _central(f, x), rtol=1e-7, atol=1e-9)


# ---- (6) the several-parameter advice in a module that imported bare names ---------

MODULE = """from numpy import zeros
def g(a, b):
    out = zeros(2)
    out[0] = a
    out[1] = b
    return out
def f(x):
    return (g(x[0], x[1]) ** 2).sum()
"""


def test_several_fix_names_what_the_module_has(tmp_path, monkeypatch):
    import importlib
    import sys
    path = tmp_path / "bare73.py"
    path.write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "bare73", raising=False)
    mod = importlib.import_module("bare73")
    monkeypatch.delitem(sys.modules, "bare73", raising=False)
    x = np.array([1.5, -2.0])
    with pytest.raises(TypeError) as info:
        dg.gradient(mod.f, x)
    text = str(info.value)
    m = re.search(r"build it from all of them: (out = .*?) in place of lines 3-5", text)
    assert m, text
    advised = m.group(1)
    assert "np." not in advised
    imports = re.search(r"add `(from numpy import [\w, ]+)` to its imports", text)
    assert imports, text
    lines = MODULE.splitlines()
    fixed = "\n".join([lines[0], imports.group(1), lines[1], "    " + advised, lines[5],
                       *lines[6:]]) + "\n"
    space = {}
    exec(compile(fixed, "bare73_fixed.py", "exec"), space)
    np.testing.assert_array_equal(space["f"](x), mod.f(x))
    np.testing.assert_array_equal(dg.gradient(space["f"], x), 2 * x)


# ---- (7) the complex-dtype refusal names the helper; complex64 ----------------------

def test_complex_cast_names_the_helper_and_complex64():
    x = np.array([0.3, 0.7])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda z: np.abs(np.sum(z, dtype=np.complex64)), x)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: np.sum")
    # (exact74: the dual's own complex64 cast is refused as float32's is, attack73 F3:
    # the advice is the complex128 cast, the plain result cast after)
    assert "z = x.astype(complex)" in text and "J.astype(np.complex64)" in text
    g = lambda z: np.abs(np.sum(z.astype(complex)))       # the advised spelling
    f = lambda z: np.abs(np.sum(z, dtype=np.complex64))
    assert np.complex64(g(x)) == f(x)
    np.testing.assert_array_equal(dg.jacobian(g, x), [1.0, 1.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda z: np.abs(np.sum(z, dtype=complex)), x)
    assert "z = x.astype(complex)" in str(info.value)


# ---- (8) np.multiply(1e300, d): the ufunc's words ------------------------------------

def _words(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


def test_multiply_number_left_in_the_ufuncs_words():
    d = dg.Dual(1e300, np.array([1.0]))
    assert _words(lambda: np.multiply(1e300, d)) == \
        _words(lambda: np.multiply(1e300, np.float64(1e300))) == \
        ["overflow encountered in multiply"]
    assert _words(lambda: np.multiply(d, 1e300)) == ["overflow encountered in multiply"]
    # the operators keep the scalar operator's words, as np.float64's
    assert _words(lambda: 1e300 * d) == _words(lambda: 1e300 * np.float64(1e300))
    assert _words(lambda: np.float64(1e300) * d) == \
        _words(lambda: np.float64(1e300) * np.float64(1e300))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError, match="in multiply"):
            np.multiply(1e300, d)
    r = np.multiply(2.0, dg.Dual(3.0, np.array([1.0])))
    assert r.value == 6.0 and r.partials[0] == 2.0
