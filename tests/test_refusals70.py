"""Stop 70's refusals and reports (refusals70): every in-place / ``out=`` write into the
array ``np.asarray`` handed out for a dual array gets dualgrad's advice (attack69 M2),
and NumPy's functions that write into an object array of scalar duals reach it; the
reports of number powers in NumPy's words (the float 2.0, scalar duals, a Hessian's
inner level); dg.quad's removable 0 / 0 near its limit; the several-argument store
advice through a local."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from _probes import module_from_source

X0 = np.array([1.3, -0.7, 2.1])
E = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 4.0]])


def _complex_step(f, x):
    """The Jacobian of the float function ``f`` at ``x`` by the complex step (exact to
    rounding for the products and sums below): the oracle."""
    h = 1e-30
    return np.array([np.imag(f(x + 1j * h * e)) / h for e in np.eye(len(x))]).T


# ---- attack69 M2: writes into np.asarray's snapshot of a dual array ---------------------
# each spelling writes into y (the snapshot); the advised fix replaces y = np.asarray(x)
# by y = x.copy().  The functions live in this file: the refusal reads their source.

def _store(y, x):
    y[0] = x[1] * x[2]


def _iadd(y, x):
    y += x * x


def _add_out(y, x):
    np.add(y, x * x, out=y)


def _imul_slice(y, x):
    y[1:] *= x[:2]


def _multiply_positional_out(y, x):
    np.multiply(y, x, y)


def _copyto(y, x):
    np.copyto(y, 2 * x * x)


def _fill(y, x):
    y.fill(0)


def _add_at(y, x):
    np.add.at(y, [0, 0], x[1] * x[0])


def _matmul_out(y, x):
    np.matmul(E, x * x, out=y)


def _view_iadd(y, x):
    z = y[1:]
    z += x[1:]


def _put(y, x):
    np.put(y, [2], x[0] * x[1])


def _putmask(y, x):
    np.putmask(y, np.array([True, False, True]), x * 3.0)


WRITES = {"y[0] = ...": _store, "y += ...": _iadd, "np.add(y, ..., out=y)": _add_out,
          "y[1:] *= ...": _imul_slice, "np.multiply(y, x, y)": _multiply_positional_out,
          "np.copyto(y, ...)": _copyto, "y.fill(0)": _fill, "np.add.at(y, ...)": _add_at,
          "np.matmul(..., out=y)": _matmul_out, "z = y[1:]; z += ...": _view_iadd,
          "np.put(y, ...)": _put, "np.putmask(y, ...)": _putmask}

HELPERS = {"jacobian": lambda f: dg.jacobian(lambda x: np.sum(f(x) * x), X0),
           "gradient": lambda f: dg.gradient(lambda x: np.sum(f(x) * x), X0),
           "hessian": lambda f: dg.hessian(lambda x: np.sum(f(x) * x), X0),
           "jvp": lambda f: dg.jvp(f, X0, np.ones(3))}


@pytest.mark.parametrize("helper", list(HELPERS))
@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_into_an_asarray_snapshot_gets_dualgrads_advice(name, helper):
    # y += x, out=y, np.add.at(y, ...) kept NumPy's bare "assignment destination is
    # read-only" (raised in dualgrad's out= store or NumPy's wrapper, not in f); np.copyto
    # / np.put / np.putmask wrote into a lifted copy and were lost, silently
    write = WRITES[name]

    def f(x):
        y = np.asarray(x)
        write(y, x)
        return x * 1.0

    with pytest.raises(dg.DualTypeError) as info:
        HELPERS[helper](f)
    message = str(info.value)
    written = "z" if name.startswith("z =") else "y"
    assert f"f wrote into {written} (at line " in message
    assert "test_refusals70.py" in message
    assert "an array that np.asarray returned for the dual array x" in message
    assert "expected writes into a dual array" in message
    assert "Fix: make y a dual array, y = x.copy() in place of y = np.asarray(x)" in message
    if written == "z":
        assert "z (at line" in message and ", a view of y," in message


@pytest.mark.parametrize("name", list(WRITES))
def test_the_advised_copy_gives_the_complex_step_jacobian(name):
    write = WRITES[name]

    def f(x):
        y = x.copy()
        write(y, x)
        return y * x

    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, _complex_step(f, X0), rtol=1e-12, atol=1e-15)


def _marked_read_only(x):
    y = np.asarray(x)
    b = np.broadcast_to(np.zeros(3), (2, 3))
    b += 1.0
    return x * y[0]


def _own_read_only(x):
    y = np.asarray(x)
    k = np.zeros(3)
    k.setflags(write=False)
    k[0] = 1.0
    return x * y[0]


@pytest.mark.parametrize("f", [_marked_read_only, _own_read_only])
def test_another_read_only_array_beside_a_snapshot_keeps_numpys_words(f):
    # a snapshot alive in f does not make every read-only refusal its: a broadcast view
    # or an array the user marked read-only is NumPy's error as it stands (the snapshot
    # advice named y = x.copy(), which changes nothing there)
    with pytest.raises(ValueError, match="read-only") as info:
        dg.jacobian(f, X0)
    assert not isinstance(info.value, dg.DualTypeError)
    assert "np.asarray" not in str(info.value)


OBJECT_WRITES = {
    "np.copyto": (lambda A, x: np.copyto(A, 2 * x * x)),
    "np.copyto where": (lambda A, x: np.copyto(A, x * x, where=np.array([1, 0, 1], bool))),
    "np.put": (lambda A, x: np.put(A, [0, 2], x[:2] * x[2])),
    "np.place": (lambda A, x: np.place(A, np.array([True, False, True]), x[1:] ** 2)),
    "np.putmask": (lambda A, x: np.putmask(A, np.array([False, True, True]), x * 3.0)),
    "np.add.at": (lambda A, x: np.add.at(A, [0, 0, 1], x * x[2])),
    "np.subtract.at": (lambda A, x: np.subtract.at(A, [2], x[0:1] * x[1])),
}


@pytest.mark.parametrize("helper", ["jacobian", "hessian"])
@pytest.mark.parametrize("name", list(OBJECT_WRITES))
def test_numpys_writers_reach_an_object_array_of_scalar_duals(name, helper):
    # np.array(list(x)) is a writable object array of scalar duals; np.copyto(A, d)
    # lifted A to a new array dual, wrote there and lost it: sum(A)'s gradient read
    # [1, 1, 1] for [2x0*2, ...], silently
    write = OBJECT_WRITES[name]

    def f(x):
        A = np.array(list(x), dtype=object)
        write(A, x)
        return np.sum(A * x) if helper == "hessian" else A * x

    def plain(x):
        A = x.copy()
        write(A, x)
        return A * x

    if helper == "jacobian":
        np.testing.assert_allclose(dg.jacobian(f, X0), _complex_step(plain, X0),
                                   rtol=1e-12, atol=1e-15)
    else:
        H = dg.hessian(f, X0)
        h = 1e-30
        oracle = np.array([np.imag(_complex_gradient(plain, X0 + 1j * h * e)) / h
                           for e in np.eye(3)])
        np.testing.assert_allclose(H, oracle, rtol=1e-12, atol=1e-14)


def _complex_gradient(plain, x):
    """The gradient of sum(plain) at a complex point, by the analytic forward pass on
    complex numbers: central differences of a quadratic (exact to rounding) in the real
    directions at step 1, which a complex step then differentiates (the functions above
    are quadratic in x)."""
    g = np.empty(3, dtype=complex)
    for k in range(3):
        e = np.eye(3)[k]
        g[k] = (np.sum(plain(x + e)) - np.sum(plain(x - e))) / 2.0
    return g


# ---- number powers: the reports in NumPy's words for the same float code ---------------

def _texts(call):
    """The RuntimeWarnings' texts of ``call()`` (or its FloatingPointError's), a set."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except FloatingPointError as exc:
            return {"FloatingPointError: " + str(exc)}
    return {str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}


