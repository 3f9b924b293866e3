"""Products on array duals through dispatch's lean products (issue 13, prod40):
``np.dot``, ``np.inner``, ``np.vdot``, ``np.vecdot``, ``np.matmul`` / ``@`` and their
``np.linalg`` twins, and ``np.einsum`` of two operands whose subscripts spell a product
(``dispatch._lean_products``), and einsum's batched subscripts (``"wij,wjk->wik"``,
``"...i,...i->..."``) through the stacked ``matmul`` calls (``_linalg._einsum_batched``).

The oracle runs no dualgrad path: each direction's central difference of NumPy's own
function on floats, ``(f(a + h da, b + h db) - f(a - h da, b - h db)) / 2h``.  A product
is bilinear, so ``t -> f(a + t da, b + t db)`` is a quadratic in ``t`` and that
difference is its derivative at 0 up to the rounding of the float products, at any
step (here 0.5): no truncation error to allow for.  Values are held to NumPy's bits.
Each test that expects the lean path also checks that it ran (a spy on its last step),
and the cases it must decline (complex values, keywords, other subscripts, a value
holding inf or NaN, an escaped dual) that it did not.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch import _lean_products
from dualgrad.dual._base import new_tag

H = 0.5


def _oracle(f, a, pa, b, pb):
    """Directions last: each one's central difference of ``f`` on floats."""
    n = (pa if pa is not None else pb).shape[-1]
    cols = []
    for k in range(n):
        da = 0.0 if pa is None else pa[..., k]
        db = 0.0 if pb is None else pb[..., k]
        cols.append((np.asarray(f(a + H * da, b + H * db)) -
                     np.asarray(f(a - H * da, b - H * db))) / (2 * H))
    return np.stack(cols, axis=-1)


def _tolerance(f, a, pa, b, pb):
    """The size of the products' terms times a few ulps (what both sides round)."""
    big = 0.0
    for p, q in ((pa, b), (a, pb)):
        if p is not None and q is not None:
            left = np.abs(p[..., 0]) if p is pa else np.abs(a)
            right = np.abs(q) if p is pa else np.abs(pb[..., 0])
            big += float(np.max(np.abs(f(left, right)), initial=0.0))
    return 1e-13 * (big + 1.0)


@pytest.fixture
def lean_calls(monkeypatch):
    """How many products the lean path finished (a spy on ``_finish``, and on the array
    results the product functions make themselves: ``A @ u`` with a plain matrix since
    small47, ``make_real`` called outside ``_finish``)."""
    calls = []
    finish, made = _lean_products._finish, _lean_products.make_real
    inside = [0]

    def spy(*args):
        inside[0] += 1
        try:
            result = finish(*args)
        finally:
            inside[0] -= 1
        calls.append(result is not None)
        return result

    def made_spy(*args):
        if not inside[0]:
            calls.append(True)
        return made(*args)
    monkeypatch.setattr(_lean_products, "_finish", spy)
    monkeypatch.setattr(_lean_products, "make_real", made_spy)
    return calls


def _check(f, a, b, pa, pb, tag, bits=True):
    """``f`` of the duals (or of a dual and the plain other operand) against NumPy's
    value bits (``bits``; else to rounding) and the oracle; returns nothing, asserts."""
    x = a if pa is None else dg.Dual(a, pa, tag=tag)
    y = b if pb is None else dg.Dual(b, pb, tag=tag)
    got = f(x, y)
    want = f(a, b)
    if bits:
        assert np.asarray(got.value).tobytes() == np.asarray(want).tobytes()
    np.testing.assert_allclose(got.value, want, rtol=1e-14)
    oracle = _oracle(f, a, pa, b, pb)
    assert np.shape(got.partials) == oracle.shape
    np.testing.assert_allclose(got.partials, oracle, rtol=0,
                               atol=_tolerance(f, a, pa, b, pb))


# kind -> (shape of a, shape of b) at a small and a kernel-sized N, and its functions
SHAPES = {"vv": [((7,), (7,)), ((1000,), (1000,))],
          "mv": [((3, 7), (7,)), ((32, 32), (32,))],
          "vm": [((7,), (7, 3)), ((32,), (32, 32))],
          "mm": [((3, 7), (7, 2)), ((32, 32), (32, 32))]}
