"""np.put_along_axis into an array dual (dispatch/_functions.py): NumPy's values and
errors, derivatives against the complex step of the same NumPy code."""

import numpy as np
import pytest

import dualgrad as dg

def _complex_step(f, x, h=1e-30):
    """The Jacobian of ``f`` at ``x`` by the complex step (exact to rounding for code
    that is analytic in each input, as these stores are)."""
    cols = [np.imag(f(x + 1j * h * e)) / h for e in np.eye(x.size).reshape((x.size,) + x.shape)]
    return np.stack([np.ravel(c) for c in cols], axis=-1)


def _argmax_store(axis):
    def f(x):
        y = np.outer(x, x[::-1]) if axis is not None else np.outer(x, x).ravel()[:7]
        y = np.sin(y)
        if axis is None:
            where = np.array([6, -2, 0, 0])            # negative and repeated positions
            np.put_along_axis(y, where, x[:4] ** 3, axis=None)
        else:
            where = np.argmax(np.real(y), axis=axis, keepdims=True)
            values = np.cos(x)[:, None] if axis in (1, -1) else np.cos(x)[None, :]
            np.put_along_axis(y, where, values, axis=axis)
        return y
    return f


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_jacobian_matches_the_complex_step(axis):
    f = _argmax_store(axis)
    x = np.array([0.3, -1.2, 2.0, 0.7])
    np.testing.assert_allclose(dg.jacobian(f, x).reshape(-1, x.size), _complex_step(f, x),
                               rtol=1e-13, atol=1e-15)


def test_plain_values_broadcast_and_a_view_of_the_dual():
    def f(x):
        base = np.tile(x, (3, 1)) * np.arange(1.0, 4.0)[:, None]
        view = base.T                                  # (4, 3) view: the store reaches base
        np.put_along_axis(view, np.array([[2], [0], [1], [2]]), 5.0, axis=1)
        return base * x
    x = np.array([1.5, -0.5, 2.5, 4.0])
    np.testing.assert_allclose(dg.jacobian(f, x).reshape(-1, 4), _complex_step(f, x),
                               rtol=1e-14, atol=0)


def test_a_three_axis_store_and_its_hessian():
    def f(x):
        y = np.multiply.outer(np.multiply.outer(x[:2], x[1:4]), x[2:])   # (2, 3, 2)
        idx = np.array([[[1, 0]], [[2, 2]]])                               # (2, 1, 2)
        np.put_along_axis(y, idx, np.exp(x[:2])[:, None, None], axis=1)
        return np.sum(y ** 2)
    x = np.array([0.4, -0.9, 1.3, 0.2])
    g = lambda z: np.ravel(_complex_step(f, z))
    H = dg.hessian(f, x)
    # the Hessian's columns by a fourth-order central difference of the complex-step gradient
    h = 1e-3
    cols = []
    for e in np.eye(4):
        cols.append((-g(x + 2 * h * e) + 8 * g(x + h * e) - 8 * g(x - h * e) + g(x - 2 * h * e))
                    / (12 * h))
    np.testing.assert_allclose(H, np.stack(cols, axis=-1), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(dg.gradient(f, x), g(x), rtol=1e-13)


def test_sparse_jacobian_equals_the_dense_one():
    f = _argmax_store(1)
    x = np.array([0.3, -1.2, 2.0, 0.7])
    dense = dg.jacobian(f, x).reshape(-1, x.size)
    sparse = dg.jacobian(lambda z: np.ravel(f(z)), x, sparsity="auto")
    np.testing.assert_array_equal(sparse.toarray(), dense)


@pytest.mark.parametrize("indices, axis, exc", [
    (np.array([[0.0]]), 1, IndexError),                # not integers
    (np.array([0, 1]), 1, ValueError),                 # ndim differs from arr's
    (np.array([[0, 1]]), None, ValueError),            # axis=None wants 1-D indices
    (np.array([6]), None, IndexError),                 # out of bounds, flat
    (np.array([[3]]), 1, IndexError),                  # out of bounds along the axis
    (np.array([[0]]), 2, np.exceptions.AxisError),
])
def test_errors_are_numpys(indices, axis, exc):
    plain = np.arange(6.0).reshape(2, 3)
    with pytest.raises(exc) as expected:
        np.put_along_axis(plain.copy(), indices, 1.0, axis=axis)

    def f(x):
        y = np.outer(x[:2], x)
        np.put_along_axis(y, indices, 1.0, axis=axis)
        return y
    with pytest.raises(exc) as got:
        dg.jacobian(f, np.array([1.0, 2.0, 3.0]))
    assert str(expected.value) in str(got.value)


def test_a_dual_into_a_plain_array_is_refused_with_a_fix():
    def f(x):
        y = np.zeros((2, 3))
        np.put_along_axis(y, np.array([[0], [2]]), x[:, None], axis=1)
        return y
    with pytest.raises(TypeError, match="zeros_like|Fix"):
        dg.jacobian(f, np.array([1.0, 2.0]))


def test_fixed_indices_give_the_tight_pattern():
    def f(x):
        y = np.outer(x, x[:3])                          # (4, 3)
        np.put_along_axis(y, np.array([[0], [2], [1], [0]]), (x ** 2)[:, None], axis=1)
        return np.ravel(y)
    x = np.array([0.3, -1.2, 2.0, 0.7])
    sparse = dg.jacobian(f, x, sparsity="auto")
    dense = _complex_step(f, x)
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=1e-14, atol=0)
    # row i's stored column holds x_i ** 2 alone: one entry, not the outer product's two
    assert sparse.nnz == np.count_nonzero(dense)


def test_random_shapes_and_axes_against_the_complex_step():
    rng = np.random.default_rng(71)
    for _ in range(40):
        ndim = rng.integers(1, 4)
        shape = tuple(rng.integers(1, 4, ndim))
        axis = int(rng.integers(-ndim, ndim))
        ishape = list(shape)
        ishape[axis] = int(rng.integers(1, 4))
        idx = rng.integers(-shape[axis], shape[axis], ishape)
        size = int(np.prod(shape))

        def f(x):
            y = np.sin(x[:size]).reshape(shape) * x[-1]
            vals = np.exp(x[:np.prod(ishape)]).reshape(ishape)
            np.put_along_axis(y, idx, vals, axis=axis)
            return y
        x = rng.normal(size=max(size, int(np.prod(ishape))) + 1)
        np.testing.assert_allclose(dg.jacobian(f, x).reshape(-1, x.size), _complex_step(f, x),
                                   rtol=1e-14, atol=0)
