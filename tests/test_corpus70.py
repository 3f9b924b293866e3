"""user70: real functions from public scientific code (bench/corpus70.py) against
independent oracles, and the refusals a new user met on the way.

pyorb's kep_to_cart and the Navier-Stokes solver: 8th-order central differences
(kep_to_cart's own rotation buffer is float64, and the solver takes ``np.real`` of its
transforms: a complex step would lose its imaginary part in both).  The denoiser (its
``np.maximum`` kinks sit within a difference step of many iterates) and the DH chain:
complex steps through the code as written.  The beta-binomial likelihood: the author's
own gradient by digamma and the trigamma Hessian.  The Huber objective: its gradient and
Hessian written out.  The CSTR: differences of a tight SciPy solve.  The refusals
checked name the fix the row follows (scipy.sparse's multiply, solve_ivp); the one
mended: a dual's ``shape = ...`` (pyorb sets four) quotes the statement and its rebinding.
"""

import functools

import numpy as np
import pytest
from scipy.special import polygamma

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import close_by_column, bench_module, relative_jacobian, source_spelling

c = bench_module("corpus70")

# columns relative to their largest entry; the oracle's all-zero columns within 1e-13
_close = functools.partial(close_by_column, zero_tol=1e-13)


def _row(name):
    f, x0 = c.PROBLEMS70[name]
    return f, x0.copy()




def test_kep_to_cart_matches_differences_elliptic_and_hyperbolic():
    f, k0 = _row("pyorb kep_to_cart, buffers + shape (6)")
    _close(dg.jacobian(f, k0), relative_jacobian(f, k0, rel=1e-3), 1e-10)
    # a hyperbola: the source's a[e > 1] *= -1 writes through a view of its input; the
    # caller's array is left as it was and the slope is that of the copying row
    hyp = np.array([2.0e11, 1.3, 0.3, 1.0, 2.0, 0.7])
    given = hyp.copy()
    J = dg.jacobian(c.kep_to_cart, given)
    np.testing.assert_array_equal(given, hyp)

    def copying(k):
        return c.kep_to_cart(k.copy())
    _close(J, relative_jacobian(copying, hyp, rel=1e-3), 1e-10)


def test_navier_stokes_vorticity_matches_differences():
    # the viscosity's column is nearly linear: wide steps, rounding-limited (5e-11)
    f, p0 = _row("Navier-Stokes spectral, fft 32x32 (3)")
    J = dg.jacobian(f, p0)
    assert J.shape == (1024, 3)
    _close(J, relative_jacobian(f, p0, rel=1e-1), 1e-9)


def test_tv_denoising_matches_complex_steps():
    f, q0 = _row("TV denoising, maximum + while (65)")
    J = dg.jacobian(f, q0)
    assert not np.isnan(J).any()
    _close(J, complex_step(f, q0), 1e-13)


def test_ur10_chain_matches_complex_steps():
    f, q0 = _row("UR10 DH chain, object np.dot (6)")
    J = dg.jacobian(f, q0)
    assert J.dtype == np.float64
    _close(J, complex_step(f, q0), 1e-14)


def test_beta_binomial_gradient_is_the_authors_digamma_and_hessian_trigamma():
    f, p0 = _row("beta-binomial loglik, gammaln (16)")
    alpha, beta = p0[:8], p0[8:]
    J = dg.jacobian(f, p0)
    want = c.beta_binomial_log_likelihood_grad(alpha, beta, c.BB_POS, c.BB_NEG, c.BB_TOT)
    np.testing.assert_allclose(np.diag(J[:, :8]), want[0], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np.diag(J[:, 8:]), want[1], rtol=1e-13, atol=1e-14)
    assert np.all(J[:, :8][~np.eye(8, dtype=bool)] == 0)
    # d2/dalpha_i^2 of the summed likelihood: sum_n w_in (psi1(a + n) - psi1(a))
    # - sum_n t_n (psi1(a + b + n) - psi1(a + b))
    H = dg.hessian(lambda q: np.sum(f(q)), p0)
    pos, n = c.BB_POS.toarray(), np.arange(6)
    tot, m = c.BB_TOT, np.arange(8)
    mixed = (polygamma(1, (alpha + beta)[:, None] + m) - polygamma(1, alpha + beta)[:, None]) @ tot
    aa = (polygamma(1, alpha[:, None] + n) - polygamma(1, alpha)[:, None]) * pos
    np.testing.assert_allclose(np.diag(H)[:8], aa.sum(axis=1) - mixed, rtol=1e-12)
    np.testing.assert_allclose(np.diag(H[:8, 8:]), -mixed, rtol=1e-12)


