"""Stop 44's named leftovers that raised, gave NaN or misled on correct code (misc44).

expm of a single number (SciPy's ``[[exp(a)]]``) and of a matrix with ``-inf`` on its
diagonal (the limit's partials where SciPy's value is the limit, a diagonal matrix;
NaN where SciPy's value is NaN, spectral46); the oracles are closed forms (``exp``, the
divided differences ``(e^a - e^c) / (a - c)`` and their limits) and SciPy's own
``expm_frechet`` of the matrix without the ``-inf`` rows and columns.
"""

import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg")

import dualgrad as dg  # noqa: E402
import dualgrad.scipy.linalg as dl  # noqa: E402

NINF = -np.inf


# -- expm of a single number: SciPy's [[exp(a)]] ------------------------------------

@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (3, 1, 1)])
def test_expm_single_numbers_as_scipy(shape):
    p = np.linspace(0.3, 1.1, int(np.prod(shape))).reshape(shape)
    want = sl.expm(p)
    got = dl.expm(dg.Dual(p, np.ones(p.shape + (1,))) if shape else dg.Dual(p[()], np.ones(1)))
    assert np.shape(got.value) == want.shape and got.value.dtype == want.dtype
    np.testing.assert_array_equal(got.value, want)
    # d/da exp(a) = exp(a), every element its own
    np.testing.assert_allclose(got.partials[..., 0], np.exp(p).reshape(want.shape), rtol=1e-15)


def test_expm_zero_d_derivatives_and_hessian():
    for a in (0.7, -2.0, NINF):
        assert dg.derivative(lambda s: dl.expm(s)[0, 0], a) == pytest.approx(np.exp(a), rel=1e-15)
        assert dg.hessian(lambda s: dl.expm(s)[0, 0], a) == pytest.approx(np.exp(a), rel=1e-15)
    # complex: SciPy's complex128 [[exp(z)]]
    z = 0.4 + 0.3j
    d = dg.derivative(lambda s: dl.expm(s * z), 1.0)
    np.testing.assert_allclose(d, z * sl.expm(z), rtol=1e-15)
    assert d.dtype == np.complex128


def test_expm_not_two_dimensional_raises_as_scipy():
    x = dg.Dual(np.ones(2), np.ones((2, 1)))
    with pytest.raises(np.linalg.LinAlgError, match="at least two-dimensional"):
        sl.expm(np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="at least two-dimensional"):
        dl.expm(x)
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        dl.expm(dg.Dual(np.ones((2, 3)), np.ones((2, 3, 1))))


# -- expm with -inf on the diagonal: the limit's partials -----------------------------

def _phi(a, c):
    """(e^a - e^c) / (a - c), e^a at a == c, 0 when one of them is -inf (its limit)."""
    if a == c:
        return np.exp(a)
    if NINF in (a, c):
        return 0.0
    return (np.exp(a) - np.exp(c)) / (a - c)


@pytest.mark.parametrize("d", [(NINF, 1.0), (1.0, NINF), (NINF, NINF), (-0.5, 1.0)])
def test_expm_diagonal_with_minus_inf(d):
    """A = diag(d) + E: d exp(A)_ij = E_ij phi(d_i, d_j) (Daleckii-Krein), SciPy's
    value diag(exp(d)); was NaN in every partial at a -inf."""
    d = np.array(d)

    def f(p):
        return dl.expm(np.array([[p[0], p[2]], [p[3], p[1]]])).ravel()

    p = np.concatenate([d, [0.0, 0.0]])
    J = dg.jacobian(f, p)
    want = np.zeros((4, 4))
    want[0, 0] = np.exp(d[0])
    want[3, 1] = np.exp(d[1])
    want[1, 2] = _phi(d[0], d[1])
    want[2, 3] = _phi(d[1], d[0])
    np.testing.assert_allclose(J, want, rtol=1e-13, atol=1e-15)
    value = dl.expm(dg.Dual(np.diag(d), np.ones((2, 2, 1))))
    np.testing.assert_array_equal(value.value, sl.expm(np.diag(d)))


