"""attack33's findings on stop 40's landings (fix41).

Item 1: ``np.einsum`` with a labelled axis of length 1 that NumPy stretches against
the other operand's longer one (``"i,i->"`` of ``(K,)`` and ``(1,)``): the lean
products' kernels summed over the wrong length (numba loaded) and the general path
raised a raw ValueError; now NumPy's value and exact partials, with numba and without.

Oracles run no dualgrad path.  Each einsum case is bilinear in ``x`` (every operand
linear in ``x``), so ``t -> f(x + t e_k)`` is a quadratic: its central difference at
any step is the derivative up to rounding, and the second difference
``f(x + e_i + e_j) - f(x + e_i) - f(x + e_j) + f(x)`` the Hessian.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend

N = 4                                      # four directions: the numba kernels' width


def _linear(shape, seed, x):
    """An operand ``sum_k C[..., k] x[k]`` (a dual when ``x`` is one)."""
    C = np.random.default_rng(seed).uniform(-1.0, 1.0, shape + (N,))
    return sum(C[..., k] * x[k] for k in range(N))


def _value_and_jacobian(f, x):
    """``f``'s value as the pass computed it (the dual's own, not a second float
    call) and its Jacobian at ``x``."""
    got = {}

    def keep(y):
        out = f(y)
        got["value"] = out.value
        return out
    J = dg.jacobian(keep, x)
    return got["value"], J


def _fd_jacobian(f, x):
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = 0.5
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))).ravel())
    return np.stack(cols, axis=-1)


def _fd_hessian(q, x):
    H = np.empty((x.size, x.size))
    eye = np.eye(x.size)
    for i in range(x.size):
        for j in range(x.size):
            H[i, j] = q(x + eye[i] + eye[j]) - q(x + eye[i]) - q(x + eye[j]) + q(x)
    return H


STRETCHED = [
    ("i,i->", (7,), (1,)), ("i,i->", (1,), (7,)),
    ("ij,j->i", (3, 7), (1,)), ("ij,j->i", (3, 1), (7,)),
    ("i,ij->j", (1,), (7, 2)), ("i,ij->j", (7,), (1, 2)),
    ("ij,jk->ik", (3, 1), (7, 2)), ("ij,jk->ik", (3, 7), (1, 2)),
    ("...i,...i->...", (2, 3), (2, 1)), ("...i,...i->...", (4,), (1,)),
    ("...i,...i->...", (1,), (2, 5)),
    ("wij,wjk->wik", (2, 2, 1), (2, 3, 1)), ("wij,wjk->wik", (2, 2, 3), (2, 1, 4)),
    ("i,i", (7,), (1,)), ("ij,j", (3, 1), (7,)), ("ji,j", (1, 3), (7,)),
    ("ij,jk", (3, 7), (1, 2)),
]


@pytest.mark.parametrize("spec, sa, sb", STRETCHED)
@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("which", ["both", "first", "second"])
def test_einsum_stretched_axis_jacobian(spec, sa, sb, engine, which):
    """NumPy's value, and the Jacobian of the central differences, with the numba
    kernels loaded and not; one operand dual, the other, both."""
    x0 = np.array([0.3, -1.2, 0.7, 2.0])

    def f(x):
        a = _linear(sa, 1, x) if which != "second" else _linear(sa, 1, x0)
        b = _linear(sb, 2, x) if which != "first" else _linear(sb, 2, x0)
        return np.einsum(spec, a, b)

    with backend.use(engine):
        J = dg.jacobian(f, x0)
    want = _fd_jacobian(f, x0)
    np.testing.assert_allclose(np.reshape(J, want.shape), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec, sa, sb", STRETCHED)
def test_einsum_stretched_axis_value_hessian_complex(spec, sa, sb):
    """The value is NumPy's; the Hessian of the sum the second differences'; a
    complex path (the operands times ``1 + 0.5j``, real part) the central
    differences'."""
    x0 = np.array([0.3, -1.2, 0.7, 2.0])

    def f(x, c=1.0):
        return np.einsum(spec, _linear(sa, 1, x) * c, _linear(sb, 2, x))

    value, _ = _value_and_jacobian(f, x0)
    np.testing.assert_array_equal(value, f(x0))
    H = dg.hessian(lambda x: np.sum(f(x)), x0)
    np.testing.assert_allclose(H, _fd_hessian(lambda x: float(np.sum(f(x))), x0),
                               rtol=1e-11, atol=1e-11)
    g = lambda x: np.real(f(x, 1 + 0.5j))
    want = _fd_jacobian(g, x0)
    np.testing.assert_allclose(np.reshape(dg.jacobian(g, x0), want.shape), want,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec, sa, sb", STRETCHED[:8])
def test_einsum_stretched_axis_sparsity(spec, sa, sb):
    """``sparsity="auto"`` gives the dense Jacobian's numbers."""
    x0 = np.array([0.3, -1.2, 0.7, 2.0])
    f = lambda x: np.ravel(np.einsum(spec, _linear(sa, 1, x), _linear(sb, 2, x)))
    want = _fd_jacobian(f, x0)
    J = dg.jacobian(f, x0, sparsity="auto")
    J = J.toarray() if hasattr(J, "toarray") else np.asarray(J)
    np.testing.assert_allclose(np.reshape(J, want.shape), want, rtol=1e-12, atol=1e-12)


def test_einsum_long_operand_second_no_out_of_bounds():
    """attack33 repro_01's g: ``"ij,j->i"`` of ``(600, 1)`` and ``(2000,)`` with numba
    loaded read past a's rows (NaN); the analytic Jacobian now."""
    A = np.random.default_rng(0).standard_normal(2000)
    M = 600
    x = np.array([0.3, -1.2, 0.7, 2.0])

    def g(x):
        a = (A[:M] * x[0] + x[1]).reshape(M, 1)
        return np.einsum("ij,j->i", a, A * x[2] + x[3])
    ai = A[:M] * x[0] + x[1]
    Sb = A.sum() * x[2] + A.size * x[3]
    want = np.stack([A[:M] * Sb, np.full(M, Sb), ai * A.sum(), ai * A.size], axis=1)
    with backend.use("numba"):
        J = dg.jacobian(g, x)
    np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("func", [np.dot, np.inner, np.matmul, np.vecdot, np.vdot,
                                  np.linalg.vecdot, np.linalg.matmul])
@pytest.mark.parametrize("sa, sb", [((1,), (5,)), ((5,), (1,)), ((3, 1), (5,)),
                                    ((3, 5), (1,))])
def test_products_refuse_length_one_as_numpy(func, sa, sb):
    """The other lean products do not stretch: NumPy's ValueError on floats, the same
    on duals (never a kernel over the wrong length)."""
    a, b = np.ones(sa), np.ones(sb)
    try:
        func(a, b)
    except ValueError:
        pass
    else:
        pytest.skip("NumPy takes these shapes")
    with backend.use("numba"):
        with pytest.raises(ValueError):
            dg.jacobian(lambda x: func(a * x[0], b * x[1]), np.array([1.0, 2.0]))


# ---- item 2: np.asarray / np.array of a dual keep its memory layout ------------------
LAYOUTS = {
    "transpose": lambda x: x.reshape(4, 6).T,
    "strided transpose": lambda x: x.reshape(4, 6)[:, ::2].T,
    "reversed transpose": lambda x: x.reshape(4, 6).T[::-1],
    "3-d axes moved": lambda x: x.reshape(2, 3, 4).transpose(1, 2, 0),
    "F rows": lambda x: x.reshape(4, 6).T[1:3],
    "strided": lambda x: x.reshape(4, 6)[:, ::2],
}
READS = {
    "ravel": lambda a, o: np.ravel(a, order=o),
    "flatten": lambda a, o: a.flatten(o),
    "reshape": lambda a, o: np.reshape(a, -1, order=o) if o != "K" else a.ravel(o),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("conv", [np.asarray, np.array])
@pytest.mark.parametrize("order", ["K", "A"])
@pytest.mark.parametrize("read", READS)
def test_object_array_keeps_layout(layout, conv, order, read):
    """``np.asarray(d)`` / ``np.array(d)`` of a non-C-ordered dual read in memory
    order: NumPy's order on floats (the oracle: the values are the element numbers,
    so the Jacobian of a selection is the one-hot matrix of the float result)."""
    x0 = np.arange(1.0, 25.0)
    f = lambda x: READS[read](conv(LAYOUTS[layout](x)), order)
    want = np.eye(24)[f(x0).astype(int) - 1]
    np.testing.assert_array_equal(dg.jacobian(f, x0), want)


def test_object_array_layout_nested():
    """The Hessian path (nested duals) keeps the layout too: d^2/dx^2 of
    ``sum(w * ravel(asarray(x.reshape(2, 3).T), 'K')**2)`` is ``diag(2 w)`` (memory
    order is x's own)."""
    w = np.arange(1.0, 7.0)
    H = dg.hessian(lambda x: np.sum(w * np.ravel(np.asarray(x.reshape(2, 3).T), "K") ** 2),
                   np.linspace(0.1, 0.6, 6))
    np.testing.assert_allclose(H, np.diag(2 * w), rtol=1e-14)


# ---- item 3: np.vecdot's out= overlapping an operand -----------------------------------
X3 = np.array([0.3, -1.2, 0.7, 2.0, 0.5, 1.5])


def _vecdot_into(out_kind):
    def f(x):
        M = x[:4].reshape(2, 2) * 1.0
        v = x[4:6] * 1.0
        out = {"v": v, "M row": M[0], "fresh": np.zeros(2) * x[0]}[out_kind]
        np.vecdot(M, v, out=out)
        return out * 1.0
    return f


@pytest.mark.parametrize("out_kind", ["v", "M row"])
@pytest.mark.parametrize("sparsity", [None, "auto"])
def test_vecdot_overlapping_out_refused(out_kind, sparsity):
    """NumPy does not buffer ``np.vecdot(M, v, out=v)`` (its float value is not
    ``M @ v``): a named TypeError, never the buffered product's derivatives."""
    kw = {} if sparsity is None else {"sparsity": sparsity}
    with pytest.raises(TypeError, match=r"np\.vecdot\(\.\.\., out=out\).*Fix:"):
        dg.jacobian(_vecdot_into(out_kind), X3, **kw)


@pytest.mark.parametrize("sparsity", [None, "auto"])
def test_vecdot_fresh_out_and_matmul_overlap_still_exact(sparsity):
    """A fresh ``out=`` works (analytic Jacobian of ``M @ v``); ``np.matmul(M, v,
    out=v)``, which NumPy buffers, keeps working (central differences)."""
    kw = {} if sparsity is None else {"sparsity": sparsity}
    J = dg.jacobian(_vecdot_into("fresh"), X3, **kw)
    J = J.toarray() if hasattr(J, "toarray") else J
    M, v = X3[:4].reshape(2, 2), X3[4:]
    want = np.zeros((2, 6))
    want[0, 0:2], want[1, 2:4], want[:, 4:] = v, v, M
    np.testing.assert_allclose(J, want, rtol=1e-15)

    def g(x):
        M = x[:4].reshape(2, 2) * 1.0
        v = x[4:6] * 1.0
        np.matmul(M, v, out=v)
        return v * 1.0
    np.testing.assert_allclose(dg.jacobian(g, X3), _fd_jacobian(g, X3), rtol=1e-12,
                               atol=1e-12)


# ---- item 4: np.emath at an element 0 of an array gone complex -------------------------
EMATH = {
    "log": (np.emath.log, lambda v: 1 / v),
    "log10": (np.emath.log10, lambda v: 1 / (v * np.log(10))),
    "log2": (np.emath.log2, lambda v: 1 / (v * np.log(2))),
    "power 0.5": (lambda x: np.emath.power(x, 0.5), lambda v: 0.5 / np.sqrt(v)),
}


@pytest.mark.parametrize("name", EMATH)
def test_emath_zero_element_of_complex_array(name):
    """``x = [4, -4, 0, 2.5]``: NumPy's values (to the bit); the analytic derivative
    ``f'(x + 0j)`` at the nonzero elements and the real path's ``+inf`` (+0j) at the
    0 element, whichever the other elements' signs (the all-real array's too)."""
    F, d = EMATH[name]
    x = np.array([4.0, -4.0, 0.0, 2.5])
    with np.errstate(all="ignore"):
        want_value = F(x)
        value, J = _value_and_jacobian(F, x)
        np.testing.assert_array_equal(value, want_value)
        diag = np.diag(J)
        nz = x != 0
        np.testing.assert_allclose(diag[nz], d(x[nz] + 0j), rtol=1e-14)
        assert diag[2] == np.inf + 0j and not np.isnan(diag[2].imag)
        assert np.all(J[~np.eye(4, dtype=bool)] == 0)
        real = np.diag(dg.jacobian(F, np.abs(x)))
    assert real[2] == np.inf


def test_emath_logn_zero_element_real_part():
    """``np.emath.logn(3, x)``: NumPy's own value there is ``-inf+nanj`` (complex over
    real division); the derivative's real part is ``+inf`` (was NaN)."""
    x = np.array([4.0, -4.0, 0.0])
    with np.errstate(all="ignore"):
        J = dg.jacobian(lambda y: np.emath.logn(3, y), x)
    assert J[2, 2].real == np.inf
    # d/dx log(x) / log(3) = 1 / (x log 3), on the real and the negative (complex) side
    np.testing.assert_allclose(np.diag(J)[:2], 1 / (x[:2] * np.log(3)), rtol=1e-14)
    assert np.all(J[~np.eye(3, dtype=bool)] == 0)


# ---- item 5: put with empty indices -----------------------------------------------------
@pytest.mark.parametrize("how", ["np.put", "d.put"])
@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
@pytest.mark.parametrize("sparsity", [None, "auto"])
def test_put_empty_indices_is_a_no_op(how, mode, sparsity):
    """``np.put(z, [], values)`` writes nothing whatever ``values`` (NumPy): the
    Jacobian of ``z = 2 x`` then ``put`` is ``2 I`` (central differences agree)."""
    x0 = np.array([0.3, -1.2, 0.7, 2.0])

    def f(x):
        z = x * 2.0
        idx = np.flatnonzero(np.abs(x0) > 5.0)          # none
        if how == "np.put":
            np.put(z, idx, x[1:3] * 3.0, mode=mode)
        else:
            z.put(idx, x[1:3] * 3.0, mode=mode)
        return z
    kw = {} if sparsity is None else {"sparsity": sparsity}
    J = dg.jacobian(f, x0, **kw)
    J = J.toarray() if hasattr(J, "toarray") else J
    np.testing.assert_allclose(J, _fd_jacobian(f, x0), rtol=1e-14)
    np.testing.assert_array_equal(J, 2 * np.eye(4))


# ---- item 6: joins of long-double duals -----------------------------------------------
L2 = np.longdouble(2)
JOINS = {
    "concatenate": (lambda x: np.concatenate([x * L2, x[:2]]),
                    np.vstack([2 * np.eye(4), np.eye(4)[:2]])),
    "stack": (lambda x: np.stack([x * L2, x]), np.stack([2 * np.eye(4), np.eye(4)])),
    "hstack f32": (lambda x: np.hstack([x * L2, x * np.float32(3)]),
                   np.vstack([2 * np.eye(4), 3 * np.eye(4)])),
    "vstack": (lambda x: np.vstack([x * L2, x]), np.stack([2 * np.eye(4), np.eye(4)])),
}


@pytest.mark.parametrize("name", JOINS)
def test_longdouble_join(name):
    """A join with a long-double dual (was a RecursionError): NumPy's long-double
    value (exactly: the float join's) and the analytic Jacobian."""
    f, want = JOINS[name]
    x0 = np.array([0.3, -1.2, 0.7, 2.0])
    value, J = _value_and_jacobian(f, x0)
    assert value.dtype == f(x0).dtype == np.longdouble
    np.testing.assert_array_equal(value, f(x0))        # (tobytes: padding)
    np.testing.assert_array_equal(np.asarray(J, dtype=np.float64), want)


# ---- item 7: sparsity= nested in another helper (not refused: the ODE helper nests it) --
X7 = np.array([0.3, -1.2, 0.7])


def test_sparse_helper_nested_without_outer_dependence_works():
    """Nested, but ``f`` closes over no outer dual: the sparse Jacobian as before
    (analytic: ``2 I``, times the outer ``c``: d/dc = sum = 6)."""
    got = dg.derivative(lambda c: c * np.sum(dg.jacobian(lambda x: x * 2.0, X7,
                                                          sparsity="auto").toarray()), 1.0)
    assert got == 6.0
    dense = dg.derivative(lambda c: dg.jacobian(lambda x: x * c, X7), 1.5)
    np.testing.assert_array_equal(dense, np.eye(3))


# ---- item 8: np.place with values a view of the target ---------------------------------
X8 = np.array([0.3, -1.2, 0.7, 2.0, -0.4, 1.1])
PLACES = {
    "disjoint contiguous z[:2] into 4, 5": (lambda z: z[:2], [4, 5]),
    "strided z[::2] into 2, 4 (NumPy copies)": (lambda z: z[::2], [2, 4]),
    "reversed z[::-1] into 0, 5 (NumPy copies)": (lambda z: z[::-1], [0, 5]),
}


@pytest.mark.parametrize("name", PLACES)
@pytest.mark.parametrize("sparsity", [None, "auto"])
def test_place_view_values_numpy_reading(name, sparsity):
    """Values that are a view of the target where NumPy's reading is the values before
    any write: its value and the central differences' Jacobian (NumPy on floats)."""
    view, pos = PLACES[name]

    def f(x):
        z = x * 1.0
        mask = np.zeros(6, dtype=bool)
        mask[pos] = True
        np.place(z, mask, view(z))
        return z
    kw = {} if sparsity is None else {"sparsity": sparsity}
    J = dg.jacobian(f, X8, **kw)
    J = J.toarray() if hasattr(J, "toarray") else J
    np.testing.assert_allclose(J, _fd_jacobian(f, X8), rtol=1e-14, atol=1e-15)


def test_place_contiguous_view_overwritten_refused():
    """``z[3:5]`` into 4, 5: NumPy reads z[4] after writing it (a C-contiguous view is
    not copied): still the named TypeError."""
    def f(x):
        z = x * 1.0
        np.place(z, np.arange(6) >= 4, z[3:5])
        return z
    with pytest.raises(TypeError, match=r"np\.place.*vals\.copy\(\)"):
        dg.jacobian(f, X8)