FUNCS = {
    "np.dot": (np.dot, "vv mv vm mm"),
    "np.matmul": (np.matmul, "vv mv vm mm"),
    "np.linalg.matmul": (np.linalg.matmul, "vv mv vm mm"),
    "@": (lambda a, b: a @ b, "vv mv vm mm"),
    "np.inner": (np.inner, "vv mv"),
    "np.vecdot": (np.vecdot, "vv mv"),
    "np.linalg.vecdot": (np.linalg.vecdot, "vv mv"),
    "np.vdot": (np.vdot, "vv"),
    "einsum i,i->": (lambda a, b: np.einsum("i,i->", a, b), "vv"),
    "einsum ij,j->i": (lambda a, b: np.einsum("ij,j->i", a, b), "mv"),
    "einsum i,ij->j": (lambda a, b: np.einsum("i,ij->j", a, b), "vm"),
    "einsum ij,jk->ik": (lambda a, b: np.einsum("ij,jk->ik", a, b), "mm"),
    "einsum spaced letters": (lambda a, b: np.einsum(" xq , q -> x ", a, b), "mv"),
    "einsum ab,bc->ac": (lambda a, b: np.einsum("ab,bc->ac", a, b), "mm"),
}
CASES = [(name, kind, size) for name, (_, kinds) in FUNCS.items() for kind in kinds.split()
         for size in (0, 1)]


@pytest.mark.parametrize("name, kind, size", CASES,
                         ids=[f"{n}-{k}-{'small' if s == 0 else 'N1e3'}" for n, k, s in CASES])
@pytest.mark.parametrize("n", [1, 4, 7])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_products_against_central_differences(name, kind, size, n, engine, lean_calls):
    """Both operands duals, the first, the second: NumPy's value bits, the oracle's
    partials, and the lean path ran for each (four directions at N = 1e3: the kernel
    where numba runs, else BLAS)."""
    f = FUNCS[name][0]
    sa, sb = SHAPES[kind][size]
    rng = np.random.default_rng(len(name) + 10 * n + size)
    a, b = rng.uniform(-1.0, 1.0, sa), rng.uniform(-1.0, 1.0, sb)
    pa, pb = rng.standard_normal(sa + (n,)), rng.standard_normal(sb + (n,))
    tag = new_tag()
    with backend.use(engine):
        for p, q in ((pa, pb), (pa, None), (None, pb)):
            _check(f, a, b, p, q, tag)
    assert lean_calls == [True, True, True]


@pytest.mark.parametrize("spec, sa, sb", [
    ("wij,wjk->wik", (3, 2, 4), (3, 4, 5)),
    ("abij,abjk->abik", (2, 3, 2, 4), (2, 3, 4, 2)),
    ("wij,wjk->wik", (4, 0, 3), (4, 3, 2)),
    ("...i,...i->...", (6, 5), (6, 5)),
    ("...k,...k->...", (2, 3, 5), (3, 5)),          # broadcast batch axes
    ("...i,...i->...", (5,), (4, 5)),
    ("...i,...i->...", (1, 3, 5), (2, 1, 5)),
    ("...i,...i->...", (5,), (5,)),
])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
def test_einsum_batched_subscripts(spec, sa, sb, cplx, lean_calls):
    """Stacked products spelled with einsum: NumPy's value, the oracle's partials,
    real (the lean path) and complex (the general path's ``_einsum_batched``; einsum
    conjugates nothing), one or both operands duals."""
    rng = np.random.default_rng(len(spec) + len(sa) + cplx)

    def draw(shape):
        x = rng.standard_normal(shape)
        return x + 1j * rng.standard_normal(shape) if cplx else x
    a, b = draw(sa), draw(sb)
    pa, pb = draw(sa + (3,)), draw(sb + (3,))
    tag = new_tag()
    f = lambda x, y: np.einsum(spec, x, y)           # noqa: E731
    for p, q in ((pa, pb), (pa, None), (None, pb)):
        _check(f, a, b, p, q, tag)
    assert lean_calls == ([] if cplx else [True] * 3)


