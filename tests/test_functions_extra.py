"""hsplit/vsplit/dsplit, partition, rollaxis, real_if_close, np.linalg.eig/eigvals and
ufunc.at on duals; oracles: the linear maps NumPy applies to unit vectors, central
differences, closed forms."""

import numpy as np
import pytest

import dualgrad as dg
from _oracles import central

RNG = np.random.default_rng(4)


@pytest.mark.parametrize("func, shape, sections", [
    (np.hsplit, (4, 6), 3), (np.hsplit, (6,), [1, 4]), (np.vsplit, (4, 3), [1, 3]),
    (np.dsplit, (2, 3, 4), 2)])
def test_splits_are_their_linear_maps(func, shape, sections):
    x = RNG.standard_normal(shape)

    def f(x):
        return np.concatenate([(k + 1.0) * np.ravel(p) for k, p in
                               enumerate(func(x, sections))])
    np.testing.assert_allclose(dg.jacobian(f, x), central(f, x), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kth, axis", [(0, -1), (3, 0), ((1, 4), -1), (2, None)])
def test_partition_moves_partials_with_values(kth, axis):
    x = RNG.standard_normal((6, 5))
    f = lambda x: np.partition(x, kth, axis=axis)
    np.testing.assert_allclose(dg.jacobian(f, x), central(f, x), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("axis, start", [(0, 0), (2, 0), (1, 3), (-1, 1), (0, 2)])
def test_rollaxis_matches_numpy(axis, start):
    x = RNG.standard_normal((2, 3, 4))
    out = np.rollaxis(dg.Dual(x, np.ones(x.shape + (1,))), axis, start)
    np.testing.assert_array_equal(out.value, np.rollaxis(x, axis, start))
    f = lambda x: np.rollaxis(x, axis, start) * np.arange(24.0).reshape(
        np.rollaxis(x, axis, start).shape)
    np.testing.assert_allclose(dg.jacobian(f, x), central(f, x), rtol=1e-8, atol=1e-10)


def test_real_if_close_drops_only_a_negligible_imaginary_part():
    x = np.array([0.3, 1.2])
    J = dg.jacobian(lambda x: np.real_if_close(x * (1 + 1e-18j) * 2), x)
    assert J.dtype == np.float64
    np.testing.assert_array_equal(J, 2 * np.eye(2))
    J = dg.jacobian(lambda x: np.real_if_close(x * (1 + 0.5j)), x)
    np.testing.assert_array_equal(J, (1 + 0.5j) * np.eye(2))


def test_eig_values_and_vectors_against_central_differences():
    A = np.array([[2.0, 1.0, 0.3], [0.5, 3.0, 1.0], [0.2, 1.0, 4.0]])
    np.testing.assert_allclose(dg.jacobian(lambda A: np.linalg.eig(A)[0], A),
                               central(lambda A: np.linalg.eig(A)[0], A), rtol=1e-7,
                               atol=1e-8)
    np.testing.assert_allclose(dg.jacobian(lambda A: np.linalg.eig(A)[1], A),
                               central(lambda A: np.linalg.eig(A)[1], A), rtol=1e-7,
                               atol=1e-8)


def test_eigvals_of_a_rotation_are_complex_with_the_closed_form_derivative():
    # [[a, b], [-b, a]] has eigenvalues a +- i b
    f = lambda p: np.linalg.eigvals(np.stack([p, p[::-1] * np.array([-1.0, 1.0])]))
    J = dg.jacobian(f, np.array([0.5, 2.0]))
    w = np.linalg.eigvals(np.array([[0.5, 2.0], [-2.0, 0.5]]))
    expected = np.array([[1.0, 1j if w[0].imag > 0 else -1j],
                         [1.0, 1j if w[1].imag > 0 else -1j]])
    np.testing.assert_allclose(J, expected, atol=1e-12)
    # its vectors (1, +-i) / sqrt(2) tie for the largest modulus: LAPACK's phase jumps
    with pytest.raises(TypeError, match=r"np\.linalg\.eig's eigenvector .*tie for the "
                       r"largest modulus.*eigvals"):
        dg.jacobian(lambda p: np.linalg.eig(np.stack([p, p[::-1] * np.array([-1.0, 1.0])]))[1],
                    np.array([0.5, 2.0]))


def test_add_at_accumulates_repeated_indices():
    x = np.array([1.0, 2.0, 3.0, 4.0])

    def scatter(a):
        out = np.zeros_like(a[:3])
        np.add.at(out, [0, 1, 0, 2], a * a)
        np.subtract.at(out, np.array([2, 2]), a[:2])
        return out
    expected = np.array([[2.0, 0, 6.0, 0], [0, 4.0, 0, 0], [-1.0, -1.0, 0, 8.0]])
    np.testing.assert_array_equal(dg.jacobian(scatter, x), expected)
    assert dg.hessian(lambda a: np.sum(scatter(a) ** 2), x).shape == (4, 4)
    np.testing.assert_allclose(dg.hessian(lambda a: np.sum(scatter(a) ** 2), x),
                               central(lambda a: dg.gradient(
                                   lambda b: np.sum(scatter(b) ** 2), a), x), rtol=1e-7)


def test_add_at_into_a_plain_array_and_other_methods_refuse():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="storing a dual"):
        dg.gradient(lambda a: np.add.at(np.zeros(2), [0, 1], a) or 0.0, x)
    with pytest.raises(TypeError, match=r"np\.multiply\.at"):
        dg.gradient(lambda a: np.multiply.at(np.ones_like(a), [0, 1], a), x)


@pytest.mark.parametrize("constants", [
    lambda x: x[0, 0] * x[1, 1],
    lambda x: (x[0, 0], 2.0 * x[2, 3]),
    lambda x: ((x[0, 1], -1.0), (x[1, 2] ** 2, x[0, 0])),
    lambda x: (x[2, 1:3],),
], ids=["scalar", "pair", "per-axis", "array-pair"])
def test_pad_with_dual_constant_values(constants):
    """np.pad's constant_values holding duals (it raised the 'storing a dual into
    np.zeros' TypeError, and an AttributeError in a Hessian): the value is NumPy's on
    floats (later axes fill the corners) and the Jacobian central differences'."""
    x = np.arange(1.0, 13.0).reshape(3, 4) / 7.0
    width = ((1, 2), (2, 1))

    def f(x):
        return np.pad(x, width, constant_values=constants(x))
    got = dg.jacobian(f, x)
    assert got.shape == (6, 7, 3, 4)
    np.testing.assert_allclose(got, central(f, x), rtol=1e-8, atol=1e-10)
    plain = np.pad(x, width, constant_values=constants(x))
    seen = []
    dg.jacobian(lambda x: seen.append(f(x).value) or f(x), x)
    np.testing.assert_array_equal(seen[0], plain)
    h = dg.hessian(lambda x: np.sum(f(x) ** 2), x)
    np.testing.assert_allclose(h, central(lambda x: dg.gradient(lambda x: np.sum(f(x) ** 2), x),
                                          x), rtol=1e-7, atol=1e-8)


def _complex_step(f, x, h=1e-30):
    """d f / d x by the complex step (f real-analytic in x): exact to rounding."""
    cols = []
    for k in range(x.size):
        z = x.astype(complex)
        z.flat[k] += 1j * h
        cols.append(np.ravel(f(z)).imag / h)
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("shape, diagonal, wrap", [
    ((3, 3), "dual", False), ((5, 2), "dual", True), ((5, 2), "repeated", False),
    ((2, 4), "float", False), ((3, 3, 3), "dual", False), ((7, 3), "repeated", True),
    ((3, 3), "empty", False), ((3, 3, 3), "no values", False)])
def test_fill_diagonal_writes_values_and_derivatives(shape, diagonal, wrap):
    """user22: np.fill_diagonal(K, d + noise), a GP's usual spelling, raised.  The
    values are NumPy's own fill, the derivatives the complex step's.  No values to fill
    (``[]``, an empty dual) write nothing, as NumPy's flat store does; a dual ``K``
    raised IndexError (diff64)."""
    x = RNG.standard_normal(shape[0])

    def f(x):
        K = np.ones(shape) * np.sum(x ** 2)
        val = {"dual": np.exp(x[:min(shape)]) if len(shape) == 2 else 2.0 * x,
               "repeated": x[:2] * 3.0, "float": 7.5, "empty": x[:0] * 2.0,
               "no values": []}[diagonal]
        np.fill_diagonal(K, val, wrap=wrap)
        return K
    got = dg.jacobian(f, x)
    np.testing.assert_allclose(got, _complex_step(f, x).reshape(got.shape), rtol=1e-14,
                               atol=1e-14)
    value = dg.jvp(f, x, np.ones_like(x))[0]
    np.testing.assert_array_equal(value, f(x))
    with pytest.raises(TypeError, match="np.zeros_like"):
        dg.gradient(lambda x: np.fill_diagonal(np.zeros((3, 3)), x) or 0.0, x)


# attack28 item 3: np.partition's values are NumPy's bits (its vectorized selection
# orders the sides otherwise than np.argpartition from ~80 elements on), and each
# element's tangent is the tangent of the input element with that value (distinct
# values: found by value, an oracle independent of the implementation)
# (both ways of matching the places: the kernel's table of bit patterns and the sorts)
@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("n", [10, 79, 80, 100, 257, 1000, 5000])
def test_partition_is_numpys_and_tangents_follow_values(n, mode):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    v = rng.standard_normal(n)
    source = np.argsort(x)
    for kth in (0, n // 3, n - 1, -2, (1, n // 2, n - 3)):
        with dg.backend.use(mode):
            out, tangent = dg.jvp(lambda p: np.partition(p, kth), x, v)
        expected = np.partition(x, kth)
        assert np.asarray(out).tobytes() == expected.tobytes()
        np.testing.assert_array_equal(tangent, v[source[np.searchsorted(np.sort(x), expected)]])


@pytest.mark.parametrize("mode", ["numba", "numpy"])
def test_partition_2d_axes_and_ties_against_central_differences(mode):
    with dg.backend.use(mode):
        _partition_2d_axes_and_ties()


def _partition_2d_axes_and_ties():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 300))
    w = rng.standard_normal((4, 300))
    for axis, kth in ((1, 90), (-1, (5, 200)), (0, 1)):
        f = lambda p: np.sum(np.partition(p, kth, axis=axis) * w)
        g = dg.gradient(f, x)
        # f is linear near x: a central difference of any step below the gaps is exact
        # up to rounding
        d = rng.standard_normal(x.shape)
        h = 1e-7
        np.testing.assert_allclose(np.sum(g * d), (f(x + h * d) - f(x - h * d)) / (2 * h),
                                   rtol=1e-6)
    # repeated values with one source each value: same numbers, partials a permutation
    x = np.repeat(rng.standard_normal(60), 3)
    rng.shuffle(x)
    out = dg.jacobian(lambda p: np.partition(p, 50), x)
    np.testing.assert_array_equal(out.sum(axis=0), np.ones(x.size))
    np.testing.assert_array_equal(out.sum(axis=1), np.ones(x.size))
    np.testing.assert_array_equal(out @ x, np.partition(x, 50))


