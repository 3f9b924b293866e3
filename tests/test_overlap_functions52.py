"""np.fill_diagonal and a masked np.copyto with a source overlapping the destination
(attack52 06): NumPy writes element by element through elements it already wrote;
dualgrad's rewrite as one buffered store would give values and derivatives of other
elements, so it refuses, naming the copy; the copied spelling is exact."""

import numpy as np
import pytest

import dualgrad as dg

X = np.arange(1.0, 10.0)
MASK = np.array([1, 1, 1, 0, 1], bool)


def _diagonal(copy):
    def f(x):
        d = x * 1.0
        val = d[2:5]
        np.fill_diagonal(d.reshape(3, 3), val.copy() if copy else val)
        return d
    return f


def _masked(copy):
    def f(x):
        d = x * 1.0
        src = d[:5]
        np.copyto(d[::2], src.copy() if copy else src, where=MASK)
        return d
    return f


def _central(f, x, h=1e-6):
    return np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)], -1)


@pytest.mark.parametrize("spelling", [_diagonal, _masked])
def test_numpy_chains_these_writes(spelling):
    # the oracle of the refusal: NumPy's float program differs from a buffered write
    assert not np.array_equal(spelling(False)(X), spelling(True)(X))


@pytest.mark.parametrize("spelling", [_diagonal, _masked])
@pytest.mark.parametrize("how", ["jacobian", "sparsity", "hessian"])
def test_overlapping_sources_are_refused(spelling, how):
    if spelling is _diagonal and how == "jacobian":
        pytest.skip("followed exactly: test_fill_diagonal_into_a_c_contiguous_array_follows_numpy")
    f = spelling(False)
    call = {"jacobian": lambda: dg.jacobian(f, X),
            "sparsity": lambda: dg.sparsity(f, X),
            "hessian": lambda: dg.hessian(lambda x: f(x) @ f(x), X)}[how]
    with pytest.raises(TypeError, match=r"\.copy\(\)"):
        call()


@pytest.mark.parametrize("spelling", [_diagonal, _masked])
def test_the_copied_source_is_exact(spelling):
    f = spelling(True)
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, _central(f, X), atol=1e-8)
    np.testing.assert_array_equal(dg.jacobian(f, X, sparsity="auto").toarray(), J)


def test_a_masked_shift_numpy_buffers_is_exact():
    def f(x):
        d = x * 1.0
        np.copyto(d[1:], d[:-1], where=np.ones(8, bool))
        return d
    np.testing.assert_allclose(dg.jacobian(f, X), _central(f, X), atol=1e-8)


def test_fill_diagonal_into_a_c_contiguous_array_follows_numpy():
    # small52: np.fill_diagonal of a dual val overlapping a C-contiguous dual a stores
    # through a.flat, whose C-order emulation takes NumPy's chained order itself, so
    # the first-order call is exact rather than refused (nested duals, the sparsity
    # tracer and other layouts are still refused above); oracle: NumPy's float program
    # on element numbers, and central differences
    f = _diagonal(False)
    ids = np.arange(9.0)
    np.fill_diagonal(ids.reshape(3, 3), ids[2:5])
    J = dg.jacobian(f, X)
    np.testing.assert_array_equal(J, np.eye(9)[ids.astype(int)])
    np.testing.assert_allclose(J, _central(f, X), atol=1e-8)