def _under(state, call):
    if state == "raise":
        with np.errstate(all="raise"):
            return call()
    return call()


def _ipow(k):
    def f(v):
        v = v * 1.0
        v **= k
        return v
    return f


HESSIAN_POWERS = {"u ** -1": (lambda v: v ** -1, lambda x: 2.0 / x ** 3),
                  "u **= -1": (_ipow(-1), lambda x: 2.0 / x ** 3),
                  "u ** 0.5": (lambda v: v ** 0.5, lambda x: -0.25 * x ** -1.5),
                  "u **= 0.5": (_ipow(0.5), lambda x: -0.25 * x ** -1.5)}


@pytest.mark.parametrize("state", ["default", "raise"])
@pytest.mark.parametrize("name", list(HESSIAN_POWERS))
def test_a_hessians_inner_level_reports_what_numpys_operator_does(name, state):
    # the outer level's value came from np.power of the inner array dual: "divide by
    # zero encountered in power" beside the rescaled rerun's "... in reciprocal"
    f, second = HESSIAN_POWERS[name]
    x = np.array([0.0, 1.5, 4.0]) if "-1" in name else np.array([-1.0, 1.5, 4.0])
    plain = _texts(lambda: _under(state, lambda: np.sum(f(x.copy()))))
    assert plain
    got = _texts(lambda: _under(state, lambda: dg.hessian(lambda v: np.sum(f(v)), x)))
    assert got == plain
    good = np.array([0.7, 1.5, 4.0])                    # the numbers, analytic
    np.testing.assert_allclose(dg.hessian(lambda v: np.sum(f(v)), good),
                               np.diag(second(good)), rtol=1e-13)


