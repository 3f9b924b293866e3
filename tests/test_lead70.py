"""Stop 70, the lead: det's gradient where NumPy's determinant leaves the float range.

The oracle is mpmath: each cofactor is the determinant of a minor of the float
matrix's exact entries, computed at 60 digits, then rounded once.
"""

import mpmath
import numpy as np
import pytest

import dualgrad as dg


def _laplace(M):
    """The determinant of a small list-of-lists matrix of mpmath numbers, expanded
    along its first row (no pivoting: mpmath.det treats a tiny pivot as 0)."""
    if len(M) == 1:
        return M[0][0]
    return mpmath.fsum((-1) ** c * M[0][c] * _laplace([row[:c] + row[c + 1:] for row in M[1:]])
                       for c in range(len(M)))


def _cofactors(A):
    """``d det(A) / dA`` by mpmath: the cofactor matrix of ``A``'s exact entries (at
    150 digits the products of up to five doubles are exact), rounded once."""
    A = np.asarray(A)
    m = A.shape[0]
    with mpmath.workdps(150):
        M = [[mpmath.mpc(complex(v)) for v in row] for row in A]
        C = np.empty(A.shape, dtype=complex)
        for i in range(m):
            for j in range(m):
                minor = [row[:j] + row[j + 1:] for r, row in enumerate(M) if r != i]
                d = _laplace(minor) if m > 1 else mpmath.mpf(1)
                C[i, j] = complex((-1) ** (i + j) * d)
    return C if np.iscomplexobj(A) else C.real


def _close(got, want):
    """Each entry within 1e-13 of its own size or a few subnormal steps: the cofactors
    are products of the entries, a few roundings each."""
    got, want = np.asarray(got), np.asarray(want)
    assert np.array_equal(np.isinf(got), np.isinf(want)), (got, want)
    finite = np.isfinite(want)
    assert not np.isnan(got).any(), got
    err = np.abs(got[finite] - want[finite])
    assert np.all(err <= 1e-13 * np.abs(want[finite]) + 1e-320), (got, want)


def _gradient(A):
    m = A.shape[-1]
    return dg.gradient(lambda z: np.linalg.det(z.reshape(m, m)), A.ravel()).reshape(m, m)


_RNG = np.random.default_rng(70)
_FAR = {
    # the SVD's adjugate gave [0, 0, 0, 0] (accurate only to eps times 1e250)
    "diag spanning the range, det 0": np.diag([1e250, 1e-100, 1e-250, 1e-250]),
    "diag spanning the range, five": np.diag([1e250, 1e100, 1e-200, 1e-200, 1e-260]),
    "three tiny diag entries": np.diag([1e300, 1e100, 1e-300, 1e-300, 1e-300]),
    # det * tr(A^-1 dA): inf for the cofactors 1e50 and 1e250
    "det overflows, a cofactor too": np.diag([1e300, 1e100, 1e-50]),
    # det 1e-480 underflows to 0: the adjugate's 8e-4 relative error
    "random 3 x 3 times 1e-160": _RNG.normal(size=(3, 3)) * 1e-160,
    "random 4 x 4 times 1e-100": _RNG.normal(size=(4, 4)) * 1e-100,
    "rows of 1e200, 1e150, 1e-10, 1": _RNG.normal(size=(4, 4)) * np.array([[1e200], [1e150], [1e-10], [1.0]]),
    "random 5 x 5 times 1e70": _RNG.normal(size=(5, 5)) * 1e70,
    # det -inf: the whole scaled matrix's inverse gave -4.2e248 for 3.888e217 (attack70 F1)
    "entries 1e-149 .. 1e148": np.array([
        [-4.2e-06, -4.7e+27, 1.56e+99, 1.8500000000000002e+64],
        [-9.6e-63, 2.0999999999999997e-37, 1.54e+148, 9e+65],
        [5.2e-149, -1.6e+74, -8e-123, -1.0799999999999999e-21],
        [2.7000000000000004e+77, -5.4e-66, -0.46, -5.699999999999999e-87]]),
}


@pytest.mark.parametrize("name", sorted(_FAR))
def test_det_gradient_out_of_range(name):
    A = _FAR[name]
    assert not 2.2250738585072014e-308 <= abs(np.linalg.det(A)) < np.inf
    _close(_gradient(A), _cofactors(A))


