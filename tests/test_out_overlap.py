"""In-place writes and out= whose source shares memory with the destination.

NumPy reads ``d.put``'s values before it writes; it copies ``np.concatenate`` /
``np.stack``'s arrays into ``out=`` one after another without buffering (a later array
reads what an earlier one wrote).  An outside attack (attack30) found dualgrad's value
and Jacobian of another function in both: ``a.put([1, 2], a[:2])`` gave
``[0.7 0.7 0.7 2.1]`` (NumPy ``[0.7 0.7 1.3 2.1]``) and sparsity="auto" disagreed with the
dense Jacobian.  ``put`` now copies values that share memory with ``d``; a join whose
``out=`` overlaps an array joined raises the named TypeError (NumPy's result there is an
artifact of its copy order), in the dense helpers and the sparsity tracer alike.

Oracle: NumPy's own float run of the same ``f``: its value, and its Jacobian by central
differences (each f here is piecewise linear in ``p``, so they are exact to rounding
away from the switch points; none is near one at ``X``).
"""

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.7, 1.3, -0.4, 2.1, 0.5, -1.7])


def _function(body):
    namespace = {"np": np}
    lines = "".join(f"    {line.strip()}\n" for line in body.split(";"))
    exec(f"def f(p):\n    a = p * 1.0\n{lines}    return a", namespace)  # noqa: S102
    return namespace["f"]


def _numpy_jacobian(f, x, h=1e-7):
    return np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)], -1)


# NumPy's order matters in each: the source overlaps the destination
ORDERED = [
    "a.put([1, 2], a[:2])",                     # attack30's r7
    "a.put(np.arange(1, 6), a[:5])",            # a shift written with put
    "a.put([0, 1, 2], a[::-1][:3])",
    "a.put([1, 2, 3, 4], a[:2])",               # values repeated cyclically
    "a.put([5, 6, 7], a[:3], mode='wrap')",
    "a.put([1, 2], [a[0], a[1]])",
    "b = a.reshape(2, 3); b.put([1, 2], b[0])",
    # the sweep's cases of other in-place functions (they were right; kept right)
    "np.copyto(a[1:], a[:-1])",
    "np.copyto(a[1:], a[:-1], where=np.array([True, False, True, True, False]))",
    "np.copyto(a[:-1], a[1:], where=a[:-1] > 0)",
    "np.copyto(a, a[::-1])",
    "a[[1, 2, 3]] = a[[0, 1, 2]]", "a[1:4] = a[0:3]", "a[[3, 4, 5]] = a[:3]",
    "a[a > 0] = a[::-1][a > 0]", "a[::-1] = a", "a[1:] = a[:-1]", "a[:-1] = a[1:]",
    "a[...] = a[::-1]", "a[1:] += a[:-1]", "a[:-1] *= a[1:]", "a[[1, 2, 3]] += a[[0, 1, 2]]",
    "a[[1, 1, 2]] = a[[0, 2, 3]]", "b = a.reshape(2, 3); b[:, 1:] = b[:, :2]",
    "np.add.at(a, [1, 2, 2], a[:3])", "np.copyto(a, a[::-1], where=np.arange(6) % 2 == 0)",
    "a.reshape(3, 2).T[...] = a.reshape(2, 3)",
    "a.flat[[1, 2]] = a[:2]", "a.flat[1:3] = a[:2]", "a.flat = a[::-1]",
    "np.add(a[:-1], a[1:], out=a[1:])", "np.multiply(a[::-1], 2.0, out=a)",
    "np.negative(a[:-1], out=a[1:])", "np.subtract(a[1:], a[:-1], out=a[:-1])",
    "np.maximum(a[::-1], a, out=a)",
    "np.add.accumulate(a, out=a)", "np.add.accumulate(a[::-1], out=a)",
    "np.clip(a[::-1], -1, 1, out=a)",
    "np.matmul(np.eye(3)[::-1], a[:3], out=a[1:4])",
    "np.fill_diagonal(a.reshape(2, 3), a[:2])",
    # joins into an out= that overlaps no array joined (interleaved, or another array)
    "np.concatenate([a[1::2]], out=a[::2])",
    "b = a * 1.0; np.concatenate([a[3:], a[:3]], out=b); a = b",
    "b = a * 0.0; np.stack([a[3:], a[:3]], out=b.reshape(2, 3)); a = b",
    "np.stack([a[1], a[0]], out=a[:2])",          # a[1]: a scalar, copied as NumPy's is
]


