"""The helpers' fixed cost on small problems (issue 13, stop 42): the paths changed.

* ``dg.grad(f)(x)`` / ``dg.value_and_grad(f)(x)`` of one small float64 array take
  ``dg.gradient``'s one pass (api/transforms.py), ``dg.jacobian`` / ``dg.jacfwd`` /
  ``dg.approx_fprime`` of 1-D ``x`` return its partials without the shape functions
  (api/helpers.py);
* a kept seed (api/helpers.py ``_one_pass``, dual/_array.py ``kept_seed``) hands its
  object array and its first element reads the identity's rows instead of
  ``partials.tolist()``: valid only while no write changed its partials;
* ``untouched`` (the refused-array guard's test) in C loops; ``d ** 2`` with an int.

Oracles: Rosenbrock's analytic gradient and Hessian (``scipy.optimize.rosen_der``,
``rosen_hess``: closed forms written out, no differencing), closed forms of small
functions, and central differences (``_oracles.central``).  Error and warning texts are
asserted as the general path wrote them before (compared on the stop's main).
"""

import math
import threading
import warnings

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

import dualgrad as dg
from dualgrad import dual
from dualgrad.dual import _scalar
from _oracles import central
from test_seed_elements import WRITES, A, B, C, E, X0

SIZES = [1, 2, 3, 10, 16, 17, 40]          # 17, 40: beyond the slot classes (not kept)


def _points(n):
    return np.linspace(-1.2, 1.3, n) if n > 1 else np.array([0.7])


def _rosen(x):
    return rosen(x) if len(x) > 1 else (1.0 - x[0]) ** 2      # (n = 1: a closed form too)


def _rosen_der(x):
    return rosen_der(x) if len(x) > 1 else np.array([-2.0 * (1.0 - x[0])])


