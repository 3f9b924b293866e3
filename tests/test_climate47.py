"""climate47: a climate modeller's first day.  scipy.special.legendre(n)(x) (an
orthopoly1d, which calls eval_legendre) and eval_gegenbauer on duals, against mpmath;
the energy-balance example's numbers against the complex step."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sc = pytest.importorskip("scipy.special")


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10])
def test_legendre_orthopoly1d_derivative_matches_mpmath(n):
    x = np.array([-0.97, -0.3, 0.0, 0.41, 0.999])
    got = dg.elementwise_grad(lambda s: sc.legendre(n)(s))(x)
    want = [float(mp.diff(lambda t: mp.legendre(n, t), mp.mpf(float(v)))) for v in x]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_low_degree_hessians_are_exact_not_nan(n):
    # P_0'' reached SciPy's eval_gegenbauer(-2.0, ...), NaN
    for f, exact in ((lambda s: sc.eval_legendre(n, s), [0.0, 0.0, 3.0][n]),
                     (lambda s: sc.eval_gegenbauer(n, 0.7, s), [0.0, 0.0, 4 * 0.7 * 1.7][n]),
                     (lambda s: sc.eval_chebyt(n, s), [0.0, 0.0, 4.0][n])):
        assert dg.hessian(f, 0.3) == pytest.approx(exact, rel=1e-14, abs=1e-15)


def test_legendre_real_degree_and_second_derivative_match_mpmath():
    d = dg.derivative(lambda s: sc.eval_legendre(2.5, s), 0.3)
    assert d == pytest.approx(float(mp.diff(lambda t: mp.legendre(2.5, t), 0.3)), rel=1e-12)
    h = dg.hessian(lambda s: sc.eval_legendre(4, s), 0.3)
    assert h == pytest.approx(float(mp.diff(lambda t: mp.legendre(4, t), 0.3, 2)), rel=1e-12)


@pytest.mark.parametrize("n,a", [(0, 0.7), (1, 1.5), (3, 0.7), (4, 2.0)])
def test_gegenbauer_derivative_matches_mpmath(n, a):
    for x in (-0.4, 0.2, 0.9):
        d = dg.derivative(lambda s: sc.eval_gegenbauer(n, a, s), x)
        want = float(mp.diff(lambda t: mp.gegenbauer(n, a, t), x))
        assert d == pytest.approx(want, rel=1e-12, abs=1e-13)


def test_legendre_sum_of_modes_gradient_in_coefficients_and_x():
    # a zonal-mean field sum_k c_k P_k(sin lat): d/dc_k is P_k, d/dx the series of P_k'
    x = np.sin(np.deg2rad(np.linspace(-80, 80, 9)))
    c = np.array([1.0, -0.4, 0.25, 0.1])

    def field(c, x):
        return sum(c[k] * sc.legendre(k)(x) for k in range(len(c)))

    J = dg.jacobian(field, c, x)
    np.testing.assert_allclose(J, np.stack([np.polynomial.legendre.legval(x, np.eye(4)[k])
                                            for k in range(4)], axis=1), rtol=1e-13, atol=1e-15)
    gx = dg.elementwise_grad(lambda x: field(c, x))(x)
    want = np.polynomial.legendre.legval(x, np.polynomial.legendre.legder(c))
    np.testing.assert_allclose(gx, want, rtol=1e-12, atol=1e-14)


def test_degree_and_alpha_are_refused_not_dropped():
    with pytest.raises(TypeError, match="eval_legendre.*not differentiable in argument 1"):
        dg.derivative(lambda n: sc.eval_legendre(n, 0.3), 2.0)
    with pytest.raises(TypeError, match="eval_gegenbauer.*not differentiable in argument 2"):
        dg.derivative(lambda a: sc.eval_gegenbauer(2, a, 0.3), 1.5)


def test_energy_balance_example_is_exact(capsys):
    import runpy
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "examples" / "energy_balance.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    jac = float(out.split("max |jacobian - complex step| = ")[1].split()[0])
    resid = float(out.split("max |tendency| = ")[1].split()[0])
    ift = float(out.split("implicit function theorem| = ")[1].split()[0])
    grad = float(out.split("max |dualgrad - exact| = ")[1].split()[0])
    assert jac < 1e-10 and resid < 1e-8 and ift < 1e-9 and grad < 1e-11
    assert "270 nonzeros of 3600" in out       # the np.gradient-twice stencil, 5 points wide


def test_unsupported_ufunc_refusal_names_stop_gradient_which_works_under_hessian():
    # the old advice, "apply it to d.value", still raised under dg.hessian (d.value is a
    # dual there); dg.stop_gradient strips every level
    def f(x):
        return x[0] ** 2 * sc.eval_legendre(x[1], 0.3)

    with pytest.raises(TypeError, match=r"dg\.stop_gradient\(d\)"):
        dg.hessian(f, np.array([1.0, 2.0]))
    H = dg.hessian(lambda x: x[0] ** 2 * sc.eval_legendre(dg.stop_gradient(x[1]), 0.3),
                   np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, [[2 * (1.5 * 0.09 - 0.5), 0.0], [0.0, 0.0]], rtol=1e-15)
    with pytest.raises(TypeError):      # the old advice: d.value is still a dual here
        dg.hessian(lambda x: x[0] ** 2 * sc.eval_legendre(x[1].value, 0.3),
                   np.array([1.0, 2.0]))


def _box(y, p):
    """A steady two-box balance written as modellers write an rhs: np.array of scalars."""
    T, S = y
    q = np.abs(S - T)
    return np.array([p[0] - T - T * q, p[1] - S * p[2] - S * q])


def test_fsolve_on_an_object_array_rhs_is_our_error_and_its_recipe_is_exact():
    from scipy import optimize
    p = np.array([3.0, 1.0, 0.3])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda q: optimize.fsolve(_box, np.array([1.0, 0.5]), args=(q,)), p)
    text = str(info.value)       # was MINPACK's bare "not a proper array of floats"
    assert text.startswith("dualgrad.jacobian: scipy.optimize.fsolve reads f's values")
    assert "object array of scalar duals" in text and "dg.jacobian(g, x, p)" in text

    def steady(q):               # the message's recipe
        x = optimize.fsolve(_box, np.array([1.0, 0.5]), args=(dg.stop_gradient(q),),
                            xtol=1e-14)
        return x - np.linalg.solve(dg.jacobian(_box, x, q), _box(x, q))

    ys = steady(p)
    T, S = ys                    # oracle: implicit function theorem, partials by hand
    s, q = np.sign(S - T), abs(S - T)
    Jy = np.array([[-1 - q + T * s, -T * s], [S * s, -p[2] - q - S * s]])
    Jp = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, -S]])
    np.testing.assert_allclose(dg.jacobian(steady, p), -np.linalg.solve(Jy, Jp),
                               rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", ["chebyt", "chebyu"])
@pytest.mark.parametrize("n", [0, 1, 3, 2.5])
def test_chebyshev_derivatives_match_mpmath(name, n):
    ours, theirs = getattr(sc, f"eval_{name}"), getattr(mp, name)
    x = np.array([-0.83, 0.0, 0.37, 0.95])
    got = dg.elementwise_grad(lambda s: ours(n, s))(x)
    want = [float(mp.diff(lambda t: theirs(n, t), mp.mpf(float(v)))) for v in x]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    h = dg.hessian(lambda s: ours(n, s), 0.37)
    assert h == pytest.approx(float(mp.diff(lambda t: theirs(n, t), 0.37, 2)), rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("name", ["legendre", "chebyt", "chebyu"])
@pytest.mark.parametrize("n", [-1, -2, -3, -0.5, -1.5, -2.5])
def test_negative_degrees_follow_scipys_values(name, n):
    # SciPy's P_{-2} is P_1 = x, T_{-2} = T_2, U_{-3} = -U_1: the rows used C_{n-1} as
    # for n >= 0 (0 for whole n < 0: a wrong derivative, not an error)
    ours, theirs = getattr(sc, f"eval_{name}"), getattr(mp, name)
    # -1 for whole degrees only: P_nu, T_nu, U_nu of a real degree are singular there
    # (and U_{-1}, identically 0, whose mpmath derivative at -1 is NaN)
    whole = n == int(n) and (name, n) != ("chebyu", -1)
    x = np.array([-1.0, -0.6, 0.2, 0.9] if whole else [-0.6, 0.2, 0.9])
    np.testing.assert_allclose(ours(n, x), [float(theirs(n, v)) for v in x], rtol=1e-12,
                               atol=1e-13)     # mpmath's definitions are SciPy's values
    got = dg.elementwise_grad(lambda s: ours(n, s))(x)
    want = [float(mp.diff(lambda t: theirs(n, t), mp.mpf(float(v)))) for v in x]
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)