_IN_RANGE_INVERSE_OVERFLOWS = {
    # det 5e10 in range; NumPy's inverse overflowed: [[nan, nan], [-inf, nan]] (diff70 F1)
    "rows of 1e160 and 1e-150": np.array([[2.0, 1.0], [1.0, 3.0]]) * np.array([[1e160], [1e-150]]),
    "columns of 1e175 and 1e20": _RNG.normal(size=(4, 4)) * np.array([1e3, 1e175, 1e136, 1e20]),
    "columns of 1e-40 and 1e185": _RNG.normal(size=(4, 4)) * np.array([1e78, 1e-40, 1e141, 1e185]),
    "rows and columns apart": _RNG.normal(size=(3, 3)) * np.array([[1e150], [1e-150], [1.0]])
    * np.array([1e-100, 1.0, 1e100]),
    # det 8.1e269: the whole scaled matrix's inverse gave -4.2e99 for -2.31e32 (attack70 F1c)
    "entries 1e-155 .. 1e156": np.array([
        [-0.044000000000000004, -2.5e+156, 1.1000000000000002e-155, 71000000000.0],
        [-3e-91, -6.3e+153, 1.0000000000000001e-44, -4.6e-134],
        [-4.5e-85, -1.73e-115, -6.2e-135, 5.3e+31],
        [6.1e+125, 850000000000.0, -99.0, -1700000000000.0002]]),
}


@pytest.mark.parametrize("name", sorted(_IN_RANGE_INVERSE_OVERFLOWS))
def test_det_gradient_where_the_inverse_overflows(name):
    A = _IN_RANGE_INVERSE_OVERFLOWS[name]
    _close(_gradient(A), _cofactors(A))


def test_det_stack_members_each_their_own():
    """A stack of an out-of-range member, an in-range one and one whose cofactors overflow."""
    members = [_FAR["random 3 x 3 times 1e-160"], _RNG.normal(size=(3, 3)),
               _FAR["det overflows, a cofactor too"]]
    S = np.stack(members)
    J = dg.jacobian(lambda z: np.linalg.det(z.reshape(3, 3, 3)), S.ravel()).reshape(3, 3, 3, 3)
    for k, A in enumerate(members):
        _close(J[k, k], _cofactors(A))
        others = [j for j in range(3) if j != k]
        assert np.all(J[k, others] == 0.0)


def test_det_complex_out_of_range():
    """A complex 3 x 3 of size 1e-120 (det ~1e-360 underflows): d det / d Re(A) is the
    complex cofactor."""
    Y = _RNG.normal(size=(3, 3)) * 1e-120
    X = _RNG.normal(size=(3, 3)) * 1e-120
    J = dg.jacobian(lambda x: np.linalg.det(x.reshape(3, 3) + 1j * Y), X.ravel())
    _close(np.asarray(J).reshape(3, 3), _cofactors(X + 1j * Y))


def test_det_in_range_unchanged_by_the_scaled_path():
    """A matrix whose det is in range keeps Jacobi's formula (no equilibration there)."""
    A = _RNG.normal(size=(4, 4))
    _close(_gradient(A), _cofactors(A))


def test_sparse_dual_data_advice_for_csr_works():
    """diff70 F2: the refusal for a CSR matrix whose .data holds duals said m = A.tocoo(),
    which after the assignment refuses alike; it says to convert the plain matrix first,
    and that spelling's row sums are exact (each row sum of 2 x_k is 2 per entry)."""
    sp = pytest.importorskip("scipy.sparse")
    B = sp.random(5, 4, density=0.5, format="csr", random_state=1)
    x = np.linspace(0.5, 2.0, B.nnz)

    def refused(x):
        A = B.copy()
        A.data = x * 2.0
        return A.sum(axis=1)

    with pytest.raises(TypeError, match=r"m = A\.tocoo\(\) while A's data are still plain"):
        dg.jacobian(refused, x)

    def advised(x):
        m = B.tocoo()
        m.data = x * 2.0
        return np.bincount(m.row, weights=m.data, minlength=m.shape[0])

    J = np.asarray(dg.jacobian(advised, x))
    rows = B.tocoo().row
    want = np.zeros((5, B.nnz))
    want[rows, np.arange(B.nnz)] = 2.0
    np.testing.assert_array_equal(J, want)