def test_expm_minus_inf_general_matrix_nan_as_scipys_value():
    """A 4 x 4 with -inf at (1, 1) and (3, 3): SciPy's value is NaN in every entry
    (its Pade steps), so the partials are NaN too (spectral46: the limit's partials,
    SciPy's expm_frechet of the 2 x 2 left, were finite beside a NaN value)."""
    rng = np.random.default_rng(4)
    B = rng.standard_normal((4, 4))
    B[1, 1] = B[3, 3] = NINF
    E = rng.standard_normal((4, 4))
    assert np.isnan(sl.expm(B)).all()
    got = dg.derivative(lambda t: dl.expm(B + t * E), 0.0)
    assert np.isnan(got).all()
    np.testing.assert_array_equal(dl.expm(dg.Dual(B, E[..., None])).value, sl.expm(B))


def test_expm_minus_inf_batched_and_hessian():
    """A batch mixing a -inf slice (SciPy's value NaN but for the 0 below the
    diagonal) and a finite one: the -inf slice's partials NaN where its value is,
    0 below; the finite slice's exact (its divided difference, as expm_frechet).
    Hessians of expm of a diagonal matrix with -inf (SciPy's value diag(exp(d)),
    the limit): exact; of an upper triangular one: NaN (SciPy's value NaN)."""
    A = np.array([[[NINF, 0.3], [0.0, 0.5]], [[-0.2, 0.3], [0.0, 0.5]]])
    E = np.zeros((2, 2, 2))
    E[:, 0, 1] = 1.0
    got = dg.derivative(lambda t: dl.expm(A + t * E), 0.0)
    np.testing.assert_array_equal(np.isnan(got[0]), np.isnan(sl.expm(A[0])))
    assert got[0][1, 0] == 0.0 and np.isnan(got[0][0, 1])
    np.testing.assert_allclose(got[1], [[0, _phi(-0.2, 0.5)], [0, 0]], rtol=1e-13)
    np.testing.assert_allclose(got[1], sl.expm_frechet(A[1], E[1], compute_expm=False),
                               rtol=1e-13)

    def g(p):
        X = dl.expm(np.array([[p[0], p[1]], [0.0, p[2]]]))
        return X[0, 1] + X[1, 1] + X[0, 0]

    assert np.isnan(g(np.array([NINF, 0.3, 0.5])))
    assert np.isnan(dg.hessian(g, np.array([NINF, 0.3, 0.5]))).all()
    H = dg.hessian(lambda p: dl.expm(np.diag(p))[0, 0] + dl.expm(np.diag(p))[1, 1],
                   np.array([NINF, 1.0]))
    np.testing.assert_allclose(H, np.diag([0.0, np.e]), rtol=1e-14, atol=0)


def test_expm_minus_inf_beside_another_infinity_stays_nan():
    """-inf on the diagonal with a -inf beside it in its row: no limit (SciPy's NaN)."""
    A = np.array([[NINF, NINF], [0.0, 1.0]])
    got = dg.derivative(lambda t: dl.expm(A + t * np.eye(2)), 0.0)
    assert np.isnan(got).any()


# -- np.copyto / out= refusals give the spelling that works ---------------------------

import inspect  # noqa: E402
import re  # noqa: E402
import textwrap  # noqa: E402


def _refusal(f, x):
    with pytest.raises(TypeError) as info:
        dg.gradient(f, x)
    return str(info.value)


def _pasted(f, *edits):
    """``f`` with the source line holding ``old`` replaced by ``new`` (same indent),
    for each ``old, new`` pair of ``edits``."""
    lines = textwrap.dedent(inspect.getsource(f)).splitlines()
    for old, new in zip(edits[::2], edits[1::2]):
        hit = [i for i, line in enumerate(lines) if old in line]
        assert len(hit) == 1, (old, lines)
        indent = lines[hit[0]][:len(lines[hit[0]]) - len(lines[hit[0]].lstrip())]
        lines[hit[0]] = indent + new
    scope = {"np": np}
    exec("\n".join(lines), scope)
    return scope[f.__name__]