def test_beta_binomial_sources_sparse_multiply_refused_naming_the_numpy_spelling():
    source = source_spelling(c, c.sparse_gammaln_ratio, (
        "    # dualgrad: res.multiply(weights).sum(axis=1).A.ravel() (scipy.sparse's asarray)\n"
        "    return np.bincount(res.row, weights=res.data * weights.tocoo().data,\n"
        "                       minlength=res.shape[0])",
        "    return res.multiply(weights).sum(axis=1).A.ravel()"))
    # the refusal had said "write that step with NumPy functions"; it now names the
    # matrix whose data holds the duals and the NumPy spellings on its pattern, the row
    # sums among them (what the row does)
    p0 = c.BB_P0
    with pytest.raises(TypeError) as caught:
        dg.jacobian(lambda a: source(a, c.BB_POS), p0[:8])
    message = str(caught.value)
    assert message.startswith("dualgrad.jacobian: scipy.sparse's multiply met a coo matrix "
                              "whose .data is a dual array (set by an assignment such as "
                              "m.data = f(...))")
    assert "`return res.multiply(weights).sum(axis=1).A.ravel()`" in message
    assert "the row sums m.sum(axis=1) are np.bincount(m.row, weights=m.data, " \
        "minlength=m.shape[0])" in message
    assert "m.multiply(B) for B of m's pattern (m made by B.tocoo(copy=True)) has the " \
        "data m.data * B.tocoo().data" in message
    # the source's spelling and the row's agree on plain numbers
    np.testing.assert_allclose(source(p0[:8], c.BB_POS),
                               c.sparse_gammaln_ratio(p0[:8], c.BB_POS), rtol=1e-14)


def test_huber_objective_gradient_and_hessian_written_out():
    f, w0 = _row("Huber regression, where + abs (3)")
    r = c.HU_Y - c.HU_X @ w0[:2]
    d = w0[2]
    inside = np.abs(r) < d
    slope = np.where(inside, -r, -d * np.sign(r))
    want = np.array([slope @ c.HU_X[:, 0], slope @ c.HU_X[:, 1],
                     np.sum(np.where(inside, 0.0, np.abs(r) - d))])
    g = dg.gradient(lambda w: f(w)[0], w0)
    np.testing.assert_allclose(g, want, rtol=1e-13, atol=1e-13)
    H = dg.hessian(lambda w: f(w)[0], w0)
    Xi = c.HU_X[inside]
    want_h = np.zeros((3, 3))
    want_h[:2, :2] = Xi.T @ Xi
    want_h[:2, 2] = want_h[2, :2] = -(np.sign(r[~inside]) @ c.HU_X[~inside])
    want_h[2, 2] = -np.sum(~inside)
    np.testing.assert_allclose(H, want_h, rtol=1e-13, atol=1e-13)


def test_kep_to_cart_sources_shape_assignments_refused_naming_each_statement():
    # pyorb sets kep.shape = (6, 1), R.shape = R.shape + (1, ), x.shape = (6,) and
    # kep.shape = (6,); the refusal had said "d.shape = ..." four times, naming no line;
    # it now quotes each statement and its rebinding (the row's spelling: each test
    # above runs it)
    f, k0 = _row("pyorb kep_to_cart, buffers + shape (6)")
    swaps = [("kep = kep.reshape(6, 1)  # dualgrad: kep.shape = (6, 1)",
              "kep.shape = (6, 1)", "kep = kep.reshape(6, 1)"),
             ("R = R.reshape(R.shape + (1, ))  # dualgrad: R.shape = R.shape + (1, )",
              "R.shape = R.shape + (1, )", "R = R.reshape(R.shape + (1,))"),
             ("x = x.reshape(6)  # dualgrad: x.shape = (6,)", "x.shape = (6,)",
              "x = x.reshape(6)"),
             ("kep = kep.reshape(6)  # dualgrad: kep.shape = (6,)", "kep.shape = (6,)",
              "kep = kep.reshape(6)")]
    for corpus, source, fix in swaps:
        kep_to_cart = source_spelling(c, c.kep_to_cart, (corpus, source))
        with pytest.raises(AttributeError) as caught:
            dg.jacobian(kep_to_cart, k0)
        message = str(caught.value)
        assert message.startswith("dualgrad.jacobian: d.shape = ... on a dual array")
        shown = source.replace("(1, )", "(1,)")
        assert f"here {shown} (line " in message and " in kep_to_cart of " in message
        assert f"Fix: reshape instead, rebinding the name: {fix} (a view" in message
        assert ("kep is a parameter of kep_to_cart: the rebinding leaves its caller's array "
                "the shape it had" in message) == source.startswith("kep")


def _cstr(solver, **tolerances):
    """The script's simulation by (A, Ea) through ``solver``, the module's globals set
    as cstr_row sets them (cstr_ode reads them there)."""
    def run(p):
        c.A, c.Ea = p
        sol = solver(c.cstr_ode, c.t_span, [c.C0, c.T0], t_eval=c.t_eval, method="BDF",
                     **tolerances)
        return sol.y[:, ::20].ravel()
    return run


@pytest.fixture
def cstr_globals(monkeypatch):
    # cstr_row leaves dual A, Ea behind in the module (a global set from f's input,
    # as the script's user writes it): put the plain numbers back after each test
    monkeypatch.setattr(c, "A", c.A)
    monkeypatch.setattr(c, "Ea", c.Ea)


