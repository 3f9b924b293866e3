"""misc47: small exactness holes, refusals and messages (stop 47).

1. np.max / np.min and their spellings return NumPy's own bits where the element an
   argmax picks differs from them: tied 0.0 and -0.0 (NumPy keeps another of the
   equal operands than argmax's first) and the sign of a NaN (attack46b 09).  Oracle:
   NumPy's value, bit for bit; the partials at ties: the mean of the tied elements'
   (rules/_table.py, TIES), written out here from the mask of the tied elements.
"""

import numpy as np
import pytest

import dualgrad as dg

_EXTREMES = {
    "max axis -1": lambda x: np.max(x, axis=-1),
    "min axis -1": lambda x: np.min(x, axis=-1),
    "max axis 0": lambda x: np.max(x, axis=0),
    "min axis 1": lambda x: np.min(x, axis=1),
    "max axes (0, 2)": lambda x: np.max(x, axis=(0, 2)),
    "min axes (0, 1)": lambda x: np.min(x, axis=(0, 1)),
    "max": lambda x: np.max(x),
    "min": lambda x: np.min(x),
    "max keepdims": lambda x: np.max(x, keepdims=True),
    "amax axis 2 keepdims": lambda x: np.amax(x, axis=2, keepdims=True),
    "amin": lambda x: np.amin(x, axis=1),
    "nanmax axis 1": lambda x: np.nanmax(x, axis=1),
    "nanmin": lambda x: np.nanmin(x),
    "ndarray.max": lambda x: x.max(axis=1),
    "ndarray.min": lambda x: x.min(),
    "maximum.reduce": lambda x: np.maximum.reduce(x, axis=2),
    "minimum.reduce": lambda x: np.minimum.reduce(x, axis=0),
    "fmax.reduce": lambda x: np.fmax.reduce(x, axis=1),
    "maximum.accumulate": lambda x: np.maximum.accumulate(x, axis=2),
    "minimum.accumulate": lambda x: np.minimum.accumulate(x, axis=1),
    "max of a transpose": lambda x: np.max(x.transpose(2, 0, 1), axis=1),
    "max initial": lambda x: np.max(x, axis=1, initial=-5.0),
}

_POOLS = ([0.0, -0.0], [0.0, -0.0, 1.0, -1.0], [0.0, -0.0, np.nan, -np.nan],
          [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan])


def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.int64)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(_EXTREMES))
def test_extremes_return_numpys_bits_at_signed_zeros_and_nan(name):
    f = _EXTREMES[name]
    rng = np.random.default_rng(47)
    for trial in range(12):
        x = rng.choice(_POOLS[trial % 4], size=(3, 4, 5))
        v = rng.standard_normal(x.shape)
        want = _bits(f(x))
        first = dg.jvp(f, x, v)[0]
        nested = dg.jvp(lambda y: dg.jvp(f, y, v)[0], x, v)[0]
        assert np.array_equal(_bits(first), want), (name, trial)
        assert np.array_equal(_bits(nested), want), (name, trial)


def test_the_reported_case_and_what_follows_from_it():
    a = np.array([[-0.0, 0.0], [0.0, -0.0]])
    for reduce in (np.max, np.min):
        def f(x):
            return 1.0 / reduce(x.reshape(2, 2), axis=-1)
        with np.errstate(divide="ignore"):
            want = f(a.ravel())
            got = dg.jvp(f, a.ravel(), np.ones(4))[0]
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
    one = np.array([0.0, -0.0])
    got = dg.jvp(lambda x: np.arctan2(np.min(x), -1.0), one, np.ones(2))[0]
    assert got == np.arctan2(np.min(one), -1.0)