def _copyto_buffer(x):
    buf = np.zeros(3)
    np.copyto(buf, np.sin(x))
    return np.sum(buf * x)


def _ufunc_out(x):
    buf = np.zeros(3)
    np.sin(x, out=buf)
    return np.sum(buf * x)


def _ufunc_out_view(x):
    buf = np.empty((2, 3))
    buf[1] = 0.0
    np.sin(x, out=buf[0])
    return np.sum(buf[0] * x)


def _reduction_out(x):
    buf = np.zeros(3)
    np.sum(np.stack([x, x ** 2]), axis=0, out=buf)
    return np.sum(buf * x)


def _put_buffer(x):
    buf = np.zeros(3)
    np.put(buf, [0, 1, 2], np.sin(x))
    return np.sum(buf * x)


def _putmask_buffer(x):
    buf = np.empty(3)
    np.putmask(buf, np.ones(3, dtype=bool), np.sin(x))
    return np.sum(buf * x)


def _place_buffer(x):
    buf = np.zeros(3)
    np.place(buf, np.ones(3, dtype=bool), np.sin(x))
    return np.sum(buf * x)


# the gradients: sum(sin(x) x) and sum((x + x^2) x)
_SIN_X = (_copyto_buffer, _ufunc_out, _ufunc_out_view, _put_buffer, _putmask_buffer,
          _place_buffer)
X3 = np.array([0.3, -1.2, 0.7])


def _grad_sin_x(x):
    return np.cos(x) * x + np.sin(x)


@pytest.mark.parametrize("f", _SIN_X, ids=lambda f: f.__name__)
def test_copyto_and_out_refusals_name_the_buffer_and_its_line(f):
    msg = _refusal(f, X3)
    line = inspect.getsourcelines(f)[1] + 1                 # buf = ... is f's first line
    made = re.search(r"make it (buf = [^ ].*?) at line (\d+)", msg)
    assert made is not None, msg
    assert int(made.group(2)) == line
    called = {_copyto_buffer: "np.copyto(buf, ...)", _put_buffer: "np.put(buf, ...)",
              _putmask_buffer: "np.putmask(buf, ...)", _place_buffer: "np.place(buf, ...)"}
    assert called.get(f, "out=buf") in msg
    fixed = _pasted(f, "buf = np.", made.group(1))
    np.testing.assert_allclose(dg.gradient(fixed, X3), _grad_sin_x(X3), rtol=1e-15)
    # the plain run of the pasted line: the same value as f's
    assert fixed(X3) == pytest.approx(f(X3), rel=1e-15)


def test_out_refusal_offers_the_call_without_out():
    msg = _refusal(_ufunc_out, X3)
    assert "or write buf = np.sin(x) (the call without out=" in msg
    fixed = _pasted(_ufunc_out, "np.sin(x, out=buf)", "buf = np.sin(x)")
    np.testing.assert_allclose(dg.gradient(fixed, X3), _grad_sin_x(X3), rtol=1e-15)
    # a view as out= has no rebinding to offer (P[0] = np.sin(x) would be a store)
    assert "the call without out=" not in _refusal(_ufunc_out_view, X3)


def test_reduction_out_refusal_spells_the_call_without_out():
    msg = _refusal(_reduction_out, X3)
    assert "np.sum with out= is not supported" in msg          # the old words kept
    spelled = re.search(r"Fix: write (buf = np\.sum\(.*?\)) \(the call without out=", msg)
    assert spelled is not None, msg
    fixed = _pasted(_reduction_out, "out=buf)", spelled.group(1))
    np.testing.assert_allclose(dg.gradient(fixed, X3), 3 * X3 ** 2 + 2 * X3, rtol=1e-15)
    filled = re.search(r"or (buf\[\.\.\.\] = np\.sum\(.*?\)) to fill", msg)
    assert filled is not None, msg
    fixed = _pasted(_reduction_out, "out=buf)", filled.group(1),
                    "buf = np.zeros(3)", "buf = np.zeros_like(x)")
    np.testing.assert_allclose(dg.gradient(fixed, X3), 3 * X3 ** 2 + 2 * X3, rtol=1e-15)


