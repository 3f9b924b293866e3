"""attack44 06: real scalar duals turned complex inside NumPy's object loop.

``np.array([x[0], x[1]]) * (1 + 2j)`` is an object array of complex scalar duals,
whose ``.real`` NumPy returns as the array itself: dualgrad gave a complex gradient
(``[-16.17-2.94j, -5.28-0.96j]`` for ``x0^3 + x1^3``).  A real scalar dual turning
complex after an object array of the call's scalar duals was made now raises a
TypeError naming the line and the fix; the fixes are held to closed forms, and
complex intermediates with no such array (scalar code, dual arrays) stay exact.
Oracles: closed forms, complex-step and 8th-order central differences.
"""

import threading

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.7, -0.4])
TRUTH_G = 3 * X ** 2                       # d/dx (x0^3 + x1^3)
TRUTH_H = np.diag(6 * X)


def _cd8(f, x, h=1e-3):
    """8th-order central differences of a real f."""
    c = [4 / 5, -1 / 5, 4 / 105, -1 / 280]
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = sum(ck * (f(x + (k + 1) * e) - f(x - (k + 1) * e)) for k, ck in enumerate(c)) / h
    return g


REFUSED = {
    "np.array .real": lambda x: np.sum((np.array([x[0], x[1]]) * (1 + 2j)).real ** 3),
    "reflected": lambda x: np.sum(((1 + 2j) * np.array([x[0], x[1]])).real ** 3),
    "dtype=object": lambda x: np.sum((np.array([x[0], x[1]], dtype=object) * (1 + 2j))
                                     .real ** 3),
    "np.asarray of a dual array": lambda x: np.sum((np.asarray(x) * (1 + 2j)).real ** 3),
    "after a real op": lambda x: np.sum((np.array([x[0], x[1]]) * 2.0 * (0.5 + 1j))
                                        .real ** 3),
    "np.imag": lambda x: np.sum(np.imag(np.array([x[0], x[1]]) * (1 + 2j))),
    "np.real": lambda x: np.sum(np.real(np.array([x[0], x[1]]) * (1 + 2j)) ** 3),
    "complex128 operand": lambda x: np.sum((np.array([x[0], x[1]]) * np.complex128(1 + 2j))
                                           .real ** 3),
    "complex array operand": lambda x: np.sum((np.array([x[0], x[1]]) *
                                               np.array([1 + 2j, 1 + 2j])).real ** 3),
    "complex dual operand": lambda x: np.sum((np.array([x[0], x[1]]) *
                                              np.exp(1j * x[0] * 0.0) * (1 + 2j)).real ** 3),
    "np.exp(1j * a)": lambda x: np.sum(np.exp(1j * np.array([x[0], x[1]])).real),
}


def _slice_stored(x):
    a = np.empty(2, dtype=object)
    a[:] = [x[0], x[1]]
    return np.sum((a * (1 + 2j)).real ** 3)


REFUSED["list stored into an object array"] = _slice_stored


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("helper", ["gradient", "hessian"])
def test_complex_in_an_object_loop_raises(name, helper):
    f = REFUSED[name]
    with pytest.raises(TypeError, match=r"a real scalar dual became complex .*object array "
                       r"of scalar duals.*\.real NumPy returns as the array itself.*Fix: "
                       r"build the array as a dual array: np\.stack\(\[x\[0\], x\[1\]\]\)"):
        getattr(dg, helper)(f, X)


def test_message_names_the_line_and_the_helper():
    f = REFUSED["np.array .real"]
    with pytest.raises(TypeError) as info:
        dg.gradient(f, X)
    msg = str(info.value)
    assert msg.startswith("dualgrad.gradient: a real scalar dual became complex "
                          "(np.multiply with a complex number) at <lambda>, line ")
    assert "np.array([x[0], x[1]]) * (1 + 2j) after f made" in msg
    with pytest.raises(TypeError) as info:
        dg.gradient(REFUSED["np.asarray of a dual array"], X)
    assert "(np.asarray(x) in <lambda>, line " in str(info.value)