@pytest.mark.parametrize("axis", [0, 1, None])
def test_the_partials_at_tied_zeros_stay_the_mean_of_the_tied(axis):
    x = np.array([[0.0, -0.0, -1.0], [-0.0, -2.0, 0.0]])
    J = dg.jacobian(lambda y: np.max(y, axis=axis), x)
    tied = (x == np.max(x, axis=axis, keepdims=True)).astype(float)
    want = tied / tied.sum(axis=axis, keepdims=True)          # (2, 3): weights per element
    if axis is None:
        assert np.array_equal(J.reshape(want.shape), want)
    else:
        for k in range(J.shape[0]):           # output k: the weights of its slice
            row = np.zeros_like(x)
            index = (slice(None), k) if axis == 0 else (k, slice(None))
            row[index] = want[index]
            assert np.array_equal(J[k].reshape(x.shape), row)


# ---- 2. scipy.sparse steps that keep duals in a sparse matrix are refused at that step

sp = pytest.importorskip("scipy.sparse")
_A = sp.random(5, 5, density=0.5, random_state=1, format="csr") + sp.eye(5, format="csr")
_AD = _A.toarray()
_X = np.arange(1.0, 6.0)


def _refusal(f, *names):
    with pytest.raises(dg.DualTypeError) as info:
        dg.jacobian(f, _X)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: ")
    for name in names:
        assert name in text, (name, text)
    return text


@pytest.mark.parametrize("form", ["csr", "csc"])
def test_a_compressed_constructor_with_dual_data_is_refused_there_and_its_fix_runs(form):
    A = _A.asformat(form)
    make = sp.csr_matrix if form == "csr" else sp.csc_matrix
    v = np.linspace(1.0, 2.0, 5)
    text = _refusal(lambda x: make((A.data * x[0] + x[1], A.indices, A.indptr),
                                   shape=A.shape) @ v,
                    f"scipy.sparse.{form}_matrix got dual numbers in its data", "np.add.at")
    assert "u @ L" not in text and "np.stack" not in text      # not the product's fix for u
    spelled = text.split("np.add.at(K, ")[1].split(", data)")[0]
    m, n = A.shape

    def fixed(x):                                # the message's spelling, as it reads
        data, indices, indptr = A.data * x[0] + x[1], A.indices, A.indptr
        K = np.zeros_like(data, shape=(m, n))
        np.add.at(K, eval(spelled, {"np": np, "m": m, "n": n, "indices": indices,
                                    "indptr": indptr}), data)
        return K @ v
    mask = (_AD != 0).astype(float)
    want = np.zeros((5, 5))                      # d/dx0 (A.data x0 + x1 on A's pattern) @ v
    want[:, 0], want[:, 1] = _AD @ v, mask @ v
    np.testing.assert_allclose(dg.jacobian(fixed, _X), want, rtol=1e-14)


def test_a_sparse_matrix_holding_scalar_duals_names_its_data_at_the_product():
    def f(x):                                    # the user's own object array: no conversion
        data = np.array([x[0]] * _A.nnz, dtype=object)
        return sp.csr_matrix((data, _A.indices, _A.indptr), shape=_A.shape) @ np.ones(5)
    text = _refusal(f, "scipy.sparse matrix of dual numbers", "np.add.at(K, (row, col), data)")
    assert "np.stack" not in text


@pytest.mark.parametrize("spelling", ["A.multiply(x).sum", "A.multiply(x).toarray",
                                      "csr_array * x"])