def test_out_refusal_without_source_keeps_the_general_advice():
    f = eval("lambda x: np.sin(x, out=np.zeros(3)).sum()", {"np": np})
    msg = _refusal(f, X3)
    assert "np.zeros_like(x)" in msg and "make it" not in msg
    g = eval("lambda x: np.sum(x, out=np.zeros(())).sum()", {"np": np})
    msg = _refusal(g, X3)
    assert "out[...] = np.sum(...)" in msg


# -- scipy.spatial.distance.squareform on duals: refused before SciPy's C copy --------

def _unit_jacobian(func, n):
    """The Jacobian of the linear ``func`` (SciPy's own, on floats): its columns are
    ``func`` of the unit vectors."""
    return np.stack([np.ravel(func(e)) for e in np.eye(n)], axis=-1)


def _spelling(msg):
    found = re.search(r"write that step as (D = np\.zeros_like.*?D\[j, i\] = v) for the "
                      r"square matrix.*?and (v = D\[np\.triu_indices\(len\(D\), 1\)\]) for",
                      msg)
    assert found is not None, msg
    return found.group(1), found.group(2)


def test_squareform_of_a_dual_vector_names_the_numpy_spelling():
    """SciPy copies an object array's items in C without references (a segfault once
    the copies are freed), and the result's ravel had no derivatives: the conversion is
    refused with the indexing spelling, which gives SciPy's values and the linear
    map's Jacobian (SciPy's squareform of the unit vectors)."""
    distance = pytest.importorskip("scipy.spatial.distance")
    v = np.array([1.0, 2.5, 3.0, 0.5, 4.0, 2.0])           # 4 points
    for f in (lambda w: distance.squareform(w).ravel(),
              lambda w: np.sum(distance.squareform(w) ** 2),
              lambda w: distance.squareform(w, checks=False, force="tomatrix").ravel()):
        with pytest.raises(TypeError, match=r"scipy\.spatial\.distance\.squareform") as info:
            dg.jacobian(f, v)
        assert "except clause" not in str(info.value)
    to_matrix, to_vector = _spelling(str(info.value))
    scope = {"np": np}

    def square(w):
        exec(f"n = round((1 + np.sqrt(1 + 8 * len(v))) / 2)\n{to_matrix}",
             scope, local := {"v": w})
        return local["D"]

    np.testing.assert_array_equal(square(v), distance.squareform(v))
    np.testing.assert_array_equal(dg.jacobian(lambda w: square(w).ravel(), v),
                                  _unit_jacobian(distance.squareform, 6))

    def condensed(D):
        exec(to_vector, scope, local := {"D": D})
        return local["v"]

    D = distance.squareform(v)
    np.testing.assert_array_equal(condensed(D), v)
    J = dg.jacobian(lambda m: condensed(m.reshape(4, 4)), D.ravel())
    np.testing.assert_array_equal(
        J, _unit_jacobian(lambda e: distance.squareform(e.reshape(4, 4), checks=False), 16))


def test_squareform_of_a_dual_matrix_and_outside_a_helper():
    distance = pytest.importorskip("scipy.spatial.distance")
    X = np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 3.0]])

    def energy(x):
        d = np.sqrt(np.sum((x[:, None] - x[None]) ** 2, axis=-1) + np.eye(3))
        return np.sum(distance.squareform(d - np.eye(3), checks=False))

    with pytest.raises(TypeError, match=r"squareform.*v = D\[np\.triu_indices"):
        dg.gradient(energy, X)
    with pytest.raises(TypeError, match=r"squareform converts a dual array"):
        distance.squareform(dg.Dual(np.ones(3), np.ones((3, 1))))
    # plain input: SciPy's own function, untouched
    np.testing.assert_array_equal(distance.squareform(np.ones(3)),
                                  np.ones((3, 3)) - np.eye(3))


# -- the caught-error guard keeps an unread array's record (msgs42's flake) -----------

import warnings  # noqa: E402