FIXED = {                                   # the message's spellings, and their truth
    "np.stack": lambda x: np.sum((np.stack([x[0], x[1]]) * (1 + 2j)).real ** 3),
    "x[:2]": lambda x: np.sum((x[:2] * (1 + 2j)).real ** 3),
    "x[[0, 1]]": lambda x: np.sum((x[[0, 1]] * (1 + 2j)).real ** 3),
    "x itself": lambda x: np.sum((x * (1 + 2j)).real ** 3),
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_the_named_fixes_are_exact(name):
    f = FIXED[name]
    np.testing.assert_allclose(dg.gradient(f, X), TRUTH_G, rtol=1e-13)
    assert np.isrealobj(dg.gradient(f, X))
    np.testing.assert_allclose(dg.hessian(f, X), TRUTH_H, rtol=1e-13, atol=1e-15)


def test_imag_and_angle_through_np_stack_are_exact():
    g = dg.gradient(lambda x: np.sum(np.imag(np.stack([x[0], x[1]]) * (1 + 2j))), X)
    np.testing.assert_allclose(g, [2.0, 2.0], rtol=1e-14)          # Im = 2 (x0 + x1)
    h = lambda x: np.sum(np.angle(np.stack([x[0], x[1]]) * (1 + 2j)) * np.stack([x[0], x[1]]))
    np.testing.assert_allclose(dg.gradient(h, X), _cd8(h, X), rtol=1e-9)


# ---- what stays allowed ----------------------------------------------------------

ALLOWED = {   # real f, complex intermediates without an object array of scalar duals
    "np.exp(1j x).real": lambda x: np.sum(np.exp(1j * x).real ** 3),
    "scalar code": lambda x: ((x[0] * (1 + 2j)) ** 3).real + np.exp(1j * x[1]).imag,
    "dual array times complex": lambda x: np.sum(np.abs(x * (1 - 3j)) ** 2),
    "object array of real duals": lambda x: np.sum(np.array([x[0], x[1]]) ** 3),
    "object array, then real": lambda x: np.sum(np.sin(np.array([x[0] * x[1], x[1]])) * 2.0),
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_real_functions_without_complex_object_loops_stay_exact(name):
    f = ALLOWED[name]
    np.testing.assert_allclose(dg.gradient(f, X), _cd8(f, X), rtol=1e-9, atol=1e-12)
    H = dg.hessian(f, X)
    Hcd = np.array([_cd8(lambda y, i=i: _cd8(f, y)[i], X) for i in range(2)])
    np.testing.assert_allclose(H, Hcd, rtol=1e-5, atol=1e-7)


def test_complex_outputs_stay_allowed():
    # f(x) = x0^2 e^{i x1}: its gradient as dualgrad defines it, d Re + i d Im
    f = lambda x: x[0] ** 2 * np.exp(1j * x[1])                    # noqa: E731
    g = dg.gradient(f, X)
    truth = np.array([2 * X[0] * np.exp(1j * X[1]), 1j * X[0] ** 2 * np.exp(1j * X[1])])
    np.testing.assert_allclose(g, truth, rtol=1e-14)
    J = dg.jacobian(lambda x: np.exp(1j * x) * x, X)
    np.testing.assert_allclose(J, np.diag(np.exp(1j * X) * (1 + 1j * X)), rtol=1e-14)


def test_frompyfunc_advice_still_works():
    # dualgrad's own object array for np.frompyfunc: the function's complex numbers are
    # scalar code (complex step of its real part as the oracle)
    t = np.arange(3.0)
    fp = np.frompyfunc(lambda s: np.exp(1j * s) * s, 1, 1)
    J = dg.jacobian(lambda p: np.real(fp(p[0] * t)), np.array([0.7]))
    truth = np.real(np.exp(1j * 0.7 * t) * (1 + 1j * 0.7 * t) * t)
    np.testing.assert_allclose(J.ravel(), truth, rtol=1e-13, atol=1e-15)


def test_vectorize_keeps_its_own_message():
    g = np.vectorize(lambda s: np.exp(1j * s) * s)
    with pytest.raises(TypeError, match=r"np\.vectorize of a function that returns complex "
                       r"dual numbers.*Fix: np\.frompyfunc"):
        dg.jacobian(lambda p: np.abs(g(p[0] * np.arange(3.0))), np.array([0.7]))


def test_a_caught_refusal_is_not_a_silent_zero():
    def f(x):
        try:
            return np.sum((np.array([x[0], x[1]]) * (1 + 2j)).real ** 3)
        except TypeError:
            return 1e10
    with pytest.raises(TypeError, match="caught"):
        dg.gradient(f, X)


def test_threads_each_see_their_own_calls():
    out, errs = {}, {}

    def run(k):
        try:
            if k % 2:
                dg.gradient(REFUSED["np.array .real"], X)
                errs[k] = None
            else:
                out[k] = dg.gradient(ALLOWED["scalar code"], X)
        except TypeError as e:
            errs[k] = e
    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    ref = _cd8(ALLOWED["scalar code"], X)
    for k in range(6):
        if k % 2:
            assert isinstance(errs[k], TypeError) and "became complex" in str(errs[k])
        else:
            np.testing.assert_allclose(out[k], ref, rtol=1e-9)


def test_imag_of_a_real_object_array_message_names_np_imag():
    # np.imag of an object array of real scalar duals is NumPy's zeros: no derivatives,
    # and no except clause in f; the message names np.imag / .imag and np.stack
    with pytest.raises(TypeError) as info:
        dg.gradient(lambda x: np.sum(np.imag(np.array([x[0], x[1]]))), X)
    msg = str(info.value)
    assert "np.imag" in msg and "np.stack([x[0], x[1]])" in msg


def test_a_dual_made_by_hand_keeps_its_complex_arithmetic_after_a_helper_refused():
    """The check compares with the start of the helper call of the dual's tag; a dual
    made by hand (tag 0) has none, and an object array made earlier in the thread
    refused np.polyval of it at a complex point (the suite's order decided)."""
    with pytest.raises(TypeError, match="became complex"):
        dg.gradient(lambda x: np.sum((np.array([x[0], x[1]]) * (1 + 2j)).real ** 3),
                    np.array([0.7, 0.4]))
    p, z = np.array([1.0, 2.0, 3.0]), 0.5 + 0.5j
    got = np.polyval(dg.Dual(p, np.eye(3)), z)
    np.testing.assert_allclose(got.value, p[0] * z ** 2 + p[1] * z + p[2], rtol=1e-15)
    np.testing.assert_allclose(np.ravel(got.partials), [z ** 2, z, 1.0], rtol=1e-15)


# ---- attack45 06: dualgrad's own np.stack of nested scalar duals is no object array of f's ----

Y = np.array([0.3, 0.7])
STACKED_THEN_COMPLEX = {             # each is x0^2 + x1^2 + cos(x0)
    "np.stack": lambda x: np.sum(np.stack([x[0], x[1]]) ** 2) + np.real(np.exp(1j * x[0])),
    "np.dot of a stack": lambda x: np.dot(np.stack([x[0], x[1]]), np.stack([x[0], x[1]]))
    + np.real(np.exp(1j * x[0])),
    "np.polyval of a stack": lambda x: np.polyval(np.stack([1.0 + 0 * x[0], 0.0 * x[1], 0.0 * x[1]]),
                                                  x[0]) + x[1] ** 2 + np.real(np.exp(1j * x[0])),
}


@pytest.mark.parametrize("name", sorted(STACKED_THEN_COMPLEX))
def test_hessian_after_np_stack_of_scalars_then_complex_arithmetic(name):
    """np.stack([x[0], x[1]]) under nested duals (a Hessian) read its inner scalar duals
    through NumPy, which dualgrad's note counted as f's object array: the complex
    arithmetic after it was refused, naming np.stack as the fix.  Closed forms."""
    f = STACKED_THEN_COMPLEX[name]
    truth_g = np.array([2 * Y[0] - np.sin(Y[0]), 2 * Y[1]])
    np.testing.assert_allclose(dg.gradient(f, Y), truth_g, rtol=1e-14)
    np.testing.assert_allclose(dg.hessian(f, Y), np.diag([2 - np.cos(Y[0]), 2.0]),
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(_cd8(f, Y), truth_g, rtol=1e-10)      # the closed form's check


def test_nested_helper_with_np_stack_then_complex_outer_arithmetic():
    def g(t):        # an inner gradient whose f stacks scalars; complex arithmetic outside
        s = dg.gradient(lambda z: np.sum(np.stack([z[0], z[1]]) ** 2), Y * t)[0]
        return s + np.real(np.exp(1j * t))
    want = 2 * Y[0] - np.sin(0.5)            # d/dt (2 Y0 t + cos t)
    assert abs(dg.derivative(g, 0.5) - want) <= 1e-14


# ---- attack45 12: dualgrad's own object array is not f's; 06b, 11: what stays refused ----

def test_tolist_is_no_object_array_of_fs():
    """attack45 12: x.tolist() counted as f's object array (ArrayDual.tolist goes
    through np.asarray), refusing a later complex exponential.  Closed forms."""
    def f(x):
        return sum(x.tolist()) + np.real(np.exp(1j * x[0]))
    want = np.array([1 - np.sin(Y[0]), 1.0])
    np.testing.assert_allclose(dg.gradient(f, Y), want, rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, Y), np.diag([-np.cos(Y[0]), 0.0]), atol=1e-15)


def test_an_object_array_an_inner_call_made_of_the_outer_duals_stays_refused():
    """Why an inner call's object array still counts for the calls around it (attack45
    06b, an over-refusal documented in the guard's "in that call" reach): the note does
    not say whose scalar duals the array held, and the inner f may build one of the
    outer call's duals that escapes to the outer f, where NumPy's object loop and
    ``.real`` would give a complex, wrong derivative (forgetting the note at the inner
    call's end was tried: -74.25 - 13.5j for 6.75)."""
    def g(t):
        box = {}

        def inner(z):
            box["arr"] = np.array([t, 2 * t])    # the outer call's scalar duals
            return np.sum(z ** 2)
        dg.gradient(inner, Y)
        return np.sum((box["arr"] * (1 + 2j)).real ** 3)
    with pytest.raises(TypeError, match="became complex"):
        dg.derivative(g, 0.5)


def test_an_object_array_inside_np_vectorizes_function_stays_refused():
    """attack45 11 (np.vectorize of a real function with complex intermediates is
    refused) stays: inside the function np.vectorize calls, an object array of scalar
    duals its own code builds cannot be told from NumPy's of vectorize's arguments,
    and letting complex intermediates through gave a real, wrong gradient (-26.73 for
    2.43) for Re(sum((np.array([t, 2t]) (1 + 2j)).real ** 3)).  np.frompyfunc of the
    real function is exact."""
    x = np.array([0.3, 0.7])

    def fn(t):
        return np.real(np.sum((np.array([t, 2 * t]) * (1 + 2j)).real ** 3))
    for kwargs in ({}, {"signature": "()->()"}, {"otypes": [object]}):
        with pytest.raises(TypeError):
            dg.gradient(lambda x: np.sum(np.vectorize(fn, **kwargs)(x)), x)
    t_cos_t = np.frompyfunc(lambda t: np.real(np.exp(1j * t)) * t, 1, 1)
    np.testing.assert_allclose(dg.gradient(lambda x: np.sum(t_cos_t(x)), x),
                               np.cos(x) - x * np.sin(x), rtol=1e-14)