def test_einsum_batched_takes_the_matmul_calls(monkeypatch):
    """On the general path (complex values): ``"wij,wjk->wik"`` reaches the stacked matmul's partials, ``"...i,...i->..."``
    no longer the direction-by-direction loop (``np.einsum`` is called once, for the
    value, where the loop called it once per direction and operand)."""
    from dualgrad.dispatch import _linalg
    seen = []
    stacked = _linalg._stacked_matmul_partials
    monkeypatch.setattr(_linalg, "_stacked_matmul_partials",
                        lambda *a: seen.append(1) or stacked(*a))
    rng = np.random.default_rng(3)
    tag = new_tag()
    A = dg.Dual(rng.standard_normal((3, 2, 4)) + 1j, rng.standard_normal((3, 2, 4, 5)) + 0j,
                tag=tag)                   # complex: the general path (the lean's: real)
    B = dg.Dual(rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2, 5)), tag=tag)
    np.einsum("wij,wjk->wik", A, B)
    assert seen == [1]
    calls = []
    einsum = np.einsum

    def counted(*args, **kwargs):
        calls.append(args[0] if args and isinstance(args[0], str) else None)
        return einsum(*args, **kwargs)
    monkeypatch.setattr(_linalg.np, "einsum", counted)
    x = dg.Dual(rng.standard_normal((6, 4)) + 1j, rng.standard_normal((6, 4, 5)) + 0j, tag=tag)
    y = dg.Dual(rng.standard_normal((6, 4)), rng.standard_normal((6, 4, 5)), tag=tag)
    r = einsum("...i,...i->...", x, y)
    assert r.shape == (6,) and calls == []


@pytest.mark.parametrize("f, sa, sb", [
    (lambda a, b: np.einsum("ij,jk->ki", a, b), (3, 4), (4, 2)),     # output transposed
    (lambda a, b: np.einsum("ij,ij->", a, b), (3, 4), (3, 4)),       # Frobenius product
    (lambda a, b: np.einsum("i,j->ij", a, b), (3,), (4,)),           # outer
    (lambda a, b: np.einsum("ij,j", a, b), (3, 4), (4,)),            # implicit output
    (lambda a, b: np.inner(a, b), (3, 4), (2, 4)),                   # a @ b.T
    (lambda a, b: np.vdot(a, b), (3, 4), (3, 4)),                    # flattens
    (lambda a, b: np.vecdot(a, b, axis=0), (4, 3), (4, 3)),
    (lambda a, b: np.matmul(a, b), (2, 3, 4), (2, 4, 3)),            # stacked
    (lambda a, b: np.dot(a, b), (2, 3, 4), (4, 2)),
])
def test_other_shapes_and_subscripts_take_the_general_path(f, sa, sb, lean_calls):
    """What the lean products do not cover is declined (nothing finished there) and
    the general path's partials are the oracle's."""
    rng = np.random.default_rng(sum(sa) + sum(sb))
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    pa, pb = rng.standard_normal(sa + (4,)), rng.standard_normal(sb + (4,))
    _check(f, a, b, pa, pb, new_tag())
    assert lean_calls == []


@pytest.mark.parametrize("f", [np.dot, np.matmul, np.vdot, np.vecdot,
                               lambda a, b: np.einsum("i,i->", a, b)])
def test_complex_and_integer_operands(f, lean_calls):
    """Complex values (vdot and vecdot conjugate the first operand) and an integer
    operand go the general path, exact; the lean path declines them."""
    rng = np.random.default_rng(8)
    a = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    b = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    pa = rng.standard_normal((6, 4)) + 1j * rng.standard_normal((6, 4))
    pb = rng.standard_normal((6, 4)) + 1j * rng.standard_normal((6, 4))
    tag = new_tag()
    for p, q in ((pa, pb), (pa, None), (None, pb)):
        _check(f, a, b, p, q, tag)
    k = np.arange(6)        # (the general path's value: NumPy's float product of the
    _check(f, a.real, k, pa.real.copy(), None, tag, bits=False)    # cast, not its mixed one)
    assert lean_calls == []


def test_inf_and_nan_operands_stay_nan_safe(lean_calls):
    """A value holding inf or NaN: the lean path declines (its finite-value test) and
    the NaN-safe general path keeps a zero partial's term 0."""
    a, b = np.array([1.0, np.inf, 2.0]), np.array([3.0, 4.0, 5.0])
    pa = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])       # inf's partials: zero
    pb = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    tag = new_tag()
    got = np.dot(dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag))
    assert got.value == np.inf
    # pa . b + a . pb per direction, the inf entry met only by zero partials in the
    # second: [3 + inf * 1, 5 + 1 * 1] = [inf, 6]
    np.testing.assert_array_equal(got.partials, [np.inf, 5.0 + 1.0])
    M = np.array([[1.0, np.nan], [2.0, 3.0]])
    pM = np.zeros((2, 2, 1))
    pM[1, 0, 0] = 1.0
    got = np.matmul(dg.Dual(M, pM, tag=tag), b[:2])
    np.testing.assert_array_equal(got.partials[:, 0], [0.0, 3.0])
    assert lean_calls and not any(lean_calls)       # declined (matmul: tried twice)