def _library(q, refuse):
    """A library function as SciPy writes one: converts, refuses an object array
    without reading an element (only when asked to), else computes with it."""
    a = np.asarray(q)
    if refuse and a.dtype == object:
        raise ValueError("object arrays are not supported")
    return a.sum()


def _two_calls(p):
    try:
        first = _library(p * 1.0, True)          # refused under dualgrad, caught
    except ValueError:
        first = 0.0
    return first + _library(p * 2.0, False)      # read: derivatives flow


def _one_frame(p):
    total = 0.0
    for refuse in (True, False):                 # one frame, one line, one dual: p
        try:
            a = np.asarray(p)
            if refuse and a.dtype == object:
                raise ValueError("object arrays are not supported")
            total = total + a.sum()
        except ValueError:
            pass
    return total


@pytest.mark.parametrize("f", [_two_calls, _one_frame], ids=lambda f: f.__name__)
def test_a_refused_array_is_not_dropped_by_a_later_conversion_at_its_line(f):
    """On floats f is 3 sum(p) (_two_calls) or 2 sum(p) (_one_frame); under dualgrad the
    first conversion's refusal is caught, so the derivative misses a term: the guard
    must warn.  Its record was dropped as "one operation converting twice" where the
    second conversion had the first one's ids: _two_calls' temporaries and frames
    reuse freed addresses (silent in 38 of 40 runs before), _one_frame has the same
    dual, frame and instruction every time (silent always)."""
    x = np.array([0.5, -1.0, 2.0])
    full = 3.0 if f is _two_calls else 2.0
    assert f(x) == pytest.approx(full * x.sum())
    for _ in range(20):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            g = dg.gradient(f, x)
        assert any(issubclass(w.category, dg.CaughtErrorWarning) for w in seen), g
        np.testing.assert_allclose(g, (full - 1.0) * np.ones(3))   # the fallback's


