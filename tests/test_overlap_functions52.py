"""np.fill_diagonal and a masked np.copyto with a source overlapping the destination
(attack52 06): NumPy writes element by element through elements it already wrote;
dualgrad's rewrite as one buffered store gave values and derivatives of other
elements.  fill_diagonal follows NumPy's flat order (exact), a masked copyto refuses
naming the copy, for the Jacobian, the sparsity tracer and the Hessian; the copied
spelling is exact."""

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


@pytest.mark.parametrize("how", ["jacobian", "sparsity", "hessian"])
def test_an_overlapping_masked_copy_is_refused(how):
    f = _masked(False)
    call = {"jacobian": lambda: dg.jacobian(f, X),
            "sparsity": lambda: dg.sparsity(f, X),
            "hessian": lambda: dg.hessian(lambda x: f(x) @ f(x), X)}[how]
    with pytest.raises(TypeError, match=r"\.copy\(\)"):
        call()


def test_fill_diagonal_follows_numpy_s_order():
    f = _diagonal(False)
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, _central(f, X), atol=1e-8)
    np.testing.assert_array_equal(dg.sparsity(f, X).toarray(), J != 0)


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


M7 = np.array([1, 0, 1, 1, 0, 1, 1], bool)


def _placed(x):
    d = x * 1.0
    np.place(d[1:], M7, d[:-1])          # NumPy reads d while it writes it
    return d


def _joined(x):
    d = x * 1.0
    np.concatenate([d[4:], d[:4]], out=d)
    return d


@pytest.mark.parametrize("f", [_placed, _joined])
def test_nested_duals_see_the_overlap_first_order_refuses(f):
    """A Hessian's duals hold duals as values: the overlap test looked one level down
    and took the buffered write (attack52b 16: np.place's Hessian diagonal [4 2 4 2 2 2 0
    0] for second differences' [8 0 6 0 0 2 0 0]); now refused as at first order."""
    x = np.linspace(0.3, 2.1, 8)
    with pytest.raises(TypeError):
        dg.jacobian(f, x)
    with pytest.raises(TypeError):
        dg.hessian(lambda x: np.sum(np.cos(np.arange(8)) * f(x) ** 2), x)


def test_a_nested_shift_numpy_buffers_is_exact():
    def F(x):
        d = x * 1.0
        d[1:] = d[:-1]
        return np.sum(d ** 2)
    x = np.linspace(0.3, 2.1, 8)
    want = np.diag([4.0, 2, 2, 2, 2, 2, 2, 0])          # F = 2 x0^2 + x1^2 + ... + x6^2
    np.testing.assert_array_equal(dg.hessian(F, x), want)