@pytest.mark.parametrize("body", ORDERED)
def test_values_and_jacobian_are_numpys_where_the_order_matters(body):
    f = _function(body)
    want = f(X.copy())
    value, _ = dg.jvp(f, X, np.ones(X.size))
    np.testing.assert_allclose(value, want, rtol=0, atol=1e-15)
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, _numpy_jacobian(f, X), rtol=0, atol=1e-7)
    sparse = dg.jacobian(f, X, sparsity="auto")
    np.testing.assert_array_equal(sparse.toarray(), J)


def test_put_of_a_view_of_the_duals_own_values_reads_them_first():
    """``d.put(ind, d.value[:2])``: plain numbers (no derivatives), read before writing."""
    def f(p):
        a = p * 1.0
        a.put([1, 2], a.value[:2])
        return a
    x = X.copy()
    want = x.copy()
    want.put([1, 2], want[:2])
    value, tangent = dg.jvp(f, x, np.ones(x.size))
    np.testing.assert_array_equal(value, want)
    np.testing.assert_array_equal(tangent, [1.0, 0.0, 0.0, 1.0, 1.0, 1.0])


# NumPy's result is its copy order's: refused with the named error
OVERLAPPING_JOINS = [
    "np.concatenate([a[3:], a[:3]], out=a)",      # attack30's r4
    "np.concatenate([a[:3] * 2.0, a[:3]], out=a)",
    "np.concatenate([a[1:], a[:1]], out=a)",
    "np.concatenate([a.reshape(2, 3)[:, 1:], a.reshape(2, 3)[:, :1]], axis=1, out=a.reshape(2, 3))",
    "np.concatenate([a[::-1]], axis=None, out=a)",
    "np.stack([a[3:], a[:3]], out=a.reshape(2, 3))",
    "np.stack([a[:3], a[3:]], axis=1, out=a.reshape(3, 2))",
]


@pytest.mark.parametrize("body", OVERLAPPING_JOINS)
def test_a_join_into_an_out_that_overlaps_an_array_joined_raises_the_named_error(body):
    f = _function(body)
    # NumPy's own result is not the buffered join's: this is the case refused
    name = "concatenate" if "concatenate" in body else "stack"
    for call in (lambda: dg.jacobian(f, X), lambda: dg.jvp(f, X, np.ones(X.size)),
                 lambda: dg.sparsity(f, X), lambda: dg.jacobian(f, X, sparsity="auto")):
        with pytest.raises(TypeError) as info:
            call()
        message = str(info.value)
        assert f"np.{name}(..., out=out): expected an out= that shares no memory" in message
        assert "Fix: join into a new array and assign it" in message


def test_numpy_really_copies_the_joined_arrays_in_order():
    """The premise of the refusal: NumPy's float run is not the rotation."""
    a = np.array([0.7, 1.3, -0.4, 2.1])
    np.concatenate([a[2:], a[:2]], out=a)
    np.testing.assert_array_equal(a, [-0.4, 2.1, -0.4, 2.1])


def test_the_fix_the_message_names_gives_the_rotation_and_its_jacobian():
    def f(p):
        a = p * 1.0
        a[...] = np.concatenate([a[2:], a[:2]])
        return a
    x = X[:4]
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(4))[0], np.roll(x, -2))
    np.testing.assert_array_equal(dg.jacobian(f, x), np.roll(np.eye(4), -2, axis=0))