def test_one_operation_converting_twice_stays_one_conversion():
    """ndarray.dot converts a dual twice (a type probe it drops, then the array it
    computes with): no warning, and the gradient of sum(tanh(X w)) in closed form."""
    X = np.random.default_rng(3).standard_normal((4, 3))
    w = np.array([0.2, -0.4, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = dg.gradient(lambda v: np.sum(np.tanh(X.dot(v))), w)
    np.testing.assert_allclose(g, X.T @ (1 - np.tanh(X @ w) ** 2), rtol=1e-14)


# -- generalized eigh(a, b) on duals (user43's leftover) ------------------------------

_C8 = [4 / 5, -1 / 5, 4 / 105, -1 / 280]


def _cd8(g, h=1e-3):
    return sum(c * (np.asarray(g((k + 1) * h)) - np.asarray(g(-(k + 1) * h)))
               for k, c in enumerate(_C8)) / h


def _pencil(seed, m=4, batch=()):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal(batch + (m, m))
    B = rng.standard_normal(batch + (m, m))
    EA = rng.standard_normal(batch + (m, m))
    EB = rng.standard_normal(batch + (m, m))
    sym = lambda X: X + np.swapaxes(X, -1, -2)             # noqa: E731
    return sym(A), B @ np.swapaxes(B, -1, -2) + m * np.eye(m), sym(EA), sym(EB)


def _signed(V):
    """Eigenvectors with a positive first row (SciPy's signs are LAPACK's choice)."""
    return V * np.sign(V[..., :1, :])


@pytest.mark.parametrize("lower", [True, False])
def test_generalized_eigh_first_order_against_scipy_differences(lower):
    A, B, EA, EB = _pencil(1)
    junk = np.triu(np.full((4, 4), 7.0), 1) if lower else np.tril(np.full((4, 4), 7.0), -1)
    A, B = A + junk, B - junk              # the triangle SciPy does not read

    def ours(t):
        return dl.eigh(A + t * EA, B + t * EB, lower=lower)

    def scipy(t):
        return sl.eigh(A + t * EA, B + t * EB, lower=lower)

    w, V = dl.eigh(dg.Dual(A, EA[..., None]), dg.Dual(B, EB[..., None]), lower=lower)
    w0, V0 = sl.eigh(A, B, lower=lower)
    np.testing.assert_array_equal(w.value, w0)               # SciPy's values, bit for bit
    np.testing.assert_array_equal(V.value, V0)
    np.testing.assert_allclose(dg.derivative(lambda t: ours(t)[0], 0.0),
                               _cd8(lambda t: scipy(t)[0]), rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(dg.derivative(lambda t: _signed(ours(t)[1]), 0.0),
                               _cd8(lambda t: _signed(scipy(t)[1])), rtol=1e-9, atol=1e-10)
    # only b moving, only a moving
    np.testing.assert_allclose(dg.derivative(lambda t: dl.eigh(A, B + t * EB, lower=lower,
                                                               eigvals_only=True), 0.0),
                               _cd8(lambda t: sl.eigh(A, B + t * EB, lower=lower)[0]),
                               rtol=1e-10, atol=1e-11)


def test_generalized_eigh_hessians_batches_and_ties():
    A, B, EA, EB = _pencil(2)

    def H(f, h=1e-2):                     # second differences of SciPy's function
        e = np.eye(2)
        return np.array([[_cd8(lambda s: _cd8(lambda t: f(s * e[i] + t * e[j]), h), h)
                          for j in range(2)] for i in range(2)])

    top = lambda p, lib: lib(A + p[0] * EA, B + p[1] * EB)[0][-1]       # noqa: E731
    entry = lambda p, lib: _signed(lib(A + p[0] * EA, B + p[1] * EB)[1])[2, 1]  # noqa: E731
    for f in (top, entry):
        np.testing.assert_allclose(dg.hessian(lambda p: f(p, dl.eigh), np.zeros(2)),
                                   H(lambda p: f(p, sl.eigh)), rtol=1e-7, atol=1e-8)
    # a batch of a against one moving b
    Ab, _, Eb, _ = _pencil(3, batch=(2,))
    np.testing.assert_allclose(
        dg.derivative(lambda t: dl.eigh(Ab + t * Eb, B + t * EB, eigvals_only=True), 0.0),
        _cd8(lambda t: sl.eigh(Ab + t * Eb, B + t * EB, eigvals_only=True)),
        rtol=1e-10, atol=1e-11)
    # a = 2 b: one eigenvalue 2 four times; each takes the cluster's mean, the trace
    # of d(b^-1 a) / 4 = (tr(b^-1 EA) - 2 tr(b^-1 EB)) / 4; the vectors have none (NaN)
    Bi = np.linalg.inv(B)
    dw = dg.derivative(lambda t: dl.eigh(2 * B + t * EA, B + t * EB, eigvals_only=True), 0.0)
    np.testing.assert_allclose(dw, np.full(4, (np.trace(Bi @ EA) - 2 * np.trace(Bi @ EB)) / 4),
                               rtol=1e-12)
    assert np.isnan(dg.derivative(lambda t: dl.eigh(2 * B + t * EA, B + t * EB)[1], 0.0)).all()


def test_generalized_eigh_what_stays_refused():
    A, B, EA, _ = _pencil(4)
    x = dg.Dual(A, EA[..., None])
    for kwargs in ({"type": 2}, {"subset_by_index": [0, 1]}):
        with pytest.raises(TypeError, match=r"dualgrad\.scipy\.linalg\.eigh"):
            dl.eigh(x, B, **kwargs)
    with pytest.raises(TypeError, match="complex generalized"):
        dl.eigh(x, B.astype(complex))


def test_generalized_eigh_second_order_at_a_tie_is_nan_not_a_number():
    """A Hessian through a tied generalized eigenvalue: NaN (the standard problem's
    second-order ordering is not derived for b); away from the tie it is exact (above)."""
    _, B, EA, EB = _pencil(5)
    H = dg.hessian(lambda p: dl.eigh(2 * B + p[0] * EA, B + p[1] * EB,
                                     eigvals_only=True)[-1], np.zeros(2))
    assert np.isnan(H).all()
