"""Every NumPy function of API.md on duals, against central-difference Jacobians."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch._functions import HANDLED
from dualgrad.dispatch._linalg import LINALG
from dualgrad.dual import primal
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(0)
X = rng.uniform(0.5, 1.5, (3, 4))
M = rng.standard_normal((4, 4)) + 4 * np.eye(4)
SPD = M @ M.T
C = rng.standard_normal((4, 3))

CASES = {
    # creation and structure
    "zeros_like": lambda x: np.zeros_like(x) + x,
    "full_like": lambda x: np.full_like(x, 2.0) * x,
    "copy": lambda x: np.copy(x) * 2,
    "reshape": lambda x: np.reshape(x, (2, 6)) ** 2,
    "ravel": lambda x: np.ravel(x) * np.arange(12),
    "transpose": lambda x: np.transpose(x) @ np.ones(3),
    "swapaxes": lambda x: np.swapaxes(x[None], 0, 2),
    "moveaxis": lambda x: np.moveaxis(x[None], 0, -1) * 3,
    "squeeze": lambda x: np.squeeze(x[None, :, :1]),
    "expand_dims": lambda x: np.expand_dims(x, 1) * np.ones((3, 2, 4)),
    "broadcast_to": lambda x: np.broadcast_to(x[0], (2, 4)) * np.arange(2)[:, None],
    "broadcast_arrays": lambda x: np.broadcast_arrays(x[:, :1], x[0])[0] * 2,
    "concatenate": lambda x: np.concatenate([x, np.ones((1, 4)), x ** 2], axis=0),
    "concatenate_none": lambda x: np.concatenate([x, x[0]], axis=None),
    "stack": lambda x: np.stack([x[0], x[1] ** 2, np.ones(4)], axis=1),
    "hstack": lambda x: np.hstack([x[0], x[1], [1.0]]),
    "vstack": lambda x: np.vstack([x[0], x[1] * x[2]]),
    "column_stack": lambda x: np.column_stack([x[0], x[1]]),
    "split": lambda x: np.split(x, 2, axis=1)[1] * 2,
    "tile": lambda x: np.tile(x[0], 2),
    "repeat": lambda x: np.repeat(x[0], [1, 2, 0, 3]),
    "flip": lambda x: np.flip(x, axis=1) * np.arange(4),
    "roll": lambda x: np.roll(x, 2) * np.arange(4),
    "pad": lambda x: np.pad(x, ((1, 0), (0, 2))),
    "pad_modes": lambda x: np.concatenate([np.pad(x, 2, mode=m).ravel() for m in
                                           ("edge", "reflect", "symmetric", "wrap")]),
    "take": lambda x: np.take(x, [3, 0, 0], axis=1),
    "take_along_axis": lambda x: np.take_along_axis(x, np.argsort(X, axis=1), axis=1),
    "where": lambda x: np.where(X > 1.0, x ** 2, -x),
    "select": lambda x: np.select([X < 0.8, X > 1.2], [x, x ** 2], default=x ** 3),
    "clip": lambda x: np.clip(x, 0.8, 1.2),
    "diag": lambda x: np.diag(x[0]),
    "diagonal": lambda x: np.diagonal(x) * 2,
    "trace": lambda x: np.trace(x * x),
    "tril": lambda x: np.tril(x),
    "triu": lambda x: np.triu(x, 1),
    # reductions and scans
    "sum": lambda x: np.sum(x ** 2, axis=0),
    "sum_keepdims": lambda x: np.sum(np.sin(x), axis=(0, 1), keepdims=True),
    "prod": lambda x: np.prod(x, axis=1),
    "prod_with_zero": lambda x: np.prod(x * (X > 0.7), axis=0),
    "mean": lambda x: np.mean(x, axis=1),
    "average": lambda x: np.average(x, axis=1, weights=[1.0, 2.0, 3.0, 4.0]),
    "var": lambda x: np.var(x, axis=0),
    "std": lambda x: np.std(x, ddof=1),
    "cumsum": lambda x: np.cumsum(x ** 2, axis=1),
    "cumprod": lambda x: np.cumprod(x, axis=0),
    "cumprod_zero": lambda x: np.cumprod(x * (X > 0.7)),
    "max": lambda x: np.max(x, axis=1),
    "min": lambda x: np.min(x),
    "amax": lambda x: np.amax(x * x, axis=0),
    "amin": lambda x: np.amin(x, axis=0, keepdims=True),
    "ptp": lambda x: np.ptp(x, axis=1),
    "sort": lambda x: np.sort(x * X[::-1], axis=1),
    "diff": lambda x: np.diff(x ** 2, axis=1),
    "gradient": lambda x: np.gradient(x ** 2, axis=1),
    "polyval": lambda x: np.polyval([2.0, -1.0, 0.5], x) + np.polyval(x[0], [0.7, 1.3])[1],
    "interp": lambda x: np.interp(x[0], [0.0, 0.7, 1.1, 2.0], [1.0, 3.0, -1.0, 0.5]),
    "trapezoid": lambda x: np.trapezoid(x ** 2, dx=0.5),
    "norm": lambda x: np.linalg.norm(x),
    "norm_axis": lambda x: np.linalg.norm(x, ord=1, axis=1),
    "norm_inf": lambda x: np.linalg.norm(x, ord=np.inf),
    # compositions (dualgrad/dispatch/_composed.py)
    "linspace": lambda x: np.linspace(x[0, 0], 2.0 + x[0, 1], 7) * np.linspace(0.0, x[1, 2], 3)[1],
    "linspace_retstep": lambda x: np.linspace(x[0], x[1], 5, endpoint=False, retstep=True,
                                              axis=1)[0],
    "meshgrid": lambda x: np.stack(np.meshgrid(x[0], x[1, :2] ** 2)),
    "meshgrid_ij_sparse": lambda x: np.meshgrid(x[0, :2], np.ones(3), x[2], indexing="ij",
                                                sparse=True)[2] * 2,
    "nansum": lambda x: np.nansum(x * np.where(X > 1.2, np.nan, 1.0), axis=0),
    "nanmean": lambda x: np.nanmean(x * np.where(X > 1.2, np.nan, 1.0), axis=1),
    "nanmax": lambda x: np.nanmax(x * np.where(X > 1.2, np.nan, 1.0), axis=1),
    "nanmin": lambda x: np.nanmin(x * np.where(X > 1.2, np.nan, 1.0)),
    "nan_to_num": lambda x: np.nan_to_num(x * np.where(X > 1.2, np.nan, 1.0), nan=0.5) + x
    + np.nan_to_num(x * np.where(X < 0.8, -np.inf, 1.0), neginf=-3.0),
    "median": lambda x: np.median(x, axis=1),
    "median_even": lambda x: np.median(x),
    "quantile": lambda x: np.quantile(x, [0.1, 0.75], axis=0, keepdims=True),
    "percentile": lambda x: np.percentile(x ** 2, 30),
    "sinc": lambda x: np.sinc(x) + np.sinc(x - X) * x,
    "ediff1d": lambda x: np.ediff1d(x, to_begin=x[0, 0], to_end=[1.0, 2.0]),
    "cov": lambda x: np.concatenate([np.cov(x).ravel(),
                                     np.cov(x[0], x[1] ** 2, bias=True).ravel()]),
    "cov_columns": lambda x: np.cov(x, rowvar=False, ddof=0),
    "corrcoef": lambda x: np.corrcoef(x),
    "cumulative_sum": lambda x: np.cumulative_sum(x, axis=1, include_initial=True),
    "cumulative_prod": lambda x: np.cumulative_prod(x[0] * x[1]),
    "matrix_power": lambda x: np.linalg.matrix_power(SPD / 10 + x.T @ x, 3),
    "matrix_power_neg": lambda x: np.linalg.matrix_power(SPD + x.T @ x, -2),
    "matrix_power_0": lambda x: np.linalg.matrix_power(x.T @ x, 0) * x[0, 0],
    # products
    "dot": lambda x: np.dot(x, x[0]),
    "vdot": lambda x: np.vdot(x, X),
    "inner": lambda x: np.inner(x, x),
    "outer": lambda x: np.outer(x[0], x[1]),
    "matmul": lambda x: x @ C @ x + x @ x.T @ x,
    "matmul_vectors": lambda x: np.concatenate([x[0] @ C, C @ x[:, 0], [x[0] @ x[1]]]),
    "tensordot": lambda x: np.tensordot(x, x, axes=([0], [0])),
    "einsum": lambda x: np.einsum("ij,kj->ik", x, x ** 2),
    "convolve": lambda x: np.convolve(x[0], x[1] ** 2) + np.convolve(x[2], [1.0, -2.0, 1.0],
                                                                    mode="same")[0],
    "correlate": lambda x: np.correlate(x[0], x[1], mode="full"),
    "kron": lambda x: np.kron(x[0, :2], x[1, :2]),
    "cross": lambda x: np.cross(x[0, :3], x[1, :3]),
    # linear algebra on the 4x4 built from x
    "solve": lambda x: np.linalg.solve(SPD + x.T @ x, x[0]),
    "solve_matrix": lambda x: np.linalg.solve(SPD + x.T @ x, x.T),
    "inv": lambda x: np.linalg.inv(SPD + x.T @ x),
    "det": lambda x: np.linalg.det(M + x.T @ x),
    "slogdet": lambda x: np.linalg.slogdet(M + x.T @ x)[1],
    "cholesky": lambda x: np.linalg.cholesky(SPD + x.T @ x),
    "eigh_values": lambda x: np.linalg.eigh(SPD + x.T @ x)[0],
    "eigh_vectors": lambda x: np.abs(np.linalg.eigh(SPD + x.T @ x)[1]),
    "lstsq": lambda x: np.linalg.lstsq(np.vstack([x, M]), np.arange(7.0) * x[0, 0],
                                       rcond=None)[0],
    "lstsq_residuals": lambda x: np.linalg.lstsq(np.vstack([x, M]), np.arange(7.0),
                                                 rcond=None)[1],
    "svd_values": lambda x: np.linalg.svd(x, compute_uv=False),
    "svd_vectors": lambda x: np.concatenate([np.abs(f).ravel() for f in
                                             np.linalg.svd(x, full_matrices=False)]),
    "svd_square": lambda x: np.abs(np.linalg.svd(SPD + x.T @ x)[0]),
    "norm_spectral": lambda x: np.linalg.norm(x, 2) + np.linalg.norm(x, -2),
    "norm_nuclear": lambda x: np.linalg.norm(np.stack([x, x * X]), "nuc", axis=(1, 2)),
    "svdvals": lambda x: np.linalg.svdvals(x.T),
    "matrix_norm": lambda x: np.linalg.matrix_norm(x, ord="nuc", keepdims=True),
    "vector_norm": lambda x: np.linalg.vector_norm(x, axis=(0, 1), ord=3) +
    np.linalg.vector_norm(x, axis=1, keepdims=True),
    "qr": lambda x: np.concatenate([f.ravel() for f in np.linalg.qr(x.T)]),
    "qr_r_stacked": lambda x: np.linalg.qr(np.stack([x.T, x.T ** 2]), mode="r"),
    "pinv_stacked": lambda x: np.linalg.pinv(np.stack([x, x * X])),
    "pinv": lambda x: np.linalg.pinv(x),
    "pinv_tall": lambda x: np.linalg.pinv(x.T @ x[:, :2]),
    # np.emath inside its real domain (real values: the sparsity tracer refuses complex
    # ones by name; outside it, tests/test_emath.py)
    "emath_sqrt_log": lambda x: np.emath.sqrt(x) + np.emath.log(x) * np.emath.log2(x),
    "emath_log10_logn": lambda x: np.emath.log10(x) - np.emath.logn(3.0, x[::-1]),
    "emath_inverse": lambda x: np.emath.arccos(x * 0.5) + np.emath.arcsin(x * 0.6) *
    np.emath.arctanh(x[:, ::-1] * 0.5),
    "emath_power": lambda x: np.emath.power(x, 3) + np.emath.power(x, -2),
}


if not hasattr(np, "cumulative_sum"):                    # NumPy < 2.1
    del CASES["cumulative_sum"], CASES["cumulative_prod"]
if not hasattr(np.linalg, "svdvals"):                    # NumPy < 2.0
    del CASES["svdvals"], CASES["matrix_norm"], CASES["vector_norm"]


@pytest.mark.parametrize("name", list(CASES))
def test_function_matches_central_differences(name):
    f = CASES[name]
    got = dg.jacobian(f, X)
    np.testing.assert_allclose(got, numerical_jacobian(f, X), rtol=1e-7, atol=1e-8)
    value, _ = dg.jvp(f, X, np.ones_like(X))
    np.testing.assert_allclose(value, f(X), rtol=1e-15, atol=0)


def test_rounding_is_locally_constant():
    x = dg.Dual(X * 3.7, np.ones(X.shape + (2,)))
    for r in (np.round(x, 1), np.around(x), x.round(2)):
        assert r.value.shape == X.shape and not r.partials.any()
    np.testing.assert_array_equal(np.round(x, 1).value, np.round(X * 3.7, 1))
    np.testing.assert_array_equal(dg.gradient(lambda t: np.round(t) * t, 2.3), 2.0)


def test_item_gives_a_scalar_dual():
    x = dg.Dual(X, np.ones(X.shape + (1,)))
    assert x.item(5).value == X.flat[5] and x.item(1, 2).value == X[1, 2]
    assert x[:1, :1].item().value == X[0, 0]
    with pytest.raises(ValueError, match="size 1"):
        x.item()
    assert dg.derivative(lambda t: (t * np.ones(3)).item(1) ** 2, 1.5) == 3.0


def test_every_function_of_api_md_is_handled():
    listed = """zeros_like ones_like empty_like full_like copy reshape ravel transpose swapaxes
    moveaxis squeeze expand_dims broadcast_to broadcast_arrays concatenate stack hstack vstack
    column_stack split tile repeat flip roll take take_along_axis where select clip diag
    diagonal trace tril triu sum prod mean average var std cumsum cumprod max min amax amin ptp
    sort diff interp trapezoid dot vdot inner outer matmul tensordot einsum kron
    cross""".split()
    for name in listed:
        assert getattr(np, name) in HANDLED, name
    for name in "norm solve inv det slogdet cholesky eigh lstsq pinv svd qr".split():
        assert getattr(np.linalg, name) in LINALG, name


def test_every_overridable_function_is_handled_or_raises_naming_itself():
    from numpy.testing.overrides import get_overridable_numpy_array_functions
    from dualgrad.dispatch._fft import FFT
    from dualgrad.dispatch._functions import _CREATION, dispatch, function_name
    x = dg.Dual(np.ones(3), np.ones((3, 1)))
    for func in get_overridable_numpy_array_functions():
        if func in HANDLED or func in LINALG or func in FFT or func in _CREATION:  # like=x
            continue
        with pytest.raises(TypeError, match=rf"{function_name(func)}\b.*not supported"):
            dispatch(func, (x,), {})


def test_buffers_of_any_shape_with_like():
    a = dg.Dual(np.array([1.0, 2.0]), np.eye(2))
    s = a[0]
    for like in (a, s):
        z = np.zeros((3, 2), like=like)
        assert isinstance(z, dg.Dual) and z.tag == a.tag and z.partials.shape == (3, 2, 2)
        np.testing.assert_array_equal(z.partials, 0.0)
    np.testing.assert_array_equal(np.full(4, 2.5, like=a).value, 2.5)
    np.testing.assert_array_equal(np.ones(2, like=a).value, 1.0)
    assert np.zeros(2, like=a, dtype=int).dtype == int           # other dtypes stay plain

    def f(x):                  # a buffer longer than the input, nested for the Hessian
        out = np.zeros(3, like=x)
        out[0], out[1], out[2] = x[0] ** 2, x[0] * x[1], np.sin(x[1])
        return np.sum(out * out)
    x0 = np.array([0.7, -0.4])
    np.testing.assert_allclose(dg.hessian(f, x0),
                               numerical_jacobian(lambda y: dg.gradient(f, y), x0),
                               rtol=1e-7, atol=1e-8)


def test_value_only_functions_strip_every_argument():
    a = dg.Dual(np.array([1.0, 2.0]), np.eye(2))
    assert np.allclose(a, a * 1.0) and list(np.isclose(np.array([1.0, 3.0]), a)) == [True,
                                                                                     False]
    assert list(np.searchsorted(a, a)) == [0, 1]


def test_average_returns_the_weight_sum_like_numpy():
    a = dg.Dual(X, np.ones(X.shape + (1,)))
    for kwargs in ({}, {"axis": 1}, {"axis": 0, "weights": [1.0, 2.0, 3.0]}):
        avg, total = np.average(a, returned=True, **kwargs)
        want_avg, want_total = np.average(X, returned=True, **kwargs)
        np.testing.assert_allclose(np.asarray(avg.value), want_avg, rtol=1e-15)
        np.testing.assert_array_equal(total, want_total)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": 1}, {"axis": 1, "keepdims": True},
                                    {"axis": (0, 1)}, {"axis": 0, "row": True}])
def test_average_with_constant_weights_is_the_weighted_sum_of_the_partials(kwargs):
    """The weighted mean is linear: its partials are ``sum(w * p) / sum(w)``, here
    with ``einsum`` on floats (the oracle), for weights of ``a``'s shape and 1-D
    weights along the axis; ``a``'s inf and NaN values stay in the value alone, an
    inf weight takes the general path (NaN where it meets a partial, as the product
    spells it)."""
    kwargs = dict(kwargs)
    row = kwargs.pop("row", False)
    v = rng.uniform(-1.0, 1.0, (300, 40))
    v[0, 0], v[1, 1] = np.inf, np.nan
    p = rng.standard_normal((300, 40, 3))
    w = rng.uniform(0.5, 2.0, 300 if row else (300, 40))
    axis, keepdims = kwargs.get("axis"), kwargs.get("keepdims", False)
    got = np.average(dg.Dual(v, p), weights=w, **kwargs)
    wf = np.broadcast_to(w[:, None] if row else w, v.shape)
    axes = (0, 1) if axis is None else axis
    want = np.sum(wf[..., None] * p, axis=axes, keepdims=keepdims) / \
        np.sum(wf, axis=axes, keepdims=keepdims)[..., None]
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(got.value), np.average(v, weights=w, **kwargs),
                               rtol=1e-15)
    w = np.ones((300, 40))
    w[5, 0] = np.inf
    with np.errstate(invalid="ignore"):
        got = np.average(dg.Dual(v, p), weights=w, axis=0)
    assert np.isnan(got.partials[0]).all() and np.isfinite(got.partials[1:]).all()


def test_atleast_with_several_arrays():
    a = dg.Dual(np.array([1.0, 2.0]), np.eye(2))
    x, y = np.atleast_2d(a, np.ones(3))
    assert x.shape == (1, 2) and isinstance(x, dg.Dual) and y.shape == (1, 3)


def test_argmax_argsort_act_on_values():
    x = dg.Dual(np.array([3.0, 1.0, 2.0]), np.eye(3))
    assert np.argmax(x) == 0 and list(np.argsort(x)) == [1, 2, 0]
    assert x.argmin() == 1


def test_nested_array_functions_give_second_derivatives():
    f = lambda x: np.sum(np.cumprod(x) * np.flip(x)) + np.linalg.det(np.outer(x, x) +
                                                                     np.eye(3))
    x = np.array([0.5, 1.2, -0.7])
    H = dg.hessian(f, x)
    num = numerical_jacobian(lambda y: dg.gradient(f, y), x)
    np.testing.assert_allclose(H, num, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_through_every_function(name):
    """Nested duals (the Hessian) through every case, against central differences
    of the first derivative."""
    f = CASES[name]
    g = lambda x: np.sum(f(x) * f(x))
    np.testing.assert_allclose(dg.hessian(g, X),
                               numerical_jacobian(lambda y: dg.gradient(g, y), X),
                               rtol=1e-6, atol=1e-6)


# ---- lists holding scalar duals as operands: read as np.asarray reads them ------------
LIST_OPERANDS = {
    "dot": lambda x: np.dot([x[0], x[1] * x[2], 2.0], x),
    "outer": lambda x: np.outer([x[0], x[1] ** 2], x).ravel(),
    "kron": lambda x: np.kron([x[2], 1.0], x),
    "einsum": lambda x: np.einsum("i,i->", [x[0], np.sin(x[1]), x[2]], x),
    "einsum_first": lambda x: np.einsum("ij,j->i", [[x[0], 1.0, x[1]], [x[2], x[0], 3.0]], x),
    "average_weights": lambda x: np.average(x, weights=[x[0], x[1] * x[1], 1.0]),
    "interp_fp": lambda x: np.interp(x * 0.5 + 1.0, [1.0, 2.0, 3.0], [x[0], x[1] ** 2, x[2]]),
    "linalg_det": lambda x: np.linalg.det(x[0] * np.array([[1.0, 0.5], [0.0, 1.0]]) +
                                          np.outer([x[1], x[2]], [1.0, x[0]])),
}


@pytest.mark.parametrize("name", sorted(LIST_OPERANDS))
def test_lists_holding_duals_are_read_as_arrays(name):
    """Each raised a raw error (AttributeError '_plist', a complex cast) before."""
    f = LIST_OPERANDS[name]
    x = np.array([0.6, 1.3, 0.9])
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x), rtol=1e-7,
                               atol=1e-10)


@pytest.mark.parametrize("call", ["det", "solve", "interp", "inv"])
def test_numpy_functions_given_only_lists_of_duals_name_np_stack(call):
    """NumPy consults __array_function__ only of its direct arguments: with the duals
    inside a list nothing reaches dualgrad, and NumPy's cast error was all users got."""
    def f(x):
        m = [[x[0], x[1]], [x[2], 1.0]]
        if call == "det":
            return np.linalg.det(m)
        if call == "solve":
            return np.sum(np.linalg.solve(m, [1.0, 2.0]))
        if call == "inv":
            return np.sum(np.linalg.inv(np.array(m)))      # an object array: the same
        return np.interp(1.5, [1.0, 2.0], [x[0], x[1]])
    name = {"det": "np.linalg.det", "solve": "np.linalg.solve", "interp": "np.interp",
            "inv": "np.linalg.inv"}[call]
    with pytest.raises(TypeError, match=rf"{name} received a list.*np\.stack\(\[a, b\]\)"):
        dg.gradient(f, np.array([1.0, 2.0, 3.0]))