def test_multiply_is_named_as_the_step_and_its_fix_runs(spelling):
    f = {"A.multiply(x).sum": lambda x: np.asarray(_A.multiply(x).sum(axis=1)).ravel(),
         "A.multiply(x).toarray": lambda x: _A.multiply(x).toarray().ravel(),
         "csr_array * x": lambda x: (sp.csr_array(_A) * x).toarray().ravel()}[spelling]
    text = _refusal(f, "A.multiply(u) of a scipy.sparse matrix A and a dual u",
                    "A.toarray() * u")
    assert "scipy.sparse.sum" not in text and "scipy.sparse.toarray" not in text
    J = dg.jacobian(lambda x: (_A.toarray() * x).sum(axis=1), _X)     # the fix
    np.testing.assert_array_equal(J, _AD)
    J = dg.jacobian(lambda x: (_A.toarray() * x[:, None]).sum(axis=1), _X)   # a column
    np.testing.assert_array_equal(J, np.diag(_AD.sum(axis=1)))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_sparse_maximum_names_the_step_and_its_fix_runs(op):
    _refusal(lambda x: getattr(_A, op)(x - 2.75).toarray().ravel(), f"A.{op}(u)",
             f"np.{op}(A.toarray(), u)")
    J = dg.jacobian(lambda x: getattr(np, op)(_A.toarray(), x - 2.75).ravel(), _X)
    pick = (_AD < _X - 2.75) if op == "maximum" else (_AD > _X - 2.75)     # no ties here
    want = np.zeros((25, 5))
    rows, cols = np.nonzero(pick)
    want[rows * 5 + cols, cols] = 1.0
    np.testing.assert_array_equal(J, want)


# ---- 3. dg.jvp of f returning a namedtuple follows dg.jacobian's structure (attack46b 01b)

def _S(x):
    return np.diag([2.0, 1.0]) + x[0] * np.diag([1.0, -1.0]) + \
        x[1] * np.array([[0.0, 1.0], [1.0, 0.0]])


