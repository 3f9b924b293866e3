"""Stop 52's heat-line changes (heat52).

(1) A scipy.sparse matrix times a dual does not load dispatch's NumPy-functions wing
(``dispatch._functions`` and the modules behind it: ~40 ms of source compiled in a
process without bytecode, a sparse heat step's warm first call): ``_sparse_product``
asked ``np.ndim(d)``, which NumPy's function protocol sent to the dual's
``__array_function__``, whose first use loads the wing.

Oracles: the dense matrix's Jacobian (``d (L @ u(p)) / dp = L @ du/dp``, the hand
tangent), a closed-form Hessian, and the refusal's message for a 3-D dual."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import dualgrad as dg
from _probes import fresh_runs

sp = pytest.importorskip("scipy.sparse")

FRESH = """
import json, sys
import numpy as np
import scipy.sparse as sp
import dualgrad as dg
n = 400
inner = np.ones(n)
inner[[0, -1]] = 0.0
L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format=sys.argv[1])
s = np.linspace(0.0, 1.0, n)

def f(p):
    u = p[0] * s * s + p[1] * s
    return L @ u

J = np.asarray(dg.jacobian(f, np.array([0.7, -1.3])))
want = L.toarray() @ np.stack([s * s, s], axis=1)
print(json.dumps([float(np.max(np.abs(J - want))),
                  "dualgrad.dispatch._functions" in sys.modules]))
"""


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE: each engine's path is one of them
@pytest.mark.parametrize("form", ["csr", "dia", "csc", "coo"])
@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_a_sparse_product_does_not_load_the_functions_wing(form, engine):
    root = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))
    env = dict(os.environ, PYTHONPATH=root, DUALGRAD_ENGINE=engine)
    run = subprocess.run([sys.executable, "-c", FRESH, form], capture_output=True,
                         text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    err, loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert err < 1e-12
    assert not loaded


@pytest.mark.parametrize("form", ["csr", "dia", "csc"])
def test_sparse_products_of_one_and_two_dimensions_and_a_hessian(form):
    rng = np.random.default_rng(3)
    A = sp.random(30, 20, density=0.3, random_state=4, format=form)
    D = A.toarray()
    x0 = rng.standard_normal(20)
    J = np.asarray(dg.jacobian(lambda x: A @ (x * x), x0))
    np.testing.assert_allclose(J, D * (2.0 * x0), rtol=1e-13, atol=1e-14)
    X0 = rng.standard_normal((20, 3))
    J2 = np.asarray(dg.jacobian(lambda x: A @ np.sin(x.reshape(20, 3)), X0.ravel()))
    want2 = np.zeros((30, 3, 20, 3))
    for k in range(3):
        want2[:, k, :, k] = D * np.cos(X0[:, k])
    np.testing.assert_allclose(J2.reshape(90, 60), want2.reshape(90, 60), rtol=1e-13,
                               atol=1e-14)
    w = rng.standard_normal(30)
    H = np.asarray(dg.hessian(lambda x: w @ (A @ (x * x * x)), x0))
    np.testing.assert_allclose(H, np.diag(6.0 * x0 * (D.T @ w)), rtol=1e-12, atol=1e-13)


def test_a_three_dimensional_dual_is_still_refused():
    A = sp.eye(4, format="csr")
    with pytest.raises(TypeError, match="sparse matrix and a dual") as info:
        dg.jacobian(lambda x: A @ x.reshape(4, 1, 1), np.ones(4))
    assert "(4, 4) and (4, 1, 1)" in str(info.value)


# (2) The combine kernels (``scale`` / ``scale2``: ``sum_k f_k[:, None] * p_k``, the fused
# engine's node-by-node evaluation once numba is loaded) take their rows of 4 or 2 as flat
# views the caller makes: a ``ravel`` inside the kernel put ``numba.np.arrayobj`` into its
# cached environment, imported at the kernel's load from numba's disk cache (the second
# call of every heat form). Oracle: NumPy's own products, bit for bit; the zero rule.
SCALE = """
import json, sys
import numpy as np
from dualgrad.backend import _kernels, _loader
_loader.load()
rng = np.random.default_rng(5)
same = []
for n in (2, 3, 4, 5):
    f, g = rng.standard_normal(3000), rng.standard_normal(3000)
    p, q = rng.standard_normal((3000, n)), rng.standard_normal((3000, n))
    one = _kernels.combine([f], [p], (3000, n))
    two = _kernels.combine([f, g], [p, q], (3000, n))
    same.append(bool(np.array_equal(one, f[:, None] * p) and
                     np.array_equal(two, f[:, None] * p + g[:, None] * q)))
print(json.dumps([same, "numba.np.arrayobj" in sys.modules]))
"""


@pytest.mark.engine_independent
def test_the_combine_kernels_load_without_numbas_array_module(tmp_path):
    pytest.importorskip("numba")
    got = fresh_runs(SCALE, tmp_path)
    assert got[0][0] == [True] * 4
    assert got[1] == [[True] * 4, False]          # loaded from the cache: no array module


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("layout", ["c", "f", "strided"])
def test_combine_rows_bits_and_the_zero_rule(n, layout):
    pytest.importorskip("numba")
    from dualgrad.backend import _kernels, _loader
    _loader.load()
    rng = np.random.default_rng(n)
    rows = 2000

    def partials():
        a = rng.standard_normal((rows, n))
        a[::7] = 0.0
        if layout == "f":
            return np.asfortranarray(a)
        if layout == "strided":
            b = np.zeros((rows, 2 * n))
            b[:, ::2] = a
            return b[:, ::2]
        return a
    f, g = rng.standard_normal(rows), rng.standard_normal(rows)
    f[::7] = np.inf                          # inf times a zero partial row: 0
    g[3::7] = np.nan
    p, q = partials(), partials()
    one = _kernels.combine([f], [p], (rows, n))
    two = _kernels.combine([f, g], [p, q], (rows, n))
    if one is None:
        pytest.skip("combine declined this size")
    with np.errstate(invalid="ignore"):
        want1 = np.where(p == 0.0, 0.0, f[:, None] * p)
        want2 = want1 + np.where(q == 0.0, 0.0, g[:, None] * q)
    np.testing.assert_array_equal(one.view(np.int64), want1.view(np.int64))
    np.testing.assert_array_equal(two.view(np.int64), want2.view(np.int64))