def test_the_np_stack_spelling_of_that_message_works():
    def f(x):
        m = np.stack([np.stack([x[0], x[1]]), np.stack([x[2], 1.0])])
        return np.linalg.det(m)
    np.testing.assert_allclose(dg.gradient(f, np.array([1.0, 2.0, 3.0])), [1.0, -3.0, -2.0])


FROMPYFUNC = {
    "unary": lambda x: np.frompyfunc(lambda a: a * np.sin(a), 1, 1)(x),
    "binary_scalar": lambda x: np.frompyfunc(lambda a, b: a * b, 2, 1)(x, x[0]),
    "two_outputs": lambda x: np.frompyfunc(lambda a: (a, a * a), 1, 2)(x)[1],
    "scalar_input": lambda x: np.frompyfunc(lambda a: a ** 3, 1, 1)(x[1]) * x,
}


@pytest.mark.parametrize("name", sorted(FROMPYFUNC))
def test_frompyfunc_calls_its_function_on_each_scalar_dual(name):
    """As np.vectorize already did; it raised naming 'scipy.special.<lambda>'."""
    f = FROMPYFUNC[name]
    x = np.array([0.6, 1.3, 0.9])
    np.testing.assert_allclose(dg.jacobian(f, x),
                               numerical_jacobian(lambda x: np.asarray(f(x), float), x),
                               rtol=1e-7, atol=1e-10)