def test_out_arguments():
    """``np.matmul(a, b, out=d)`` fills the dual ``d`` (the general ufunc path);
    ``np.dot``'s ``out``, by keyword or by position, and ``np.einsum``'s raise the named
    TypeError (before: a positional ``out`` of np.dot got the values and no
    derivatives, with no error)."""
    rng = np.random.default_rng(4)
    tag = new_tag()
    A = dg.Dual(rng.standard_normal((3, 4)), rng.standard_normal((3, 4, 2)), tag=tag)
    b = dg.Dual(rng.standard_normal(4), rng.standard_normal((4, 2)), tag=tag)
    out = dg.Dual(np.zeros(3), np.zeros((3, 2)), tag=tag)
    assert np.matmul(A, b, out=out) is out
    np.testing.assert_array_equal(out.value, A.value @ b.value)
    np.testing.assert_allclose(out.partials, np.matmul(b.value, A.partials) +
                               A.value @ b.partials, rtol=1e-14)
    for target in (np.zeros(3), dg.Dual(np.zeros(3), np.zeros((3, 2)), tag=tag)):
        with pytest.raises(TypeError, match="np.dot with out="):
            np.dot(A, b, target)
        with pytest.raises(TypeError, match="np.dot with out="):
            np.dot(A, b, out=target)
        with pytest.raises(TypeError, match="np.einsum with out="):
            np.einsum("ij,j->i", A, b, out=target)


def test_escaped_dual_raises(lean_calls):
    """A dual that escaped its call raises the named error on the lean products'
    functions too (the lean path checks the tag is live)."""
    cache = {}

    def inner(y):
        cache["d"] = y
        return np.sum(y)
    dg.gradient(inner, np.ones(5))
    for f in (np.dot, np.matmul, np.vecdot, lambda a, b: np.einsum("i,i->", a, b),
              lambda a, b: a @ b):
        with pytest.raises(TypeError, match="escaped"):
            f(cache["d"], cache["d"])
        with pytest.raises(TypeError, match="escaped"):
            dg.gradient(lambda x: f(x, cache["d"]), np.ones(5))
    assert lean_calls == []


def test_jacobian_and_hessian_of_a_quadratic_form():
    """Through the helpers: ``f(x) = x . (A x) + b . x`` has gradient ``(A + A^T) x +
    b`` and Hessian ``A + A^T`` (the inner products of a Hessian are nested duals: the
    general path), and ``einsum``'s spelling gives the same."""
    rng = np.random.default_rng(12)
    A, b, x0 = rng.standard_normal((6, 6)), rng.standard_normal(6), rng.standard_normal(6)
    for f in (lambda x: np.dot(x, A @ x) + np.vdot(b, x),
              lambda x: np.einsum("i,i->", x, np.einsum("ij,j->i", A, x)) + np.inner(b, x)):
        np.testing.assert_allclose(dg.gradient(f, x0), (A + A.T) @ x0 + b, rtol=1e-13,
                                   atol=1e-13)
        np.testing.assert_allclose(dg.hessian(f, x0), A + A.T, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("f", [np.dot, np.matmul, np.linalg.matmul, lambda a, b: a @ b,
                               np.inner, np.vecdot, np.linalg.vecdot])
def test_transposed_matrix_dual_times_plain_vector(f, lean_calls, monkeypatch):
    """``M.T @ v`` of a dual ``M`` (partials not C-contiguous: a transpose's, as
    ``np.linalg.inv(a * I).T`` makes) and a plain ``v``: the lean ``mv`` product runs
    (mixed61: it declined every layout but C order, and the general path cost ~15 us
    more at 3 x 3), its value and partials the general path's bits (that path run by
    declining the lean one) and the oracle's partials, at four directions beside a
    kernel-sized matrix too (the kernel reads C-ordered partials only)."""
    rng = np.random.default_rng(61)
    for (k, m), n in (((3, 3), 5), ((32, 32), 4)):
        a, b = rng.standard_normal((k, m)), rng.standard_normal(k)
        pa = rng.standard_normal((k, m, n))
        tag = new_tag()
        x = dg.Dual(a, pa, tag=tag).T
        assert not x.partials.flags.c_contiguous
        got = f(x, b)
        with monkeypatch.context() as mp:
            mp.setattr(_lean_products, "_finish", lambda *args: None)
            general = f(x, b)
        assert got.value.tobytes() == general.value.tobytes()
        assert got.partials.tobytes() == general.partials.tobytes()
        oracle = _oracle(f, a.T, pa.transpose(1, 0, 2), b, None)
        np.testing.assert_allclose(got.partials, oracle, rtol=0, atol=1e-12 * m)
    assert lean_calls == [True, True]