HELPERS = {
    "gradient": lambda f, x: dg.gradient(f, x),
    "grad": lambda f, x: dg.grad(f)(x),
    "value_and_grad": lambda f, x: dg.value_and_grad(f)(x)[1],
    "jacobian": lambda f, x: dg.jacobian(f, x),
    "jacfwd": lambda f, x: dg.jacfwd(f)(x),
    "approx_fprime": lambda f, x: dg.approx_fprime(x, f),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("helper", list(HELPERS))
def test_rosenbrock_gradient_against_its_closed_form(helper, n):
    x = _points(n)
    got = HELPERS[helper](_rosen, x)
    assert type(got) is np.ndarray and got.shape == (n,) and got.dtype == np.float64
    np.testing.assert_allclose(got, _rosen_der(x), rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("n", [2, 3, 10])
def test_value_and_grad_gives_the_value_as_a_float(n):
    x = _points(n)
    value, g = dg.value_and_grad(rosen)(x)
    # (the object array's sum runs in order; NumPy's float sum pairwise: 1 ulp apart)
    assert type(value) is float and value == pytest.approx(rosen(x), rel=1e-15)
    np.testing.assert_allclose(g, rosen_der(x), rtol=1e-14)


@pytest.mark.parametrize("n", [2, 3, 10, 17])
def test_rosenbrock_hessian_against_its_closed_form(n):
    x = _points(n)
    np.testing.assert_allclose(dg.hessian(rosen, x), rosen_hess(x), rtol=1e-13, atol=1e-12)
    # nested helpers: the outer level's seed passes through the inner one pass
    np.testing.assert_allclose(dg.jacobian(lambda y: dg.gradient(rosen, y), x),
                               rosen_hess(x), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(dg.jacfwd(dg.grad(rosen))(x), rosen_hess(x),
                               rtol=1e-13, atol=1e-12)


def test_grad_of_a_later_argument_and_keywords():
    """argnums=1 and keyword arguments through the one pass: a * sum(v**3) * s."""
    x = np.array([0.5, -1.5, 2.0])
    g = dg.grad(lambda a, v, s=1.0: a * np.sum(v ** 3) * s, argnums=1)(2.0, x, s=0.5)
    np.testing.assert_allclose(g, 2.0 * 3 * x ** 2 * 0.5, rtol=1e-15)
    value, g = dg.value_and_grad(lambda v, c: c * v[0] * v[1])(x, 3.0)
    assert value == 3.0 * 0.5 * -1.5
    np.testing.assert_allclose(g, [3.0 * -1.5, 3.0 * 0.5, 0.0], rtol=1e-15)


def test_array_outputs_keep_their_shapes():
    """jacobian / approx_fprime of 1-D x: (m, n), a single output (1,) -> (n,) for
    approx_fprime as scipy's, and a 2-D output (m, k, n); closed forms."""
    x = np.array([0.5, -1.5, 2.0])
    r = lambda v: np.array([v[0] * v[1], np.sin(v[2])])
    want = [[x[1], x[0], 0.0], [0.0, 0.0, math.cos(x[2])]]
    for J in (dg.jacobian(r, x), dg.jacfwd(r)(x), dg.approx_fprime(x, r)):
        assert J.shape == (2, 3)
        np.testing.assert_allclose(J, want, rtol=1e-15)
    one = dg.approx_fprime(x, lambda v: np.array([v[0] * v[2]]))
    assert one.shape == (3,)
    np.testing.assert_allclose(one, [x[2], 0.0, x[0]], rtol=1e-15)
    assert dg.jacobian(lambda v: np.array([v[0] * v[2]]), x).shape == (1, 3)
    J3 = dg.jacobian(lambda v: np.outer(v, v), x)
    assert J3.shape == (3, 3, 3)
    np.testing.assert_allclose(J3, central(lambda v: np.outer(v, v), x), rtol=1e-8)


def test_a_constant_output_gives_zeros():
    x = np.array([0.5, -1.5])
    for helper in HELPERS.values():
        np.testing.assert_array_equal(helper(lambda v: 3.0, x), [0.0, 0.0])


def test_two_threads_at_once():
    """Two threads computing gradients at once (each its own tag, seed and kept rows)."""
    xs = [_points(10), _points(10) * 0.5 + 0.1, _points(3), _points(16)]
    errors = []
    start = threading.Barrier(2)

    def work(k):
        try:
            start.wait()
            for i in range(200):
                x = xs[(i + k) % len(xs)]
                g = dg.grad(rosen)(x) if i % 2 else dg.gradient(lambda v: rosen(
                    np.asarray(v)), x)
                np.testing.assert_allclose(g, rosen_der(x), rtol=1e-14, atol=1e-13)
        except BaseException as exc:     # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert not dual.ELEMENTS


# ---- the kept seed's identity rows ---------------------------------------------------

def test_the_object_array_of_a_kept_seed_has_the_identity_rows():
    seen = {}

    def f(v):
        a = np.asarray(v)
        seen["twins"] = _scalar.untouched(list(a))      # (before the reads below)
        seen["rows"] = [e._plist() for e in a]
        return np.sum(a * a)
    x = np.array([0.5, -1.5, 2.0, 4.0])
    np.testing.assert_allclose(dg.gradient(f, x), 2 * x, rtol=1e-15)
    assert seen["rows"] == np.eye(4).tolist() and seen["twins"]


@pytest.mark.parametrize("write", WRITES)
def test_a_write_before_np_asarray_gives_the_rows_written(write):
    """After each write path test_seed_elements knows, the seed's object array (and its
    elements read for the first time) carry the partials written, not the identity."""
    seen = {}

    def f(x):
        seen["rows"], seen["values"] = write(x)
        a = np.asarray(x)
        return np.array([a[0], a[1], a[2], x[0] * 1.0, x[1] * 1.0, x[2] * 1.0])

    J = dg.jacobian(f, X0)
    rows = np.array(seen["rows"], dtype=float)
    np.testing.assert_allclose(J[:3], rows, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(J[3:], rows, rtol=1e-15, atol=1e-15)


def test_a_first_read_after_an_in_place_scale():
    """x *= 3 before any read: x[j] and np.asarray(x) both carry 3 e_j (closed form of
    (3 x0) (3 x1) + x2: [9 x1, 9 x0, 1])."""
    def f(x):
        x *= 3.0
        a = np.asarray(x)
        return x[0] * a[1] + x[2] / 3.0
    np.testing.assert_allclose(dg.gradient(f, X0), [9 * B, 9 * A, 1.0], rtol=1e-15)
    np.testing.assert_allclose(dg.grad(f)(X0), [9 * B, 9 * A, 1.0], rtol=1e-15)


def test_untouched_stops_at_the_first_read_element():
    def f(v):
        a = np.asarray(v)
        items = list(a)
        assert _scalar.untouched(items) and _scalar.untouched([])
        items[2].value                        # noqa: B018 (a read)
        assert not _scalar.untouched(items)
        return v[0]
    dg.gradient(f, X0)


# ---- errors and guards unchanged ---------------------------------------------------------

FLOAT_TEXT = ("dualgrad: float(d) (also called by math.* and np.float64(d)) would drop the "
              "derivatives of a dual number; expected code that keeps values as duals.")


@pytest.mark.parametrize("helper", list(HELPERS))
def test_errors_name_the_helper_as_before(helper):
    who = {"value_and_grad": "value_and_grad", "grad": "grad"}.get(helper, helper)
    x = np.array([0.5, -1.5, 2.0])
    with pytest.raises(TypeError) as info:
        HELPERS[helper](lambda v: math.exp(v[0]), x)
    assert str(info.value).startswith(FLOAT_TEXT)

    def swallowed(v):
        try:
            return math.exp(v[0])
        except TypeError:
            return 1e10
    with pytest.raises(TypeError) as info:
        HELPERS[helper](swallowed, x)
    assert str(info.value).startswith(
        f"dualgrad.{who}: f returned a result without derivatives after an error dualgrad "
        "raised inside it was caught (by f or by a library f calls)")

    with pytest.raises(ZeroDivisionError) as info:
        HELPERS[helper](lambda v: 1 / 0, x)
    assert info.value.__notes__ == [
        "dualgrad: raised while evaluating f on input directions 0 to 2 (chunk 1 of 1)"]

    with pytest.raises(TypeError) as info:
        HELPERS[helper](lambda v: "a", x)
    assert str(info.value) == f"dualgrad.{who}: expected f to return numbers, got str of " \
        "dtype <U1."


@pytest.mark.parametrize("helper", ["gradient", "grad", "value_and_grad"])
def test_an_array_output_is_refused_by_the_gradients(helper):
    with pytest.raises(ValueError) as info:
        HELPERS[helper](lambda v: v * 2.0, np.array([0.5, -1.5]))
    assert str(info.value) == (f"dualgrad.{helper}: expected f to return a scalar, got an "
                               "output of shape (2,). Use dg.jacobian for array-valued f.")


@pytest.mark.parametrize("helper", list(HELPERS))
def test_a_refused_object_array_still_warns(helper):
    def f(v):
        try:
            raise TypeError(str(len(np.asarray(v))))     # a library refusing the array
        except TypeError:
            fallback = 1e3
        return np.sum(v ** 2) + fallback
    x = np.array([0.5, -1.5, 2.0])
    with pytest.warns(dg.CaughtErrorWarning, match="made a NumPy object array of a dual "
                      "array of 3 elements that nothing read"):
        g = HELPERS[helper](f, x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-15)


@pytest.mark.parametrize("helper", list(HELPERS))
def test_an_escaped_dual_raises(helper):
    leak = []
    HELPERS[helper](lambda v: leak.append(v) or np.sum(v), np.array([0.5, -1.5]))
    with pytest.raises(TypeError, match="^dualgrad: a dual number was used after the "
                       "dualgrad call that created it returned"):
        leak[-1] * 2.0
    assert not dual.ELEMENTS


def test_rosen_reads_every_element_so_nothing_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dg.gradient(rosen, _points(10))
        dg.grad(rosen)(_points(10))


# ---- d ** 2 ------------------------------------------------------------------------------

@pytest.mark.parametrize("b", [2, 2.0, np.float64(2.0), True, 3])
def test_power_of_a_scalar_dual(b):
    """d ** b against the closed form b x**(b-1), for an int, float, NumPy float and bool
    exponent; d ** 2 to the bit (its partial 2x times the seed's 1.0, -0.0 at -0.0), and
    past overflow (1e200 ** 2: NumPy's power, its warning, the finite derivative)."""
    for x0 in (0.7, -1.3, 0.0, -0.0, 1e200):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # 1e200 ** 2: inf
            g = dg.gradient(lambda v: v[0] ** b, np.array([x0, 1.5]))
            g1 = dg.gradient(lambda v: v[1] ** b, np.array([x0, 1.5]))
        e = float(b)
        with np.errstate(all="ignore"):
            want0 = e * np.float64(x0) ** (e - 1.0) if e != 1.0 else 1.0
        np.testing.assert_allclose(g, [want0, 0.0], rtol=1e-15)
        np.testing.assert_allclose(g1, [0.0, e * 1.5 ** (e - 1.0)], rtol=1e-15)
        if e == 2.0:
            assert np.float64(g[0]).tobytes() == np.float64(2.0 * x0).tobytes()


def test_an_inner_helper_closing_over_an_outer_dual():
    """The inner one pass's value carries the outer level (f linear in x there): the
    outer Jacobian of y0 * sum(x**2) + y1's inner gradient is [2x, 0] (closed form), of its
    value [sum(x**2), 1], of y0 * x**2's inner Jacobian diag(2x) in y0 (signed zeros as
    main gave them)."""
    xs, ys = np.array([0.5, 2.0, -1.0]), np.array([1.5, -0.5])
    inner = lambda y: lambda x: y[0] * np.sum(x ** 2) + y[1]      # noqa: E731
    want = [[1.0, 0.0], [4.0, 0.0], [-2.0, -0.0]]
    for J in (dg.jacobian(lambda y: dg.grad(inner(y))(xs), ys),
              dg.jacobian(lambda y: dg.value_and_grad(inner(y))(xs)[1], ys),
              dg.jacobian(lambda y: dg.gradient(inner(y), xs), ys),
              dg.jacobian(lambda y: dg.approx_fprime(xs, inner(y)), ys)):
        np.testing.assert_array_equal(J, want)
        assert np.signbit(J[2, 1])
    np.testing.assert_array_equal(
        dg.jacobian(lambda y: dg.value_and_grad(inner(y))(xs)[0], ys), [5.25, 1.0])
    J3 = dg.jacobian(lambda y: dg.jacobian(lambda x: y[0] * x ** 2, xs), ys)
    np.testing.assert_array_equal(J3[:, :, 0], np.diag(2 * xs))
    np.testing.assert_array_equal(J3[:, :, 1], np.zeros((3, 3)))


@pytest.mark.parametrize("sparsity", [None, "auto"])
def test_the_hessian_of_a_vector_f_names_jacfwd_of_jacfwd(sparsity):
    """user45: iLQR's f_xx is the Hessian of each output of a vector f; the refusal
    named dg.jacobian only.  The spelling it names gives each output's Hessian
    (closed form for f = (x0^2 x1, sin x1))."""
    def f(x):
        return np.stack([x[0] ** 2 * x[1], np.sin(x[1])])
    with pytest.raises(ValueError, match=r"dg\.jacfwd\(dg\.jacfwd\(f\)\)\(x\)"):
        dg.hessian(f, np.array([0.5, 0.3]), sparsity=sparsity)
    H = dg.jacfwd(dg.jacfwd(f))(np.array([0.5, 0.3]))
    np.testing.assert_allclose(H[0], [[0.6, 1.0], [1.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(H[1], [[0.0, 0.0], [0.0, -np.sin(0.3)]], rtol=1e-15)