def test_a_frompyfunc_method_dualgrad_does_not_run_names_the_ufunc_not_scipy():
    add = np.frompyfunc(lambda a, b: a + b, 2, 1)
    with pytest.raises(TypeError) as exc:
        dg.gradient(lambda x: add.reduce(x), np.ones(3))
    assert "scipy" not in str(exc.value) and "<lambda> (vectorized).reduce" in str(exc.value)


def test_interp_hessian_keeps_the_cross_terms_of_x_and_fp():
    # f = fp[j] + (x - xp[j]) * (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]) on x's segment j:
    # d2f / dx dfp[j] = -1 / h, d2f / dx dfp[j+1] = 1 / h (a constant slope dropped them)
    xp = np.array([0.0, 1.0, 2.5, 3.0])
    v = np.array([1.3, 0.5, 2.0, -1.0, 4.0])
    H = dg.hessian(lambda v: np.interp(v[0], xp, v[1:]), v)
    want = np.zeros((5, 5))
    want[0, 2] = want[2, 0] = -1 / 1.5
    want[0, 3] = want[3, 0] = 1 / 1.5
    np.testing.assert_allclose(H, want, rtol=1e-15, atol=0)


def test_interp_with_dual_left_and_right():
    """A dual ``left``/``right`` (with a dual x or fp, which bring np.interp to
    dualgrad) is the result outside xp: its value bit for bit, its partials there;
    analytic Jacobian and Hessian.  It raised float(d)'s error before."""
    xp, fp = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 2.0])
    X = np.array([-1.0, 0.5, 3.0, 0.0, 2.0, np.nan])

    def f(c):
        return np.interp(X * c[2], xp, fp * c[3], left=c[0] ** 2, right=c[0] * c[1])
    c = np.array([5.0, 7.0, 1.0, 1.5])
    J = dg.jacobian(f, c)
    value, _ = dg.jvp(f, c, np.ones(4))
    np.testing.assert_array_equal(value, np.interp(X, xp, fp * 1.5, left=25.0, right=35.0))
    want = np.array([[10.0, 0.0, 0.0, 0.0],           # left: d(c0**2)
                     [0.0, 0.0, 1.5 * 2.0 * 0.5, 2.0],  # inside: slope(1.5 fp) * X, fp(0.5)
                     [7.0, 5.0, 0.0, 0.0],             # right: d(c0 c1)
                     [0.0, 0.0, 1.5 * 2.0 * 0.0, 1.0],  # at xp[0]: fp[0], x's slope
                     [0.0, 0.0, 1.5 * -1.0 * 2.0, 2.0],  # at xp[-1]: fp[-1] (last segment)
                     [np.nan] * 4])
    np.testing.assert_array_equal(J[:5], want[:5])
    assert np.isnan(J[5, 2:]).all()
    H = dg.hessian(lambda c: np.sum(np.interp(X[:3] * c[2], xp, fp, left=c[0] ** 2,
                                              right=c[0] * c[1])), np.array([2.0, 3.0, 1.0]))
    np.testing.assert_array_equal(H[:2, :2], [[2.0, 1.0], [1.0, 0.0]])
    assert dg.derivative(lambda t: np.interp(t - 4.0, xp, fp, left=t * t), 2.0) == 4.0


