"""``d[index] = e`` where ``e`` overlaps ``d`` (attack51c 01), and f writing into its own
input under sparse Hessians (attack51c 02).

NumPy copies some overlapping sources element by element (``a[::2] = a[:4]``: a[4]
receives the a[2] it has just written, x[1]), where the partials' rows, a 2-D array,
are copied through a buffer: the value followed one element and the derivative another,
silently.  Such writes are refused; shifts and reversals, whose NumPy order is the
buffered one, stay exact.  Oracle: NumPy's own float program (which element each entry
holds: its Jacobian is that permutation) and central differences.
"""
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused

X = np.arange(1.0, 9.0) ** 1.5


def _mask():
    m = np.zeros(8, bool)
    m[::2] = True
    return m


CHAINED = {
    "upsample": lambda d: d.__setitem__(slice(None, None, 2), d[:4]),
    "copyto": lambda d: np.copyto(d[::2], d[:4]),
    "mask": lambda d: d.__setitem__(_mask(), d[:4]),
    "reversed strides": lambda d: d.__setitem__(slice(7, None, -2), d[4::-1][:4]),
}
COMPLEX = {                       # complex values, and a real part's view of them
    "complex": lambda z: z.__setitem__(slice(None, None, 2), z[:4]),
    "real part": lambda z: z.real.__setitem__(slice(None, None, 2), z.real[:4]),
    "imaginary part": lambda z: z.imag.__setitem__(slice(None, None, 2), z.imag[:4]),
}
BUFFERED = {
    "shift right": lambda d: d.__setitem__(slice(1, None), d[:-1]),
    "shift left": lambda d: d.__setitem__(slice(None, -1), d[1:]),
    "reverse": lambda d: d.__setitem__(slice(None, None, -1), d),
    "copied first": lambda d: d.__setitem__(slice(None, None, 2), d[:4].copy()),
}


def _program(write):
    def f(x):
        d = x * 1.0
        write(d)
        return d
    return f


def _which(write):
    """NumPy's float program on element numbers: the element each entry holds."""
    ids = np.arange(8.0)
    write(ids)
    return ids.astype(int)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", CHAINED)
def test_a_write_numpy_chains_through_its_own_elements_is_refused(name, engine):
    write = CHAINED[name]
    with _fused.engine(engine), pytest.raises(TypeError, match=r"e\.copy\(\)"):
        dg.jacobian(_program(write), X)


@pytest.mark.parametrize("name", COMPLEX)
def test_a_chained_write_of_complex_values_or_parts_is_refused(name):
    # the same order on complex values (16-byte elements) and through z.real / z.imag
    # (8-byte views strided over them): NumPy's float program holds another element
    # than a buffered write would, so the derivative would be another element's
    write = COMPLEX[name]
    z = np.arange(8.0) * (1 + 0.5j)
    write(z)
    buffered = np.arange(8.0) * (1 + 0.5j)
    if name == "complex":
        buffered[::2] = buffered[:4].copy()
    else:
        part = buffered.real if name == "real part" else buffered.imag
        part[::2] = part[:4].copy()
    assert not np.array_equal(z, buffered)              # (the case is a chained one)

    def f(x):
        z = x * (1 + 0.5j)
        write(z)
        return np.abs(z)
    with pytest.raises(TypeError, match=r"e\.copy\(\)"):
        dg.jacobian(f, X)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", BUFFERED)
def test_writes_in_numpy_buffered_order_stay_exact(name, engine):
    write = BUFFERED[name]
    with _fused.engine(engine):
        J = dg.jacobian(_program(write), X)
    np.testing.assert_array_equal(J, np.eye(8)[_which(write)])
    f = _program(write)
    h = 1e-6
    fd = np.stack([(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(8)], -1)
    np.testing.assert_allclose(J, fd, atol=1e-6)


def test_sparse_hessians_of_f_writing_into_its_input():
    # attack51c 02: f writes into x itself (x[1:3] = x[3:5] ** 2); the dense Hessian was
    # right, the sparse ones raised SharedBufferError (the coloring kept the seeds'
    # partials alive while f ran).  Oracle: central differences of the float function.
    x0 = np.linspace(0.3, 1.4, 8)

    def fs(x):
        x[1:3] = x[3:5] ** 2
        return np.sum(np.sin(x) * x)

    def grad_fd(x, h=1e-5):
        return np.array([(fs(x + h * e) - fs(x - h * e)) / (2 * h) for e in np.eye(8)])
    h = 1e-4
    want = np.stack([(grad_fd(x0 + h * e) - grad_fd(x0 - h * e)) / (2 * h)
                     for e in np.eye(8)], -1)
    for H in (dg.hessian(fs, x0.copy(), sparsity="auto").toarray(),
              dg.hessian(fs, x0.copy(), sparsity=dg.hessian_sparsity(fs, x0.copy())).toarray(),
              dg.jacobian(dg.grad(fs), x0.copy(), sparsity="auto").toarray()):
        np.testing.assert_allclose(H, want, atol=1e-5)