def test_partition_kernel_matches_the_sorts_at_ties_signed_zeros_and_nan():
    """Repeated values, values tied with a k-th one (a run split across segments),
    -0.0 beside 0.0 (NumPy's partition may return 0.0 for a -0.0) and NaN: the
    kernel's matching and the sorts' give the same Jacobian (the sorts: an
    implementation sharing none of the kernel's code), and it moves each input's
    partials onto places holding its value (rows sum to one; tied places the mean)."""
    rng = np.random.default_rng(55)
    x = np.round(rng.standard_normal(3000), 1)
    x[::7], x[::11], x[::97] = -0.0, 0.0, np.nan
    for kth in (1500, (10, 1500, 2950)):
        got = {}
        for mode in ("numba", "numpy"):
            with dg.backend.use(mode):
                got[mode] = dg.jvp(lambda p: np.partition(p, kth), x, np.arange(x.size) + 1.0)
        np.testing.assert_array_equal(got["numba"][0], got["numpy"][0])
        np.testing.assert_array_equal(got["numba"][1], got["numpy"][1])
        out = np.partition(x, kth)
        np.testing.assert_array_equal(got["numba"][0], out)
        # NumPy's own zeros, signs included (its partition turns some -0.0 into 0.0)
        assert got["numba"][0].tobytes() == out.tobytes()
        assert got["numpy"][0].tobytes() == out.tobytes()
        # each place's tangent is the index (+1) of an input holding its value, or the
        # mean of those indices at a k-th tie; NaN places the index of a NaN
        tangent = got["numba"][1]
        ks = np.atleast_1d(kth)
        nan = np.isnan(out)
        assert np.all(np.isin(tangent[nan], np.nonzero(np.isnan(x))[0] + 1.0))
        assert np.unique(tangent[nan]).size == nan.sum()
        for i in rng.choice(np.nonzero(~nan)[0], 200, replace=False).tolist() + ks.tolist():
            sources = np.nonzero(x == out[i])[0] + 1.0
            if np.any(out[ks] == out[i]):
                assert tangent[i] == pytest.approx(sources.mean(), rel=1e-12)
            else:
                assert tangent[i] in sources