def test_jvp_of_namedtuple_results_is_jacobians_stacking_against_closed_forms():
    import collections
    x0, v = np.array([0.1, 0.2]), np.array([0.3, -0.7])
    dS = v[0] * np.diag([1.0, -1.0]) + v[1] * np.array([[0.0, 1.0], [1.0, 0.0]])
    P = collections.namedtuple("P", "a b")
    cases = {      # f, its value stacked, the directional derivative in closed form
        "slogdet": (lambda x: np.linalg.slogdet(_S(x)),
                    np.array([0.0, np.trace(np.linalg.solve(_S(x0), dS))])),
        "slogdet of a stack": (lambda x: np.linalg.slogdet(np.stack([_S(x), _S(2 * x)])),
                               np.array([[0.0, 0.0], [np.trace(np.linalg.solve(_S(x0), dS)),
                                                      2 * np.trace(np.linalg.solve(
                                                          _S(2 * x0), dS))]])),
        "a namedtuple of numbers": (lambda x: P(np.sin(x[0]) * x[1], x[0] + x[1] ** 2),
                                    np.array([np.cos(0.1) * 0.2 * v[0] + np.sin(0.1) * v[1],
                                              v[0] + 2 * 0.2 * v[1]])),
    }
    for name, (f, want) in cases.items():
        value, tangent = dg.jvp(f, x0, v)
        assert type(value) is np.ndarray and type(tangent) is np.ndarray, name
        np.testing.assert_array_equal(value, np.asarray(f(x0), dtype=float))
        np.testing.assert_allclose(tangent, want, rtol=1e-13, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(tangent, dg.jacobian(f, x0) @ v, rtol=1e-13, atol=1e-15)
    value, tangent = dg.jvp(lambda x: np.linalg.qr(_S(x)), x0, v)        # (Q, R) stacked
    h = 1e-4                                   # 4th-order central differences of NumPy's qr
    diff = [np.stack(np.linalg.qr(_S(x0 + k * h * v))) for k in (-2, -1, 1, 2)]
    np.testing.assert_allclose(tangent, (diff[0] - 8 * diff[1] + 8 * diff[2] - diff[3]) / (12 * h),
                               atol=1e-10)


@pytest.mark.parametrize("decomposition", ["eigh", "svd"])
def test_jvp_of_a_namedtuple_of_unequal_shapes_gives_dualgrads_message(decomposition):
    f = lambda x: getattr(np.linalg, decomposition)(_S(x))       # noqa: E731
    for call in (lambda: dg.jvp(f, np.array([0.1, 0.2]), np.ones(2)),
                 lambda: dg.jacobian(f, np.array([0.1, 0.2]))):
        with pytest.raises(dg.DualTypeError, match="expected f to return one array, or a "
                           r"\w+Result of equal shapes.*np.concatenate"):
            call()


# ---- 4. np.append / np.concatenate of a list holding duals warn of nothing (attack46 09)

_LISTED = {
    "append a flat list": (lambda x: np.append(x, [x[1], 3.0]), [0, 1, 2, 1, None]),
    "append onto a list": (lambda x: np.append([x[1], 3.0], x), [1, None, 0, 1, 2]),
    "append a tuple": (lambda x: np.append(x, (x[2], 3.0)), [0, 1, 2, 2, None]),
    "append a nested list, axis 0": (
        lambda x: np.append(x.reshape(3, 1), [[x[0]], [2.0]], axis=0).ravel(),
        [0, 1, 2, 0, None]),
    "append a nested list, flattened": (
        lambda x: np.append(x.reshape(3, 1), [[x[0]], [2.0]]), [0, 1, 2, 0, None]),
    "concatenate a nested list": (
        lambda x: np.concatenate([x.reshape(3, 1), [[x[0]], [2.0]]]).ravel(),
        [0, 1, 2, 0, None]),
}


@pytest.mark.parametrize("name", list(_LISTED))
def test_joins_of_lists_holding_duals_are_right_and_warn_nothing(name, recwarn):
    import warnings
    f, picks = _LISTED[name]
    x = np.array([0.5, 2.0, -1.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a CaughtErrorWarning fails the test
        J = dg.jacobian(f, x)
        value = dg.jvp(f, x, np.ones(3))[0]
    want = np.zeros((len(picks), 3))            # each output is an input or a constant
    for row, k in enumerate(picks):
        if k is not None:
            want[row, k] = 1.0
    np.testing.assert_array_equal(J, want)
    np.testing.assert_array_equal(value, f(x))


# ---- 5. scipy.special.stdtr / stdtrit in df: through betainc's shape slopes (mpmath)

def _mp_diff(f, point, orders):
    import mpmath as mp
    import _oracles
    fn = _oracles.MPMATH[f.__name__]
    with mp.workdps(40):
        return float(mp.diff(lambda *a: fn(*a), tuple(mp.mpf(p) for p in point), orders))


_T_POINTS = [(3.5, 0.7), (3.5, -0.7), (0.7, 2.0), (30.0, 1e-3), (5.0, 1e-9), (2.0, -40.0),
             (25.0, 3.0), (999.0, 1.5), (1.0, 1.0)]


@pytest.mark.parametrize("point", _T_POINTS)
def test_stdtr_and_stdtrit_in_df_against_mpmath(point):
    sc = pytest.importorskip("scipy.special")
    df, t = point
    rtol = 2e-12 if df < 100 else 1e-9        # (the terms cancel as df grows: ~df**2 eps)
    got = dg.derivative(lambda d: sc.stdtr(d, t), df)
    np.testing.assert_allclose(got, _mp_diff(sc.stdtr, point, (1, 0)), rtol=rtol)
    p = float(sc.stdtr(df, t))
    if 1e-12 < p < 1 - 1e-12:                 # at SciPy's quantile (9e-9 off at t = 1e-9):
        out = float(sc.stdtrit(df, p))        # -F_df / F_t there, F mpmath's cdf
        want = -_mp_diff(sc.stdtr, (df, out), (1, 0)) / _mp_diff(sc.stdtr, (df, out), (0, 1))
        got = dg.derivative(lambda d: sc.stdtrit(d, p), df)
        np.testing.assert_allclose(got, want, rtol=rtol)


@pytest.mark.parametrize("point", [(3.5, 0.7), (12.0, -2.0), (0.9, 5.0)])
def test_stdtr_and_stdtrit_hessians_in_df_and_t_against_mpmath(point):
    sc = pytest.importorskip("scipy.special")
    p = float(sc.stdtr(*point))
    for f, at in ((sc.stdtr, point), (sc.stdtrit, (point[0], p))):
        H = dg.hessian(lambda v: f(v[0], v[1]), np.array(at))
        want = np.array([[_mp_diff(f, at, (2, 0)), _mp_diff(f, at, (1, 1))],
                         [_mp_diff(f, at, (1, 1)), _mp_diff(f, at, (0, 2))]])
        np.testing.assert_allclose(H, want, rtol=5e-13)


def test_stdtr_in_df_at_its_ends():
    sc = pytest.importorskip("scipy.special")
    assert dg.derivative(lambda d: sc.stdtr(d, 0.0), 4.0) == 0.0      # 1/2 for every df
    assert dg.derivative(lambda d: sc.stdtr(d, 0.7), np.inf) == 0.0   # the normal's cdf
    # beyond df = 1000 the two terms cancel (1e-8 relative at 1e4): Fisher's expansion
    # where t**4 < 2 df (tests/test_nan53.py), past it a quadrature over the tail (NaN
    # until nan55; tests/test_nan55.py): mpmath's derivative of I_z(df / 2, 1 / 2) / 2 at
    # t = -20 is -5.273685005106085e-91 (50 digits), and stdtrit's is -F_df / f there
    import mpmath as mp
    tail = -5.273685005106085e-91
    assert dg.derivative(lambda d: sc.stdtr(d, 20.0), 1e4) == pytest.approx(-tail, rel=1e-11)
    q = sc.stdtrit(1e4, float(sc.stdtr(1e4, -20.0)))
    with mp.workdps(40):
        Q, N = mp.mpf(q), mp.mpf(1e4)
        f = float(mp.exp(mp.loggamma((N + 1) / 2) - mp.loggamma(N / 2) - mp.log(mp.pi * N) / 2
                         - (N + 1) / 2 * mp.log1p(Q * Q / N)))
        tail_q = float(-mp.diff(lambda n: mp.betainc(n / 2, mp.mpf(1) / 2, 0, n / (n + Q * Q),
                                                     regularized=True) / 2, N))
    assert dg.derivative(lambda d: sc.stdtrit(d, float(sc.stdtr(1e4, -20.0))), 1e4) == \
        pytest.approx(tail_q / f, rel=1e-10)
    J = dg.jacobian(lambda d: sc.stdtr(d, np.array([0.5, -1.0, 2.0])), np.array([2.0, 3.0, 4.0]))
    want = [_mp_diff(sc.stdtr, (d, t), (1, 0)) for d, t in ((2.0, 0.5), (3.0, -1.0), (4.0, 2.0))]
    np.testing.assert_allclose(np.diag(J), want, rtol=2e-12)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0


@pytest.mark.parametrize("df", [0.05, 3.0, 30.0])
def test_stdtr_in_df_at_infinite_t(df):
    # stdtr(df, +-inf) is the constant 1 / 0: slope 0 in df (was NaN, inf * 0 in the
    # density term: attack48 03); past |t| ~ 1e154 (t * t overflows) the tail's
    # leading term (nan57; NaN before)
    sc = pytest.importorskip("scipy.special")
    for t in (np.inf, -np.inf):
        assert dg.derivative(lambda d: sc.stdtr(d, t), df) == 0.0
        H = dg.hessian(lambda p: sc.stdtr(p[0], t) * p[1], np.array([df, 2.0]))
        np.testing.assert_array_equal(H, [[0.0, 0.0], [0.0, 0.0]])
    for p in (0.0, 1.0):              # stdtrit(df, 0 / 1) = -+inf for every df (attack48b 11)
        assert dg.derivative(lambda d: sc.stdtrit(d, p), df) == 0.0
    slope = dg.derivative(lambda d: sc.stdtr(d, 1e200), df)
    if df < 2.5:                      # ~t**-df log(t) here: NaN until nan57 (t * t
        mp = pytest.importorskip("mpmath")      # overflowed), now the tail's term
        with mp.workdps(60):
            x = mp.mpf(1e200)
            ref = float(mp.diff(lambda n: 1 - mp.betainc(n / 2, mp.mpf(1) / 2, 0, n / (n + x * x),
                                                         regularized=True) / 2, df))
        assert abs(slope - ref) <= 1e-14 * abs(ref)
    else:                             # below the smallest double
        assert slope == 0.0


@pytest.mark.parametrize("t", [1e-200, -1e-160, 1e-151])
@pytest.mark.parametrize("df", [0.05, 2.0, 10.0])
def test_stdtr_in_df_where_t_squared_underflows(df, t):
    # stdtr = 1/2 + c(df) t + O(t^3), c = G((df+1)/2) / (sqrt(pi df) G(df/2)): the slope
    # in df is c'(df) t; with t * t underflowing the shape term vanished and the sign
    # flipped (attack47b 04)
    import mpmath as mp
    sc = pytest.importorskip("scipy.special")
    with mp.workdps(40):
        c = lambda d: mp.gamma((d + 1) / 2) / (mp.sqrt(mp.pi * d) * mp.gamma(d / 2))  # noqa
        want = float(mp.diff(c, df) * t)
    np.testing.assert_allclose(dg.derivative(lambda d: sc.stdtr(d, t), df), want, rtol=1e-13)


@pytest.mark.parametrize("method", ["cdf", "sf", "logcdf", "logsf", "ppf", "isf"])
def test_scipy_stats_t_is_differentiable_in_df(method):
    import mpmath as mp
    import _oracles
    from dualgrad.scipy import stats as ds
    ss = pytest.importorskip("scipy.stats")
    loc, scale, df = 0.2, 1.7, 4.5
    arg = 0.3 if method in ("ppf", "isf") else 1.3
    got = dg.derivative(lambda d: getattr(ds.t, method)(arg, d, loc, scale), df)
    assert getattr(ds.t, method)(arg, df, loc, scale) == getattr(ss.t, method)(arg, df, loc, scale)
    F = _oracles.MPMATH["stdtr"]
    with mp.workdps(40):
        u = (mp.mpf(arg) - mp.mpf(loc)) / mp.mpf(scale)
        q = mp.mpf(arg) if method == "ppf" else 1 - mp.mpf(arg)
        g = {"cdf": lambda d: F(d, u), "sf": lambda d: 1 - F(d, u),
             "logcdf": lambda d: mp.log(F(d, u)), "logsf": lambda d: mp.log(1 - F(d, u)),
             "ppf": lambda d: loc + scale * mp.findroot(lambda s: F(d, s) - q, mp.mpf(-0.5)),
             "isf": lambda d: loc + scale * mp.findroot(lambda s: F(d, s) - q, mp.mpf(-0.5))}
        want = float(mp.diff(g[method], mp.mpf(df)))
    np.testing.assert_allclose(got, want, rtol=1e-13)


# ---- 6. dg.jacobian(f, x, sparsity=P, check_sparsity=False): no pattern check pass

def _stencil(u):
    return np.concatenate([[u[0]], u[:-2] - 2.0 * u[1:-1] + u[2:] + np.sin(u[1:-1]), [u[-1]]])


def test_check_false_skips_the_pattern_pass_and_keeps_the_entries():
    sp_ = pytest.importorskip("scipy.sparse")
    x = np.linspace(0.0, 1.0, 40)
    P = dg.sparsity(_stencil, x + 0.3)
    calls = []

    def f(u):
        calls.append(1)
        return _stencil(u)
    J = dg.jacobian(f, x, sparsity=P)
    checked = len(calls)
    del calls[:]
    J2 = dg.jacobian(f, x, sparsity=P, check_sparsity=False)
    assert len(calls) == checked - 1                  # the check's pass of f, and only it
    n = x.size                                        # the closed form: the stencil's
    want = np.zeros((n, n))
    want[0, 0] = want[-1, -1] = 1.0
    i = np.arange(1, n - 1)
    want[i, i - 1] = want[i, i + 1] = 1.0
    want[i, i] = -2.0 + np.cos(x[1:-1])
    np.testing.assert_array_equal(J2.toarray(), J.toarray())
    np.testing.assert_allclose(J2.toarray(), want, rtol=1e-15, atol=1e-15)
    # the check it skips: a pattern missing the off-diagonals raises with it, not without
    diagonal = sp_.identity(n, format="csr")
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(_stencil, x, sparsity=diagonal)
    dg.jacobian(_stencil, x, sparsity=diagonal, check_sparsity=False)


@pytest.mark.parametrize("bad", [{"check_sparsity": False}, {"check_sparsity": True},
                                 {"sparsity": "P", "check_sparsity": 1}])
def test_check_needs_a_pattern_and_a_bool(bad):
    x = np.linspace(0.0, 1.0, 10)
    if bad.get("sparsity") == "P":
        bad = dict(bad, sparsity=dg.sparsity(_stencil, x))
    with pytest.raises(ValueError, match=r"check_sparsity=True or False together with sparsity=.*"
                       r"functools\.partial"):
        dg.jacobian(_stencil, x, **bad)


@pytest.mark.parametrize("name", ["nanmax", "nanmin"])
@pytest.mark.parametrize("axis", [None, -1])
def test_nan_extremes_of_all_nan_slices_keep_numpys_nan(name, axis):
    # NumPy's NaN of an all-NaN slice keeps its sign (-nan here); the dual made its own
    # positive NaN, which copysign / signbit downstream read (attack47b 08)
    import warnings
    fn = getattr(np, name)
    X = np.array([[-np.nan, -np.nan], [1.0, -np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = fn(X, axis=axis)
    value, tangent = dg.jvp(lambda t: fn(X * t, axis=axis), np.array(1.0), np.array(1.0))
    np.testing.assert_array_equal(np.signbit(value), np.signbit(want))
    np.testing.assert_array_equal(value, want)


def test_a_keyword_of_f_named_check_reaches_f():
    # the pattern check's switch is check_sparsity=: a model option called `check` is
    # f's, as before (attack47b 11: it was refused, or taken by dualgrad with sparsity=)
    def f(x, check=False):
        return x ** 2 * (10.0 if check else 1.0)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(dg.jacobian(f, x, check=True), np.diag(20.0 * x))
    P = np.eye(3, dtype=bool)
    J = dg.jacobian(lambda z: f(z, check=True), x, sparsity=P, check_sparsity=False)
    np.testing.assert_array_equal(J.toarray(), np.diag(20.0 * x))


@pytest.mark.parametrize("name", ["max", "min", "amax"])
@pytest.mark.parametrize("axis", [None, 1, -1, (0, 1)])
def test_max_with_where_gives_numpys_bits(name, axis):
    # where= / initial= went through a composed path whose NaN (or tied zero) was not
    # NumPy's: its sign bit differed (attack48 05); the partials stay the picked one's
    X = np.array([[-np.nan, -np.nan, 1.0], [np.nan, -np.nan, -np.nan],
                  [-np.nan, 2.0, np.nan], [-0.0, 0.0, -0.0]])
    M = np.ones_like(X, bool)
    M[:3] = X[:3].T > -1
    init = -np.inf if name != "min" else np.inf
    f = getattr(np, name)
    want = f(X, axis=axis, where=M, initial=init)
    got = dg.jvp(lambda t: f(X * t, axis=axis, where=M, initial=init), 1.0, 1.0)[0]
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got, want)