def test_a_hessian_with_an_entry_near_the_underflow_runs_under_errstate_raise():
    # dg.hessian's own test that its two orders agree (1e-9 max(|a|, |b|)) underflowed
    # at sqrt's -2.5e-301 and raised FloatingPointError where f reports nothing
    # (the zero's infinite slope sends the Hessian to the entry-by-entry choice)
    x = np.array([1e200, 0.0, 1.0])
    with np.errstate(all="raise"):
        np.sum(x ** 0.5)                                # (the premise: f is quiet)
        H = dg.hessian(lambda v: np.sum(v ** 0.5), x)
    with np.errstate(divide="ignore"):
        second = -0.25 * x ** -1.5                      # -inf at the zero
    np.testing.assert_allclose(np.diag(H), second, rtol=1e-13)
    np.testing.assert_array_equal(H[~np.eye(3, dtype=bool)], np.zeros(6))


# ---- refusals69's Left: a removable 0 / 0 whose cancellation hides its limit near it ----

def _one_minus_cos(t):
    return (1 - np.cos(t)) / t ** 2


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # (NumPy's 0 / 0 at t = 0)
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_a_cancelling_removable_quotient_at_a_moving_limit_is_told_a_finite_form(side):
    # (1 - cos t) / t**2 -> 1/2, but its values at 1e-3, 1e-5, 1e-7 (0.49999996,
    # 0.50000004, 0.49960) wander by cancellation: the three-value test called it
    # growing and the refusal told the Abel kernel's substitution, which keeps the 0 / 0
    def area(x, g=_one_minus_cos):
        return dg.quad(g, x, 1.0)[0] if side == "lower" else dg.quad(g, -1.0, x)[0]

    with pytest.raises(TypeError) as info:
        dg.derivative(area, 0.0)
    message = str(info.value)
    assert "got f = nan at the moving limit 0.0, where func's values just inside the " \
        "range tend to a finite number" in message
    assert "func is _one_minus_cos at line" in message
    assert "np.sinc(t / np.pi)" in message and "np.where(t * t < 1e-8" in message
    assert "b - u**2" not in message
    # the values it names are func's own, nearest first, near 1/2
    assert "f(0.001) = 0.4999999583" in message or "f(-0.001) = 0.4999999583" in message

    def series(t):                      # the advice for this quotient: its first terms
        return np.where(t * t < 1e-8, 0.5 - t * t / 24, (1 - np.cos(t)) / t ** 2)

    sign = -1.0 if side == "lower" else 1.0
    for x in (0.0, 0.3):
        d = dg.derivative(lambda v: area(v, series), x)
        f = 0.5 if x == 0 else (1 - np.cos(x)) / x ** 2
        assert d == pytest.approx(sign * f, rel=1e-13, abs=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("g", [lambda t: np.log(np.abs(t)) * t / t, lambda t: t / t ** 1.5,
                               lambda t: np.sin(1 / t) * t / t],
                         ids=["log(|t|) t / t", "t / t**1.5", "sin(1 / t) t / t"])
def test_a_quotient_without_a_limit_at_a_moving_limit_keeps_the_substitution(g):
    # (guards: a logarithm's growth and an oscillation are no removable 0 / 0)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda x: dg.quad(g, x, 1.0)[0], 0.0)
    message = str(info.value)
    assert "np.sinc" not in message


# ---- refusals69's Left: the several-argument store advice, a dual through a local -------

LOCAL_HELPER = '''import numpy as np


def make_2x2_array(a, b, c, d, dtype=float):
    my_array = np.empty((2, 2), dtype=dtype)
    phase = a * 1.0
    my_array[0, 0] = phase
    my_array[0, 1] = b
    my_array[1, 0] = c
    my_array[1, 1] = d
    return my_array
'''


def test_a_buffer_filled_through_a_local_names_the_parameter_behind_it(tmp_path):
    # the stores read phase, b, c, d: the advice named b, c and d and offered
    # np.zeros_like(b + c + d, ...), a plain buffer again where the dual is in a
    helper = module_from_source(tmp_path, "local_helper", LOCAL_HELPER)
    x = np.array([0.3, 0.2])

    def f(v):
        return helper.make_2x2_array(v[0], 2.0, 3.0, 4.0).ravel()

    with pytest.raises(TypeError) as info:
        dg.jacobian(f, x)
    message = str(info.value)
    assert "make_2x2_array fills my_array from a, b, c and d" in message
    tail = message[message.index(" or keep the stores"):]
    statement = tail[tail.index("my_array = "):tail.index(" at line 5")]
    assert statement == "my_array = np.zeros_like(a + b + c + d, shape=(2, 2), dtype=dtype)"
    lines = LOCAL_HELPER.splitlines()           # the advice, run: the analytic Jacobian
    fixed = module_from_source(tmp_path, "local_fixed",
                    "\n".join(lines[:4] + [f"    {statement}"] + lines[5:]) + "\n")
    for v in (x, np.array([-1.1, 2.5])):
        J = dg.jacobian(lambda u: fixed.make_2x2_array(u[0] * u[1], 2.0, u[1], 4.0).ravel(),
                        v)
        np.testing.assert_allclose(J, [[v[1], v[0]], [0, 0], [0, 1], [0, 0]], rtol=1e-15,
                                   atol=0)
    got, want = fixed.make_2x2_array(1, 2, 3, 4), helper.make_2x2_array(1, 2, 3, 4)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


# ---- refusals69's Left: a scalar dual's u ** k in NumPy's float64 scalar's words --------

SCALAR_POWERS = {"u ** k": lambda v, k: v ** k, "u **= k": None}


def _scalar_power(kind, k):
    if kind == "u ** k":
        return lambda v: v ** k

    def f(v):
        v = v * 1.0
        v **= k
        return v
    return f


@pytest.mark.parametrize("state", ["default", "raise"])
@pytest.mark.parametrize("kind", ["u ** k", "u **= k"])
@pytest.mark.parametrize("v, k", [(0.0, -1), (0.0, -1.0), (-1.0, 0.5), (-1.0, 2.5),
                                  (1e200, 2), (1e200, 2.0), (1e200, 3), (0.0, -2),
                                  (1e-200, -2), (1e-160, 2), (1e-200, 2.0)])
def test_a_scalar_duals_power_reports_what_numpys_float64_scalar_does(v, k, kind, state):
    # np.float64(0.0) ** -1 says "divide by zero encountered in scalar power"; the
    # scalar dual's said "... in power" (its value from np.power), and its square of
    # 1e-160 underflowed without the FloatingPointError NumPy's scalar raises
    f = _scalar_power(kind, k)
    plain = _texts(lambda: _under(state, lambda: f(np.float64(v))))
    if state == "raise" or v != 1e-160 and v != 1e-200 or k == -2:
        assert plain                                    # (the premise: NumPy reports)
    got = _texts(lambda: _under(state, lambda: dg.derivative(f, v)))
    assert got == plain


@pytest.mark.parametrize("v, k", [(0.0, -1), (1e200, 2), (1e200, 2.5), (-1.0, 0.5)])
def test_np_power_of_a_scalar_dual_keeps_the_ufuncs_words(v, k):
    # (a guard: np.power(u, k) is the ufunc, "... in power", as on a float64 scalar)
    plain = _texts(lambda: np.power(np.float64(v), k))
    assert plain and all(t.endswith(" in power") for t in plain)
    assert _texts(lambda: dg.derivative(lambda u: np.power(u, k), v)) == plain


@pytest.mark.parametrize("v, k", [(1.3, 2.5), (1e50, 2.5), (1e-50, -3), (3.0, 7), (2.0, 9.5),
                                  (1e-160, 2), (-2.0, 3.0), (1e300, 1.5)])
def test_a_scalar_duals_power_keeps_its_numbers(v, k):
    # the value is np.power's (its loop, as before: the C library's pow may differ in
    # the last place), the derivative k v**(k - 1) against mpmath
    import mpmath
    seen = {}

    def f(u):
        r = u ** k
        seen["value"] = r.value
        return r

    with np.errstate(all="ignore"):
        d = dg.derivative(f, v)
        assert seen["value"] == float(np.power(v, float(k)))
    with mpmath.workdps(40):
        want = float(mpmath.mpf(k) * mpmath.mpf(v) ** (mpmath.mpf(k) - 1))
    assert d == pytest.approx(want, rel=4e-16, abs=0)