def test_interp_hessian_of_a_composite_against_differences_of_the_gradient():
    xp = np.array([0.0, 1.0, 2.0, 3.0])
    g = lambda v: np.sum(np.interp(v[:3] ** 2, xp, v[3:] ** 3) * v[:3])
    w = np.array([0.5, 1.2, 1.6, 0.3, -1.0, 2.0, 0.7])
    H = dg.hessian(g, w)
    h = 1e-5                          # the gradient is exact: central differences of it
    fd = np.array([(dg.gradient(g, w + h * e) - dg.gradient(g, w - h * e)) / (2 * h)
                   for e in np.eye(w.size)])
    np.testing.assert_allclose(H, fd, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(H, H.T, rtol=1e-14, atol=1e-14)


def test_interp_at_a_nan_x_keeps_directions_fp_does_not_move_at_zero():
    xp = np.array([0.0, 1.0, 2.0])

    def f(v):
        x = np.where(v[:2] > 0.5, np.nan, v[:2])     # the first element NaN
        return np.interp(x, xp, v[2:5])
    J = dg.jacobian(f, np.array([0.9, 0.3, 1.0, 2.0, 4.0]))
    assert np.all(np.isnan(J[0, 2:])) and np.all(J[0, :2] == 0.0)
    np.testing.assert_array_equal(J[1], [0.0, 1.0, 0.7, 0.3, 0.0])   # slope fp1 - fp0 = 1


_D3 = rng.uniform(0.5, 1.5, (3, 4, 5))


@pytest.mark.parametrize("args, kwargs", [
    ((), {"axis": (1, 0)}),
    ((), {"axis": (-1, -3)}),
    ((), {"axis": (2, 1), "edge_order": 2}),
    ((0.5, 2.0), {"axis": (2, 0)}),
    ((np.array([0.0, 1.0, 3.0, 4.0, 7.0]), np.array([0.0, 0.5, 2.0])), {"axis": (2, 0)}),
    ((0.5, np.array([0.0, 1.0, 3.0, 4.0]), 3.0), {}),
    ((), {"axis": (1,)}),
])
def test_gradient_pairs_results_and_spacings_with_the_axes_in_the_order_asked(args, kwargs):
    # each result's Jacobian against central differences of NumPy's float run, in the
    # order NumPy returns them (an axis tuple out of order once got sorted partials)
    def f(x):
        return np.stack(np.gradient(x, *args, **kwargs))
    got = dg.jacobian(f, _D3)
    np.testing.assert_allclose(got, numerical_jacobian(f, _D3), rtol=1e-7, atol=1e-7)
    x = dg.Dual(_D3, np.ones(_D3.shape + (1,)))
    np.testing.assert_array_equal(np.stack(np.gradient(x, *args, **kwargs)).value, f(_D3))


@pytest.mark.parametrize("axis, error", [((0, 0), ValueError), ((1, -2), ValueError),
                                         (3, np.exceptions.AxisError), (1.0, TypeError)])
def test_gradient_refuses_the_axes_numpy_refuses(axis, error):
    with pytest.raises(error):
        np.gradient(_D3, axis=axis)
    with pytest.raises(error):
        np.gradient(dg.Dual(_D3, np.ones(_D3.shape + (1,))), axis=axis)


# Functions taking an axis, each given axes NumPy takes and axes it refuses: the dual
# raises NumPy's error type where NumPy raises, and otherwise gives NumPy's value and
# the Jacobian of central differences of NumPy's float run.
AXIS_FUNCS = {
    "sum": lambda a, ax: np.sum(a, axis=ax), "mean": lambda a, ax: np.mean(a, axis=ax),
    "prod": lambda a, ax: np.prod(a, axis=ax), "max": lambda a, ax: np.max(a, axis=ax),
    "ptp": lambda a, ax: np.ptp(a, axis=ax), "var": lambda a, ax: np.var(a, axis=ax),
    "nansum": lambda a, ax: np.nansum(a, axis=ax), "nanmax": lambda a, ax: np.nanmax(a, axis=ax),
    "cumsum": lambda a, ax: np.cumsum(a, axis=ax), "cumprod": lambda a, ax: np.cumprod(a, axis=ax),
    "m_cumsum": lambda a, ax: a.cumsum(axis=ax),
    "cumulative_sum": lambda a, ax: np.cumulative_sum(a, axis=ax),
    "cumulative_prod": lambda a, ax: np.cumulative_prod(a, axis=ax, include_initial=True),
    "add_reduce": lambda a, ax: np.add.reduce(a, axis=ax),
    "add_accumulate": lambda a, ax: np.add.accumulate(a, axis=ax),
    "median": lambda a, ax: np.median(a, axis=ax),
    "quantile": lambda a, ax: np.quantile(a, 0.3, axis=ax),
    "sort": lambda a, ax: np.sort(a, axis=ax),
    "m_sort": lambda a, ax: (lambda b: (b.sort(axis=ax), b)[1])(a * 1.0),
    "diff": lambda a, ax: np.diff(a, axis=ax), "trapezoid": lambda a, ax: np.trapezoid(a, axis=ax),
    "gradient": lambda a, ax: np.stack(np.gradient(a, axis=ax)),
    "take": lambda a, ax: np.take(a, [0, 1], axis=ax),
    "m_compress": lambda a, ax: a.compress([True, False], axis=ax),
    "repeat": lambda a, ax: np.repeat(a, 2, axis=ax),
    "split": lambda a, ax: np.stack(np.split(a, 1, axis=ax)),
    "stack": lambda a, ax: np.stack([a, 2 * a], axis=ax),
    "moveaxis": lambda a, ax: np.moveaxis(a, ax, 0), "squeeze": lambda a, ax: np.squeeze(a, axis=ax),
    "expand_dims": lambda a, ax: np.expand_dims(a, ax),
    "norm": lambda a, ax: np.linalg.norm(a, axis=ax),
    "vector_norm": lambda a, ax: np.linalg.vector_norm(a, axis=ax),
    "average": lambda a, ax: np.average(a, axis=ax),
}
BAD_AXES = [None, 0, -1, 1, 2, -3, (0,), (1, 0), (0, 0), 1.0, True, np.int64(1)]


def _outcome(fn, *args):
    """``fn(*args)`` or the type of what it raised."""
    try:
        with np.errstate(all="ignore"):
            return fn(*args), None
    except Exception as exc:                  # noqa: BLE001 (the type is the answer)
        return None, type(exc)


@pytest.mark.parametrize("shape", [(3, 4), ()])
@pytest.mark.parametrize("name", AXIS_FUNCS)
def test_axes_numpy_refuses_raise_its_error_and_those_it_takes_its_value(name, shape):
    if name == "m_sort" and not shape:
        pytest.skip("a scalar dual has no in-place sort (DualAttributeError, by design)")
    fn = AXIS_FUNCS[name]
    x0 = X if shape else np.array(0.7)
    for axis in BAD_AXES:
        want, error = _outcome(fn, x0.copy(), axis)
        d = dg.Dual(x0, np.ones(X.shape + (1,))) if shape else dg.Dual(0.7, [1.0])
        got, got_error = _outcome(fn, d, axis)
        if error is not None:
            assert got_error is not None and issubclass(got_error, error), \
                (name, axis, error, got_error)
            continue
        assert got_error is None, (name, axis, got_error)
        np.testing.assert_allclose(getattr(got, "value", got), want, rtol=1e-13,
                                   err_msg=f"{name} axis={axis!r}")
        with np.errstate(all="ignore"):
            jac = dg.jacobian(lambda x: fn(x, axis), x0)
            num = numerical_jacobian(lambda x: np.asarray(fn(x, axis), float), x0,
                                     h=1e-5)          # (sort: neighbours 4e-3 apart)
        np.testing.assert_allclose(jac, num, rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name} axis={axis!r}")


@pytest.mark.parametrize("num, endpoint", [(1, True), (0, True), (0, False)])
def test_linspace_without_a_step_returns_numpys_nan_step(num, endpoint):
    samples, step = np.linspace(dg.Dual(0.5, [1.0]), dg.Dual(2.0, [0.0]), num,
                                endpoint=endpoint, retstep=True)
    want, want_step = np.linspace(0.5, 2.0, num, endpoint=endpoint, retstep=True)
    np.testing.assert_array_equal(np.asarray(samples.value), want)
    assert np.isnan(want_step) and np.isnan(step)


def test_average_with_weights_summing_to_zero_raises_numpys_zero_division():
    w = np.array([1.0, -1.0, 0.0, 0.0])
    with pytest.raises(ZeroDivisionError):
        np.average(X, axis=1, weights=w)
    with pytest.raises(ZeroDivisionError, match="np.average: weights sum to zero"):
        np.average(dg.Dual(X, np.ones(X.shape + (1,))), axis=1, weights=w)


@pytest.mark.parametrize("axis, wshape", [((-2, -1), (4, 3)), ((2, 1), (3, 4)),
                                          ((0, 2), (2, 3)), (1, (4,))])
def test_average_with_weights_along_an_axis_tuple(axis, wshape):
    # weights of a's shape along the axes, in the order given (NumPy transposes them)
    a0 = rng.uniform(0.5, 1.5, (2, 4, 3))
    w = rng.uniform(0.5, 1.5, wshape)
    got = dg.jacobian(lambda a: np.average(a, axis=axis, weights=w), a0)
    np.testing.assert_allclose(got, numerical_jacobian(
        lambda a: np.average(a, axis=axis, weights=w), a0), rtol=1e-8, atol=1e-10)
    value = np.average(dg.Dual(a0, np.ones(a0.shape + (1,))), axis=axis, weights=w).value
    np.testing.assert_allclose(value, np.average(a0, axis=axis, weights=w), rtol=1e-14)


def test_average_with_weights_of_another_shape_raises_numpys_errors():
    a = dg.Dual(X, np.ones(X.shape + (1,)))
    with pytest.raises(TypeError, match="axis must be specified"):
        np.average(a, weights=np.ones(4))
    with pytest.raises(ValueError, match="shape of weights"):
        np.average(a, axis=0, weights=np.ones(4))


@pytest.mark.parametrize("xshape, axis", [((4, 3), -1), ((4, 3), -2), ((3,), -1),
                                          ((2, 4, 3), 1), ((1, 3), -1)])
def test_trapezoid_with_coordinates_of_lower_rank(xshape, axis):
    # x broadcasts against y from the right, its own axis ``axis`` (NumPy's reading)
    y0 = rng.uniform(0.5, 1.5, (2, 4, 3))
    x = np.cumsum(rng.uniform(0.5, 1.5, xshape), axis=axis if len(xshape) > 1 else 0)
    f = lambda y: np.trapezoid(y, x=x, axis=axis)           # noqa: E731
    got = dg.jacobian(f, y0)
    np.testing.assert_allclose(got, numerical_jacobian(f, y0), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(f(dg.Dual(y0, np.ones(y0.shape + (1,)))).value, f(y0),
                               rtol=1e-14)


@pytest.mark.parametrize("axis", [None, 0, (1, 0)])
def test_gradient_with_a_dual_uniform_spacing_against_complex_step(axis):
    # the derivative with respect to a domain's length L through the spacing L / 4;
    # np.gradient itself runs on complex numbers, so the complex step is an oracle
    u = np.random.default_rng(5).standard_normal((5, 6))

    def g(a):
        r = np.gradient(np.sin(u * a), a / 4, axis=axis)
        return np.stack(r) if isinstance(r, tuple) else r

    got = dg.derivative(g, 1.7)
    want = np.imag(g(1.7 + 1e-30j)) / 1e-30
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    # a plain f, one dual spacing of two
    got = dg.derivative(lambda h: np.stack(np.gradient(u, h, 0.3)), 0.5)
    np.testing.assert_allclose(got[0], -np.gradient(u, 1.0, axis=0) / 0.25, rtol=1e-15)
    assert np.all(got[1] == 0.0)


@pytest.mark.parametrize("order", ["F", "A", "K"])
@pytest.mark.parametrize("layout", ["C", "F", "reversed"])
def test_copy_keeps_numpys_memory_layout_for_a_later_ravel_k(order, layout):
    # np.copy(d, order=) once gave C always: ravel(order='K') then read another order
    # than NumPy's float run; derivative: the complex step of the same run
    def run(a):
        a = {"C": a, "F": a.T.copy().T, "reversed": a[::-1, ::-1]}[layout]
        return np.ravel(np.copy(a, order=order), order="K")
    h = 1e-30
    x = X * 1.0
    got = run(dg.Dual(x, (x * x)[..., None]))
    np.testing.assert_array_equal(got.value, run(x))
    np.testing.assert_allclose(got.partials[:, 0], run(x * (1 + 1j * h * x)).imag / h,
                               rtol=1e-14)


def test_digitize_and_dtype_queries_act_on_values():
    """attack26 item 6: np.digitize (bin indices, like np.searchsorted) and
    np.result_type / np.min_scalar_type / np.can_cast (dtypes) said they "would drop
    derivatives"; they answer from the values, as NumPy does on floats, and f's
    derivative around them is exact."""
    x0 = np.array([0.3, 0.7, 1.1])
    bins = np.array([0.5, 1.0])

    def f(p):
        assert np.result_type(p, 1.0) == np.result_type(x0, 1.0)
        assert np.min_scalar_type(p) == np.min_scalar_type(x0)
        assert np.can_cast(p, np.float32) == np.can_cast(x0, np.float32)
        assert np.can_cast(p[0], np.float64)
        k = np.digitize(p, bins)
        assert k.dtype.kind == "i"
        np.testing.assert_array_equal(k, np.digitize(x0, bins))
        np.testing.assert_array_equal(np.digitize(p, bins, right=True),
                                      np.digitize(x0, bins, right=True))
        assert np.digitize(0.8, p) == np.digitize(0.8, x0)
        return np.array([1.0, 2.0, 3.0])[k] * p ** 2

    np.testing.assert_allclose(dg.jacobian(f, x0), numerical_jacobian(f, x0), rtol=1e-7,
                               atol=1e-9)
    assert np.result_type(dg.Dual(x0, np.eye(3)) * 1j) == np.complex128
    np.testing.assert_array_equal(dg.sparsity(f, x0).toarray(), np.eye(3, dtype=bool))


def test_index_and_membership_functions_act_on_values():
    """user24: np.argpartition (k nearest neighbours), np.nanargmax, np.nanargmin,
    np.lexsort and np.isin said they "would drop derivatives" though they return
    indices or bools; they answer from the values, as NumPy does on the floats, and
    f's derivatives around them match central differences (the Hessian too)."""
    X = np.random.default_rng(0).standard_normal((8, 3))
    x0 = np.array([0.4, np.nan, 1.7, -0.2, 1.7, 3.0])

    def knn(x):
        d2 = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)[0, 1:]
        idx = np.argpartition(d2, 3)[:3]
        np.testing.assert_array_equal(idx, np.argpartition(primal(d2), 3)[:3])
        return np.sum(1.0 / d2[idx] ** 2)

    got = dg.gradient(knn, X)
    np.testing.assert_allclose(got, numerical_jacobian(knn, X), rtol=1e-7, atol=1e-9)
    H = dg.hessian(knn, X)
    np.testing.assert_allclose(H.reshape(24, 24), numerical_jacobian(
        lambda y: dg.gradient(knn, y), X).reshape(24, 24), rtol=1e-6, atol=1e-6)

    def f(p):
        v = primal(p)                       # x0 itself under dualgrad
        i, j = np.nanargmax(p), np.nanargmin(p)
        assert (i, j) == (np.nanargmax(v), np.nanargmin(v))
        np.testing.assert_array_equal(np.nanargmax(np.stack([p, p[::-1]]), axis=1),
                                      np.nanargmax(np.stack([v, v[::-1]]), axis=1))
        order = np.lexsort((p[[0, 2, 3, 5]], np.array([1, 0, 1, 0])))
        np.testing.assert_array_equal(order, np.lexsort((v[[0, 2, 3, 5]], [1, 0, 1, 0])))
        member = np.isin(np.round(p), [2.0, 3.0])        # exact equality: of rounded values
        np.testing.assert_array_equal(member, np.isin(np.round(v), [2.0, 3.0]))
        np.testing.assert_array_equal(np.isin(p, v[[2, 5]]), np.isin(v, v[[2, 5]]))
        assert np.isin(2.0, p * 0 + 2.0)
        return p[i] ** 2 * p[j] + np.sum(np.where(member, p, 0.0) ** 3) + p[[0, 2, 3, 5]][order[0]]

    assert dg.jacobian(lambda p: f(p) * 0 + np.nanargmax(p) + 10 * np.nanargmin(p) +
                       100 * np.sum(np.isin(p, [1.7, 3.0])), x0).shape == (6,)
    np.testing.assert_array_equal(primal(f(dg.Dual(x0, np.eye(6)))) * 0, 0.0)
    keep = [0, 2, 3, 4, 5]
    g = lambda q: f(np.concatenate([q[:1], [np.nan], q[1:]]))
    np.testing.assert_allclose(dg.jacobian(g, x0[keep]), numerical_jacobian(g, x0[keep]),
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(dg.sparsity(knn, X.ravel().reshape(8, 3)).shape, (1, 24))


def test_what_supported_md_says_of_interp_and_norm_holds():
    """user23: docs/supported.md says what np.interp follows (a dual xp since refuse41;
    period= as NumPy does it since fix42), and gives norm's partials at the zero vector."""
    from pathlib import Path
    text = (Path(__file__).parents[1] / "docs" / "supported.md").read_text()
    assert "`xp` (moving knots" in text and "`period=` as NumPy does it" in text
    assert "zero subgradient" in text
    xp = np.array([0.0, 1.0, 2.5, 4.0])
    fp = np.array([1.0, 3.0, -1.0, 2.0])
    x = np.array([0.5, 1.7, 3.0])
    np.testing.assert_allclose(dg.jacobian(lambda a: np.interp(x, a, fp), xp),
                               numerical_jacobian(lambda a: np.interp(x, a, fp), xp),
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dg.jacobian(lambda a: np.interp(a, xp, fp, period=5.0), x),
                               numerical_jacobian(lambda a: np.interp(a, xp, fp, period=5.0),
                                                  x), rtol=1e-7, atol=1e-9)

    def spelled(a):                        # the spelling supported.md gives for a dual xp
        i = np.clip(np.searchsorted(getattr(a, "value", a), x, side="right") - 1, 0,
                    len(a) - 2)
        return fp[i] + (fp[i + 1] - fp[i]) * (x - a[i]) / (a[i + 1] - a[i])

    np.testing.assert_allclose(spelled(xp), np.interp(x, xp, fp), rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(spelled, xp),
                               numerical_jacobian(lambda a: np.interp(x, a, fp), xp),
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(dg.gradient(np.linalg.norm, np.zeros(3)), np.zeros(3))


@pytest.mark.parametrize("knots", [[3.0, 2.2, 1.0, 0.1], [0.1, 2.2, 1.0, 3.0]])
@pytest.mark.parametrize("point", ["scalar", "array"])
def test_interp_with_moving_unsorted_knots_is_refused(knots, point):
    """NumPy does not check that xp increases ("nonsense" results); with moving knots
    dualgrad's segment is not the one NumPy's search picks, so the gradient was not the
    value's: decreasing knots gave [0, 0, 0] beside NumPy's value 1.8, whose central
    differences are [0, 0, 2] (attack46 10).  Refused, naming the sort; sorted knots of
    the same values give the closed form."""
    fp0 = np.array([0.0, 1.0, 5.0, 2.0])
    th = np.array([1.5, 1.0, 0.9])

    def f(t, xp):
        x = t[0] if point == "scalar" else np.stack([t[0], t[0] * 0.5])
        return np.sum(np.interp(x, np.array(xp) * t[1], fp0 * t[2]))
    with pytest.raises(TypeError, match=r"not increasing.*argsort"):
        dg.gradient(lambda t: f(t, knots), th)
    # sorted: x = 1.5 on [1, 2.2]: 0.9 (1 + 4 (x / t1 - 1) / 1.2) at t = th
    g = dg.gradient(lambda t: np.interp(t[0], np.array([0.1, 1.0, 2.2, 3.0]) * t[1],
                                        fp0 * t[2]), th)
    np.testing.assert_allclose(g, [0.9 * 4 / 1.2, -0.9 * 4 / 1.2 * 1.5, 1 + 4 * 0.5 / 1.2],
                               rtol=1e-13)


def test_clip_bounds_as_lists_holding_duals():
    """np.clip(u, [x[1], 0.0], [x[1], 1.0]): a bound given as a list holding a scalar
    dual was converted to floats on the constant-bounds path (the astype refusal);
    np.maximum read the same list (attack46 08).  Oracle: the closed form of each
    element (clipped to x1 between equal bounds, x1 itself inside)."""
    x0 = np.array([0.3, 0.5, 2.0])
    J = dg.jacobian(lambda x: np.clip(x[:2], [x[1], 0.0], [x[1], 1.0]) * x[2], x0)
    np.testing.assert_array_equal(J, [[0.0, 2.0, 0.5], [0.0, 2.0, 0.5]])
    J = dg.jacobian(lambda x: np.clip(x, (0.0, 0.1, x[0]), 1.0), x0)
    np.testing.assert_array_equal(J, np.diag([1.0, 1.0, 0.0]))


def test_trapezoid_x_as_a_list_holding_duals():
    """np.trapezoid(y, [0.0, x[0], 2.0]): the list was read as floats, and the dual in
    it raised the np.zeros-buffer message (attack46 09).  Oracle: the two trapezoids'
    closed form."""
    x = np.array([0.3, 0.9, 2.0])
    g = dg.gradient(lambda x: np.trapezoid(x ** 2, [0.0, x[0], 2.0]), x)
    # x0 (x0^2 + x1^2) / 2 + (2 - x0) (x1^2 + x2^2) / 2
    want = [(x[0] ** 2 + x[1] ** 2) / 2 + x[0] ** 2 - (x[1] ** 2 + x[2] ** 2) / 2,
            2 * x[1], (2 - x[0]) * x[2]]
    np.testing.assert_allclose(g, want, rtol=1e-14)
    g = dg.gradient(lambda x: np.trapezoid(x, (0.0, x[0], 2.0)), x)
    np.testing.assert_allclose(g, [(2 * x[0] + x[1]) / 2 - (x[1] + x[2]) / 2, 1.0,
                                   (2 - x[0]) / 2], rtol=1e-14)


_Z9 = np.array([1.35, 0.49, 0.53, -0.9, 0.63, -1.34, -0.62, 1.06, -1.47])
_TRAPEZOID_SPACINGS = {
    # x or dx of higher rank than y, or an array dx: NumPy broadcasts them against y's
    # pairs and sums the product over ``axis`` as given (attack47 01, 02)
    "x of higher rank": lambda x: np.trapezoid(x[:3], _Z9.reshape(3, 3)),
    "dual x of higher rank": lambda x: np.trapezoid(x[:3], x.reshape(3, 3)),
    "x of rank 3, y of rank 1": lambda x: np.trapezoid(x[:2], np.arange(8.0).reshape(2, 2, 2)
                                                       ** 1.5),
    "x of higher rank, axis 0": lambda x: np.trapezoid(x[:2], _Z9[:4].reshape(2, 2).T, axis=0),
    "array dx": lambda x: np.trapezoid(np.outer(x[:3], x[:3]), dx=np.array([0.5, 1.0, 2.0]),
                                       axis=0),
    "column dx": lambda x: np.trapezoid(np.outer(x[:3], x[:3]), dx=np.array([[0.5], [1.0]]),
                                        axis=0),
    "list dx holding a dual": lambda x: np.trapezoid(np.outer(x[:3], x[:3]),
                                                     dx=[x[1], 1.0, 2.0], axis=0),
}


@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("case", list(_TRAPEZOID_SPACINGS))
def test_trapezoid_spacings_broadcast_as_numpys(case, chunk):
    f = _TRAPEZOID_SPACINGS[case]
    # NumPy's trapezoid runs on complex numbers: the complex step is an oracle
    h = 1e-30
    want = np.stack([np.imag(f(_Z9 + 1j * h * e)) / h for e in np.eye(9)], -1)
    np.testing.assert_allclose(np.asarray(dg.jacobian(f, _Z9, chunk=chunk)), want,
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(dg.jvp(f, _Z9, np.ones(9))[0], f(_Z9))


@pytest.mark.parametrize("ufunc", [np.add, np.subtract])
def test_ufunc_at_with_a_list_holding_duals(ufunc):
    # np.add.at(y, idx, [x[2], x[0]]): the list is one array, as NumPy reads it (it
    # raised the float(d) message; attack47 09). Closed form: y = x, then +- x[2] at
    # 0 and +- x[0] at 2
    def f(x):
        y = x * 1.0
        ufunc.at(y, [0, 2], [x[2], x[0]])
        return y
    s = 1.0 if ufunc is np.add else -1.0
    want = np.eye(3) + s * np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]])
    x = np.array([0.3, 0.8, 1.4])
    np.testing.assert_array_equal(np.asarray(dg.jacobian(f, x)), want)
    np.testing.assert_array_equal(dg.jacobian(f, x, sparsity="auto").toarray(), want)


@pytest.mark.parametrize("join", ["hstack", "vstack", "column_stack"])
def test_joins_of_a_list_of_scalar_duals_beside_an_array_dual(join):
    # np.atleast_1d / 2d of the list made an object array that nothing read: a false
    # CaughtErrorWarning (attack47b 13); the Jacobian is a 0/1 selection matrix
    import warnings
    p = np.array([0.3, 0.7, 1.1])
    f = {"hstack": lambda p: np.hstack([[p[1]], p[::-1]]),
         "vstack": lambda p: np.vstack([[p[1], p[0], 2.0], p]).ravel(),
         "column_stack": lambda p: np.column_stack([(p[1], p[0], 2.0), p]).ravel()}[join]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = np.asarray(dg.jacobian(f, p))
    # the same join of the parameters' indices (-1: the constant) picks each row's 1
    index = {"hstack": [1, 2, 1, 0], "vstack": [1, 0, -1, 0, 1, 2],
             "column_stack": [1, 0, 0, 1, -1, 2]}[join]
    want = np.array([np.eye(3)[i] if i >= 0 else np.zeros(3) for i in index])
    np.testing.assert_array_equal(J, want)


def test_ediff1d_with_list_ends_holding_scalar_duals():
    # np.ravel of to_begin=[p[0], 1.0] made an object array that nothing read: a false
    # CaughtErrorWarning; the ends are lifted as the joins lift their list parts
    import warnings
    p = np.array([0.7, 1.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = np.asarray(dg.jacobian(lambda p: np.ediff1d(2.0 * p, to_begin=[p[0], 1.0],
                                                        to_end=(p[1] ** 2,)), p))
    want = np.array([[1.0, 0.0], [0.0, 0.0], [-2.0, 2.0], [0.0, 2.0 * p[1]]])
    np.testing.assert_array_equal(J, want)


def test_interp_complex_values_with_a_dual_end():
    # attack51b 03: a complex fp with a dual left= raised NumPy's bare "float() argument
    # must be ... not 'complex'" (a 0-d complex end): both sides of the range against
    # central differences of the float program
    x0 = np.array([0.5, 1.0, 2.0, 3.0])
    for shift in (-1.0, 0.0):
        def f(x, shift=shift):
            return np.interp(x[:1] + shift, [0.0, 1.0, 2.0], x[1:] * (1 + 1j), left=x[0] * 1j)
        h = 1e-6
        fd = np.stack([(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(4)], -1)
        np.testing.assert_allclose(dg.jacobian(f, x0), fd, atol=1e-8)


# diff55 S1: NumPy's vectorized sort turns some -0.0 into 0.0 (its output is not its
# input's bits moved); a dual's sorted value keeps NumPy's signs, so 1 / x agrees with
# f's float call, and each place's tangent is the mean of the inputs tied with its value
@pytest.mark.parametrize("kind", [None, "stable"])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_keeps_numpys_signed_zeros(kind, axis):
    rng = np.random.default_rng(55)
    x = np.round(rng.standard_normal((40, 60)), 1)
    x[::3, ::7], x[1::5, ::11] = -0.0, 0.0
    t = rng.standard_normal(x.shape)
    out, tangent = dg.jvp(lambda p: np.sort(p, axis=axis, kind=kind), x, t)
    expected = np.sort(x, axis=axis, kind=kind)
    assert np.asarray(out).tobytes() == expected.tobytes()
    lines = (x.ravel()[None], t.ravel()[None], expected[None]) if axis is None else \
        (np.moveaxis(x, axis, -1), np.moveaxis(t, axis, -1), np.moveaxis(expected, axis, -1))
    got = tangent[None] if axis is None else np.moveaxis(tangent, axis, -1)
    for xs, ts, es, gs in zip(*lines, got):
        for value in np.unique(es):
            np.testing.assert_allclose(gs[es == value], ts[xs == value].mean(), rtol=1e-12)


# out by position, NumPy's signature's place for it (attack71 F1: these returned a dual
# and left the buffer unwritten, so code reading the buffer got value 0, Jacobian 0)
_OUT_BY_POSITION = {
    "mean": lambda a, b: np.mean(a, 0, None, b), "std": lambda a, b: np.std(a, 0, None, b),
    "var": lambda a, b: np.var(a, 0, None, b), "nansum": lambda a, b: np.nansum(a, 0, None, b),
    "nanmean": lambda a, b: np.nanmean(a, 0, None, b),
    "nanstd": lambda a, b: np.nanstd(a, 0, None, b),
    "nanprod": lambda a, b: np.nanprod(a, 0, None, b), "nanmax": lambda a, b: np.nanmax(a, 0, b),
    "ptp": lambda a, b: np.ptp(a, 0, b), "median": lambda a, b: np.median(a, 0, b),
    "nanmedian": lambda a, b: np.nanmedian(a, 0, b),
    "percentile": lambda a, b: np.percentile(a, 50, 0, b),
    "quantile": lambda a, b: np.quantile(a, 0.5, 0, b), "round": lambda a, b: np.round(a[0], 2, b),
    "around": lambda a, b: np.around(a[0], 2, b),
    "take": lambda a, b: np.take(a[0], [0, 2, 1], None, b),
    "nancumsum": lambda a, b: np.nancumsum(a[0], 0, None, b),
    "mean, keepdims after out": lambda a, b: np.mean(a, 0, None, b, False),
    "sum": lambda a, b: np.sum(a, 0, None, b), "max": lambda a, b: np.max(a, 0, b),
}


@pytest.mark.parametrize("name", list(_OUT_BY_POSITION))
def test_out_by_position_is_refused_as_out_is(name):
    op = _OUT_BY_POSITION[name]

    def f(z):
        buf = np.zeros(3)
        op(z.reshape(2, 3), buf)
        return z[:3] * buf
    with pytest.raises(TypeError, match="with out= is not supported on dual numbers"):
        dg.jacobian(f, np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4]))


def test_out_by_position_advice_names_the_call_and_works():
    x = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4])

    def f(z):
        buf = np.zeros(3)
        np.mean(z.reshape(2, 3), 0, None, buf)
        return z[:3] * buf
    with pytest.raises(TypeError) as got:
        dg.jacobian(f, x)
    assert "Fix: write buf = np.mean(z.reshape(2, 3), 0, None)" in str(got.value)

    def followed(z):
        buf = np.mean(z.reshape(2, 3), 0, None)
        return z[:3] * buf
    mean = (x[:3] + x[3:]) / 2          # analytic: d(z_i m_i)/dz_j
    want = np.zeros((3, 6))
    for i in range(3):
        want[i, i] = mean[i] + x[i] / 2
        want[i, i + 3] = x[i] / 2
    np.testing.assert_allclose(dg.jacobian(followed, x), want, rtol=1e-15, atol=0)