def test_cstr_sensitivities_match_differences_of_a_tight_solve(cstr_globals):
    # the row keeps the script's default tolerances (its derivatives are as accurate as
    # its solution, ~1e-3); at rtol 1e-10 dg.solve_ivp's derivatives meet SciPy's
    # differences at 1e-7, the differences' own error (the adaptive steps move with p:
    # 8e-7 at steps of 1e-3 p, the same at rtol 1e-12)
    from scipy.integrate import solve_ivp
    f, p0 = _row("CSTR Arrhenius, BDF + globals (2)")
    J = dg.jacobian(_cstr(dg.solve_ivp, rtol=1e-10, atol=1e-12), p0)
    _close(J, relative_jacobian(_cstr(solve_ivp, rtol=1e-13, atol=1e-15), p0, rel=1e-2),
           1e-6)
    # the row at the script's tolerances: within the solution's own error of it
    _close(dg.jacobian(f, p0), J, 1e-2)


def test_cstr_sources_solve_ivp_refused_naming_dg_solve_ivp(cstr_globals):
    from scipy.integrate import solve_ivp
    f, p0 = _row("CSTR Arrhenius, BDF + globals (2)")
    source = _cstr(solve_ivp)
    with pytest.raises(TypeError, match=r"scipy\.integrate\.solve_ivp converts its input"
                                        r".*Fix: write that step as dg\.solve_ivp\("):
        dg.jacobian(source, p0)
    np.testing.assert_allclose(source(p0), f(p0), rtol=1e-12)


def test_euler_rotation_sources_branch_buffer_refused_naming_each_binding():
    # pyorb makes R at four lines, by which angle isinstance(..., np.ndarray) finds; a
    # dual array is none, so the last, np.empty((3, 3)), ran: the refusal had named no
    # line and said np.zeros_like(x, ...), x "f's input", a name euler_rotation_matrix
    # does not have; it now gives each binding's spelling from inc and says why the
    # branch differs
    f, k0 = _row("pyorb kep_to_cart, buffers + shape (6)")
    rotation = source_spelling(c, c.euler_rotation_matrix, (
        "R = np.zeros_like(inc, shape=(3, 3))  # dualgrad: the refusal's (a dual is no "
        "ndarray)", "R = np.empty((3, 3), dtype=np.float64)"))
    kep_to_cart = source_spelling(c, c.kep_to_cart, ("", ""),
                                  euler_rotation_matrix=rotation)
    with pytest.raises(TypeError) as caught:
        dg.jacobian(kep_to_cart, k0)
    message = str(caught.value)
    assert "R[0, 0, ...] = ... stores a dual number into R, a plain NumPy array (float64, " \
        "shape (3, 3))" in message
    assert "Fix: R is made at lines 3, 5, 7 and 9, and the one that ran here made a plain " \
        "array of shape (3, 3); make R = np.zeros_like(inc, shape=(3, 3, inc.size)) at " \
        "line 3;" in message
    assert "R = np.zeros_like(inc, shape=(3, 3)) at line 9 (inc's kind" in message
    assert "isinstance(d, np.ndarray) is False for a dual array d" in message
    assert "x: f's input" not in message
    # line 9's spelling is the row's
    fixed = source_spelling(c, c.euler_rotation_matrix, ("", ""))
    np.testing.assert_array_equal(
        dg.jacobian(source_spelling(c, c.kep_to_cart, ("", ""), euler_rotation_matrix=fixed),
                    k0), dg.jacobian(f, k0))


@pytest.mark.parametrize("method", ["sum", "matvec", "multiply", "toarray"])
def test_sparse_dual_data_refusals_spellings_give_the_derivative(method):
    # each spelling the refusal names for a COO matrix m whose data holds duals, against
    # complex steps through SciPy's own method (SciPy takes complex data)
    W = c.BB_POS.astype(float)
    v = np.linspace(-1.0, 2.0, W.shape[1])

    def made(x):
        m = W.tocoo(copy=True)
        m.data = np.sin(x[m.row] + m.col)
        return m
    ours = {"sum": lambda m: np.bincount(m.row, weights=m.data, minlength=m.shape[0]),
            "matvec": lambda m: np.bincount(m.row, weights=m.data * v[m.col],
                                            minlength=m.shape[0]),
            "multiply": lambda m: m.data * W.tocoo().data,
            "toarray": lambda m: _added(m).ravel()}[method]
    scipys = {"sum": lambda m: np.asarray(m.sum(axis=1)).ravel(), "matvec": lambda m: m @ v,
              "multiply": lambda m: m.multiply(W).tocoo().data,
              "toarray": lambda m: m.toarray().ravel()}[method]
    x0 = np.linspace(0.3, 1.7, W.shape[0])
    with pytest.raises(TypeError, match=r"scipy\.sparse's \w+ met a coo matrix whose \.data "
                                        r"is a dual array"):
        dg.jacobian(lambda x: scipys(made(x)), x0)
    np.testing.assert_array_equal(ours(made(x0)), scipys(made(x0)))
    _close(dg.jacobian(lambda x: ours(made(x)), x0), complex_step(lambda x: scipys(made(x)), x0),
           1e-15)


def _added(m):
    d = np.zeros_like(m.data, shape=m.shape)
    np.add.at(d, (m.row, m.col), m.data)
    return d
