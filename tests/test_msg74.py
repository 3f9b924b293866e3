"""attack73 / diff73's message findings: refusals and advice that run (msg74).

(1) attack73 C1: ``dualgrad.scipy.optimize.newton`` with a complex ``x0`` (SciPy takes it)
gives the complex root's derivatives (it raised dualgrad.jvp's "expected real x ... pass
holomorphic=True"); a bracketing finder of a complex f raises TypeError naming the
finder (a SystemError from a dual's operator before), whose advised newton runs.
(2) attack73 M4: brentq on a triple root is refused without NumPy's RuntimeWarning.
(3) attack73 M1: the jitted-library advice covers a chain of jitted calls, and runs.
(4) attack73 M2 / diff73 F7: the math and buffer advice in the names f's module has
(bare ``from numpy import`` names with the imports it lacks, an alias, none).
(5) diff73 F8: ``out=np.empty(2)`` by position: the advice is Python and runs.
(6) attack73 M3 / diff73 F6: the ``.at`` refusal outside a helper names the function or
"this code", not f; its ``x[i] = np.multiply(x[i], c)`` fix runs.
(7) exact72's Left: ``np.eye(3, like=x)`` / ``np.arange`` / ``np.array`` with like= a dual
array: a refusal naming like= whose spellings (drop like=; np.zeros(shape, like=x) plus
the plain array) run.
Oracles: analytic derivatives, central differences, the float code's own numbers.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.scipy import optimize as dopt


# --- (1) newton from a complex x0 ------------------------------------------------------

def test_newton_complex_x0_real_parameter():
    # s**2 + p = 0 from 1j: s = 1j sqrt(p), ds/dp = -1 / (2 s) = 0.25j at p = 4
    d = dg.derivative(lambda p: dopt.newton(lambda s: s ** 2 + p, 1.0j), 4.0)
    assert d == pytest.approx(0.25j, rel=1e-12)


def test_newton_complex_x0_value_is_scipys():
    import scipy.optimize as so
    root = dopt.newton(lambda s: s ** 2 + 4.0, 1.0j)
    assert root == so.newton(lambda s: s ** 2 + 4.0, 1.0j)


def test_newton_complex_x0_holomorphic_parameter():
    p0 = -4.0 + 0.1j
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s ** 2 - p, 1.0 + 1.0j), p0,
                    holomorphic=True)
    assert complex(d) == pytest.approx(1 / (2 * np.sqrt(p0)), rel=1e-12)


def test_newton_complex_x0_second_derivative():
    # s = 1j sqrt(p): d2s/dp2 = -1j / (4 p**1.5) = -1j / 32 at p = 4
    d2 = dg.derivative(lambda q: dg.derivative(
        lambda p: dopt.newton(lambda s: s ** 2 + p, 1.0j), q), 4.0)
    assert complex(d2) == pytest.approx(-1j / 32, rel=1e-10)


def test_newton_complex_x0_array_form():
    p0 = np.array([4.0, 9.0])
    J = dg.jacobian(lambda p: dopt.newton(lambda s: s ** 2 + p, np.array([1j, 1j])), p0)
    np.testing.assert_allclose(J, np.diag(-1 / (2j * np.sqrt(p0))), rtol=1e-12, atol=1e-15)


def test_newton_complex_x0_against_central_differences():
    # the real and imaginary parts of the root of s**3 - p s - 2 from 1 + 1j
    def root(p):
        return dopt.newton(lambda s: s ** 3 - p * s - 2.0, 1.0 + 1.0j)
    p0, h = 0.7, 1e-5
    d = complex(dg.derivative(root, p0))
    cd = (-root(p0 + 2 * h) + 8 * root(p0 + h) - 8 * root(p0 - h) + root(p0 - 2 * h)) / (12 * h)
    assert abs(d - cd) < 1e-9 * abs(cd)


def test_newton_complex_x0_not_holomorphic_names_newton():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda p: dopt.newton(lambda s: s + 0.1 * np.conj(s) + p, 1j), 4.0)
    text = str(info.value)
    assert text.startswith("dualgrad.scipy.optimize.newton: x0 is complex")
    assert "not holomorphic in s" in text and "Fix:" in text


@pytest.mark.parametrize("name", ["brentq", "brenth", "ridder", "bisect"])
def test_bracketed_complex_f_is_a_type_error_naming_the_finder(name):
    finder = getattr(dopt, name)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda p: finder(lambda s: s - p, -5.0, 5.0), 0.7 + 0.3j,
                    holomorphic=True)
    assert type(info.value) is not SystemError
    text = str(info.value)
    assert text.startswith(f"dualgrad.scipy.optimize.{name}: f returned a complex value")
    assert "newton with a complex x0" in text


@pytest.mark.parametrize("name", ["brentq", "brenth", "ridder", "bisect", "toms748"])
def test_bracketed_complex_f_with_the_parameter_by_args_is_refused_alike(name):
    """A real parameter passed by args= reaches f stripped, so f's complex value is a
    plain number: brentq raised SystemError, the others SciPy's words alone (attack74
    C1)."""
    finder = getattr(dopt, name)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda p: finder(lambda s, q: s * s + q + 0j, -1.0, 1.0, args=(p,)),
                      0.5)
    assert type(info.value) is not SystemError
    text = str(info.value)
    assert text.startswith(f"dualgrad.scipy.optimize.{name}: f returned a complex value")
    assert "newton with a complex x0" in text


def test_bracketed_complex_f_advice_runs():
    # the advice: newton(f, 1j) for the complex root s = p, ds/dp = 1
    p0 = 0.7 + 0.3j
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s - p, 1j), p0, holomorphic=True)
    assert complex(d) == pytest.approx(1.0, rel=1e-12)
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s * s - p, 1.0 + 1j), p0,
                    holomorphic=True)
    assert complex(d) == pytest.approx(1 / (2 * np.sqrt(p0)), rel=1e-12)


def test_bracketed_plain_complex_f_keeps_scipys_error():
    import scipy.optimize as so
    with pytest.raises(TypeError) as ours:
        dopt.brentq(lambda s: s - (0.7 + 0.3j), -5.0, 5.0)
    with pytest.raises(TypeError) as theirs:
        so.brentq(lambda s: s - (0.7 + 0.3j), -5.0, 5.0)
    assert str(ours.value) == str(theirs.value)


# --- (2) a multiple root: refused without NumPy's warning ---------------------------------

@pytest.mark.parametrize("name", ["brentq", "bisect", "ridder"])
def test_triple_root_refused_without_runtime_warning(name):
    finder = getattr(dopt, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="not a simple root"):
            dg.derivative(lambda p: finder(lambda s: (s - p) ** 3, -1.0, 2.0), 0.5)


def test_triple_root_newton_array_refused_without_runtime_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="not a simple root"):
            dg.jacobian(lambda p: dopt.newton(lambda s: (s - p) ** 3, np.array([0.5, 0.5]),
                                              tol=1e-300, maxiter=400, disp=False),
                        np.array([0.5, 0.5]))


# --- (3) a jitted library's chain: the advice runs down to its last jitted call -------------

_CHAIN = '''
import numpy as np
from numba import njit


@njit
def inner(v):
    return np.sqrt(v @ v)


@njit
def norm(v):
    return inner(v) * 1.0


@njit
def accel(r, mu=2.0):
    return -mu * r / norm(r) ** 3


@njit
def deep(r):
    return r * accel(r)
'''


@pytest.mark.parametrize("name, call, grad", [
    ("accel", lambda f, r: f(r, 3.0),
     lambda r: -3.0 * (np.eye(3) / np.linalg.norm(r) ** 3
                       - 3 * np.outer(r, r) / np.linalg.norm(r) ** 5)),
    ("deep", lambda f, r: f(r), None),
])
def test_jitted_chain_advice_runs(tmp_path, name, call, grad):
    import re
    import types
    pytest.importorskip("numba")
    from _probes import module_from_source
    m = module_from_source(tmp_path, f"chain74_{name}", _CHAIN)
    r0 = np.array([1.0, 2.0, 2.5])
    fn = getattr(m, name)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda r: call(fn, r), r0)
    text = str(info.value)
    found = re.search(rf"with import types and (g = dict\({name}\.py_func\.__globals__\)) "
                      r"make (g\.update\(\{.*?\}\)) and " rf"({name}_py = types\.FunctionType\("
                      rf".*?__defaults__\)), and call {name}_py\(\.\.\.\) for {name}\(\.\.\.\)",
                      text)
    assert found is not None, text
    space = {"types": types, name: fn}
    for statement in found.groups():
        exec(statement, space)                                   # noqa: S102
    copy = space[f"{name}_py"]
    J = dg.jacobian(lambda r: call(copy, r), r0)
    if grad is None:                                   # deep(r) = r * accel(r, 2.0)
        n = np.linalg.norm(r0)
        a = -2.0 * r0 / n ** 3
        da = -2.0 * (np.eye(3) / n ** 3 - 3 * np.outer(r0, r0) / n ** 5)
        want = np.diag(a) + r0[:, None] * da
    else:
        want = grad(r0)
    np.testing.assert_allclose(J, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(call(copy, r0), call(fn, r0), rtol=1e-15)


# --- (4) advice in the names f's module has ----------------------------------------------

_NONP = '''
import math
from numpy import zeros_like


def f(x):
    out = zeros_like(x)
    for i in range(len(x)):
        out[i] = math.sqrt(x[i]) * math.exp(x[i])
    return out
'''

_XP = '''
import math
import numpy as xp


def f(x):
    out = xp.zeros_like(x)
    for i in range(len(x)):
        out[i] = math.sqrt(x[i])
    return out
'''

_NONE = '''
import math


def f(x):
    return math.sqrt(x[0]) * x[1]
'''

_BARE = '''
from numpy import zeros


def h(x):
    out = zeros(2)
    out[0] = x[0] * 2
    out[1] = x[1] * x[0]
    return out
'''


def _fix_of(call):
    with pytest.raises(TypeError) as info:
        call()
    text = str(info.value)
    return text, text[text.index("Fix:"):]


def test_math_advice_in_a_module_of_bare_numpy_names_runs(tmp_path):
    import re
    from _probes import module_from_source
    m = module_from_source(tmp_path, "nonp74", _NONP)
    x0 = np.array([1.0, 2.0])
    text, fix = _fix_of(lambda: dg.jacobian(m.f, x0))
    assert "np." not in fix, fix
    assert "write sqrt for math.sqrt, exp for math.exp" in fix
    assert "zeros_like(x)" in fix
    imported = re.search(r"add `(from numpy import [\w, ]+)` to its imports", fix)
    assert imported is not None, fix
    assert set(imported.group(1)[len("from numpy import "):].split(", ")) == {"sqrt", "exp",
                                                                           "sin"}
    fixed = _NONP.replace("math.sqrt", "sqrt").replace("math.exp", "exp") + \
        "\n" + imported.group(1) + "\n"
    m2 = module_from_source(tmp_path, "nonp74_fixed", fixed)
    J = dg.jacobian(m2.f, x0)
    want = np.exp(x0) * (np.sqrt(x0) + 0.5 / np.sqrt(x0))
    np.testing.assert_allclose(J, np.diag(want), rtol=1e-14)


def test_math_advice_under_an_alias_names_the_alias(tmp_path):
    from _probes import module_from_source
    m = module_from_source(tmp_path, "xp74", _XP)
    text, fix = _fix_of(lambda: dg.jacobian(m.f, np.array([1.0, 2.0])))
    assert "np." not in fix.replace("xp.", ""), fix
    assert "xp.sin instead of math.sin" in fix and "xp.zeros_like(x)" in fix
    m2 = module_from_source(tmp_path, "xp74_fixed", _XP.replace("math.sqrt", "xp.sqrt"))
    x0 = np.array([1.0, 2.0])
    np.testing.assert_allclose(dg.jacobian(m2.f, x0), np.diag(0.5 / np.sqrt(x0)), rtol=1e-15)


def test_math_advice_in_a_module_without_numpy_asks_for_the_import(tmp_path):
    from _probes import module_from_source
    m = module_from_source(tmp_path, "none74", _NONE)
    text, fix = _fix_of(lambda: dg.gradient(m.f, np.array([4.0, 3.0])))
    assert "import numpy as np" in fix
    fixed = "import numpy as np\n" + _NONE.replace("math.sqrt", "np.sqrt")
    m2 = module_from_source(tmp_path, "none74_fixed", fixed)
    np.testing.assert_allclose(dg.gradient(m2.f, np.array([4.0, 3.0])), [0.75, 2.0],
                               rtol=1e-15)


def test_buffer_advice_in_a_module_of_bare_numpy_names_runs(tmp_path):
    import re
    from _probes import module_from_source
    m = module_from_source(tmp_path, "bare74", _BARE)
    x0 = np.array([0.3, 2.0])
    text, fix = _fix_of(lambda: dg.jacobian(m.h, x0))
    assert "np.zeros_like" not in fix, fix
    made = re.search(r"make it (out = zeros_like\(x, shape=2\)) .*?add `(from numpy import "
                     r"zeros_like)` to its imports", fix)
    assert made is not None, fix
    fixed = made.group(2) + "\n" + _BARE.replace("out = zeros(2)", made.group(1))
    m2 = module_from_source(tmp_path, "bare74_fixed", fixed)
    np.testing.assert_allclose(dg.jacobian(m2.h, x0), [[2.0, 0.0], [2.0, 0.3]], rtol=1e-15)


# --- (5) out= a new array made in the call: advice that is Python and runs ----------------

_TAKE_I = np.array([0, 5, 1])


def _take_out(z):
    i = _TAKE_I
    return np.take(z, i, None, np.empty(3), 'clip')


def _mean_out(z):
    return np.mean(z.reshape(2, 2), 0, None, np.empty(2))


@pytest.mark.parametrize("f, x0, want", [
    (_take_out, np.array([1.0, 2.0, 3.0]), np.eye(3)[[0, 2, 1]]),
    (_mean_out, np.array([1.0, 2.0, 3.0, 4.0]), np.array([[0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5]])),
])
def test_out_as_a_new_array_advice_runs(f, x0, want):
    import ast
    import re
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, x0)
    text = str(info.value)
    assert "np.empty(3) = " not in text and "np.empty(2) = " not in text, text
    found = re.search(r"drop out= and use the call's value, (.*?) \(the call without out=",
                      text)
    assert found is not None, text
    spelled = found.group(1)
    ast.parse(spelled)                                  # Python
    code = compile(spelled, "<advice>", "eval")
    J = dg.jacobian(lambda z: eval(code, {"np": np, "z": z, "i": _TAKE_I}), x0)  # noqa: S307
    np.testing.assert_array_equal(J, want)
    np.testing.assert_array_equal(eval(code, {"np": np, "z": x0, "i": _TAKE_I}), f(x0))  # noqa


# --- (6) the .at refusal outside a helper: words that fit, a fix that runs ----------------

def _at_dual():
    return dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))


def _writes_by_multiply_at(d):
    y = np.asarray(d)
    np.multiply.at(y, [0, 2], 3.0)
    return y


@pytest.mark.parametrize("ufunc, c, call", [
    ("multiply", 3.0, lambda y: np.multiply.at(y, [0, 2], 3.0)),
    ("maximum", 2.5, lambda y: np.maximum.at(y, [0, 2], 2.5)),
    ("minimum", 2.5, lambda y: np.minimum.at(y, [0, 2], 2.5)),
    ("power", 2.0, lambda y: np.power.at(y, [0, 2], 2.0)),
])
def test_at_refusal_outside_a_helper_names_no_f_and_its_fix_runs(ufunc, c, call):
    import re
    d = _at_dual()
    y = np.asarray(d)
    with pytest.raises(TypeError) as info:
        call(y)
    text = str(info.value)
    del y, info                             # (its traceback's frames hold y too)
    assert " f " not in text and "f is writing" not in text, text
    assert text.startswith("dualgrad: this code is writing into"), text
    assert re.search(rf"(\w+)\[i\] = np\.{ufunc}\(\1\[i\], c\)", text) is not None, text
    # the advice, for i = [0, 2] (no repeats): d[i] = np.<ufunc>(d[i], c)
    i = np.array([0, 2])
    d[i] = getattr(np, ufunc)(d[i], c)
    v = np.array([1.0, 2.0, 3.0])

    def float_code(v):
        w = v.copy()
        call(w)
        return w
    np.testing.assert_array_equal(d.value, float_code(v))
    h = 1e-6                        # central differences of the float code, d/dv_k
    cd = np.stack([(float_code(v + h * e) - float_code(v - h * e)) / (2 * h)
                   for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(np.asarray(d.partials), cd, rtol=1e-9, atol=1e-12)


def test_at_refusal_in_a_function_names_that_function():
    with pytest.raises(TypeError) as info:
        _writes_by_multiply_at(_at_dual())
    text = str(info.value)
    assert text.startswith("dualgrad: _writes_by_multiply_at is writing into y"), text
    assert " f " not in text, text


def test_at_refusal_inside_a_helper_still_says_f():
    def f(x):
        y = np.asarray(x)
        np.multiply.at(y, [0], 3.0)
        return x
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, np.array([1.0, 2.0]))
    assert "f wrote into y" in str(info.value) or "f is writing" in str(info.value)


# --- (7) like= on a function that makes no dual buffer: advice that runs ------------------

@pytest.mark.parametrize("refused, advised, want", [
    (lambda x: np.eye(3, like=x) @ x, lambda x: np.eye(3) @ x, lambda x: np.eye(3)),
    (lambda x: np.arange(3.0, like=x) * x, lambda x: np.arange(3.0) * x,
     lambda x: np.diag([0.0, 1.0, 2.0])),
    (lambda x: np.array([1.0, 2.0, 3.0], like=x) * x, lambda x: np.array([1.0, 2.0, 3.0]) * x,
     lambda x: np.diag([1.0, 2.0, 3.0])),
])
def test_like_on_a_function_without_a_dual_buffer_advice_runs(refused, advised, want):
    x0 = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(refused, x0)
    text = str(info.value)
    assert "(..., like=x) with a dual array x" in text and "Fix: drop like=" in text, text
    assert text.startswith("dualgrad.jacobian: np."), text     # the helper (attack74 M5)
    np.testing.assert_array_equal(dg.jacobian(advised, x0), want(x0))


def test_like_eye_buffer_advice_runs():
    def refused(x):
        A = np.eye(3, like=x)
        A[0, 1] = x[0] * x[1]
        return A @ x
    x0 = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(refused, x0)
    assert "np.zeros((3, 3), like=x) + np.eye(3) for np.eye(3, like=x)" in str(info.value)

    def advised(x):
        A = np.zeros((3, 3), like=x) + np.eye(3)
        A[0, 1] = x[0] * x[1]
        return A @ x
    # f = x + e0 * x0 x1 x1: d f0 = [1 + x1^2, 1 + 2 x0 x1, 0]
    want = np.eye(3)
    want[0] += [x0[1] ** 2, 2 * x0[0] * x0[1], 0.0]
    np.testing.assert_array_equal(dg.jacobian(advised, x0), want)
