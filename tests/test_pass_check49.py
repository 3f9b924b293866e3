"""The helpers' pass check where dg.quad / dg.solve_ivp run inside f, and on executors
(rosen49; attack48b 19: the check was off there, so an unseeded draw inside f spliced
the passes' partials from different functions silently).

The solvers declare how far their value may move between passes (their tolerances),
the passes compare within that, and an executor's passes report their declarations
with their results.  Oracles: closed forms of the integrals' derivatives."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import _parallel

DIFFER = "same value on every pass"
W = np.random.default_rng(1).normal(size=60)


def _quad_f(p, noise=1.0):
    """int_0^1 exp(-p0 x) + p1 x + p2 x^2 dx, times ``noise``."""
    return dg.quad(lambda x: np.exp(-p[0] * x) + p[1] * x + p[2] * x * x, 0.0, 1.0)[0] * noise


def _quad_grad(p):
    a = p[0]
    return np.array([(np.exp(-a) * (a + 1) - 1) / a ** 2, 0.5, 1.0 / 3.0])


def _ode_f(k, noise=1.0):
    """y(2) of y' = -k y, y(0) = 1 (each component), times ``noise``."""
    return dg.solve_ivp(lambda t, y: -k * y, (0.0, 2.0), np.ones(k.size) + 0.0 * k,
                        rtol=1e-8, atol=1e-10).y[:, -1] * noise


P = np.array([0.7, 2.0, -1.0])
K = np.array([0.5, 1.0, 1.5])


def unseeded_quad(p):
    return _quad_f(p, 1.0 + 0.5 * np.random.default_rng().random())


def seeded_quad(p):
    return _quad_f(p, 1.0 + 0.5 * np.random.default_rng(3).random())


def unseeded_sum(w):
    mask = np.random.default_rng().random(w.size) > 0.5
    return np.sum((w * mask) ** 2)


def seeded_sum(w):
    mask = np.random.default_rng(0).random(w.size) > 0.5
    return np.sum((w * mask) ** 2)


# an unseeded draw inside f that also integrates: refused (the check was off)

def test_unseeded_draw_with_quad_raises():
    with pytest.raises(ValueError, match=DIFFER) as info:
        dg.gradient(unseeded_quad, P, chunk=1)
    assert any("dg.quad / dg.solve_ivp" in n for n in info.value.__notes__)


def test_unseeded_draw_with_solve_ivp_raises():
    f = lambda k: _ode_f(k, 1.0 + 0.5 * np.random.default_rng().random())  # noqa: E731
    with pytest.raises(ValueError, match=DIFFER):
        dg.jacobian(f, K, chunk=1)


def test_unseeded_draw_with_quad_in_a_batch_raises():
    x = np.stack([P, P + 0.1])
    with pytest.raises(ValueError, match=DIFFER):
        dg.jacobian(unseeded_quad, x, batch_axis=0, chunk=1)


# deterministic and seeded f that integrate: compared within the solvers' tolerance

def test_deterministic_quad_and_solve_ivp_pass_the_check():
    np.testing.assert_allclose(dg.gradient(_quad_f, P, chunk=1), _quad_grad(P), rtol=1e-9)
    np.testing.assert_allclose(dg.jacobian(_ode_f, K, chunk=1), np.diag(-2 * np.exp(-2 * K)),
                               rtol=1e-6, atol=1e-9)


def test_seeded_draw_with_quad_passes_the_check():
    c = 1.0 + 0.5 * np.random.default_rng(3).random()
    np.testing.assert_allclose(dg.gradient(seeded_quad, P, chunk=1), c * _quad_grad(P),
                               rtol=1e-9)


def test_passes_that_move_within_the_tolerance_asked_are_not_refused():
    # attack48b 17: dg.quad at epsrel=1e-4 steps on every coefficient a pass carries;
    # its chunks differ beyond 1e-9 (the check without the declaration refuses them)
    f = lambda p: dg.quad(lambda x: np.sqrt(x) * np.cos(3 * x) + p[0] * np.log(x)  # noqa
                          / np.sqrt(x) + p[1] * x * x, 0.0, 1.0, epsrel=1e-4)[0]
    p = np.array([0.0, 2.0])
    values = [dg.gradient(f, p, chunk=1) for _ in range(2)]
    np.testing.assert_allclose(values[0], [-4.0, 1.0 / 3.0], rtol=1e-4)
    # the same f on a thread pool: the workers' declarations come back with their passes
    with ThreadPoolExecutor(2) as ex:
        np.testing.assert_allclose(dg.gradient(f, p, chunk=1, executor=ex), [-4.0, 1.0 / 3.0],
                                   rtol=1e-4)


def test_a_nested_helpers_integrations_reach_the_outer_check():
    # the inner gradient's passes run quad; the outer Jacobian's passes compare the inner
    # gradients (its values), which move within quad's tolerance
    f = lambda p: dg.quad(lambda x: np.sqrt(x) * np.cos(p[0] * x) + p[1] * x * x,  # noqa
                          0.0, 1.0, epsrel=1e-5)[0]
    p = np.array([3.0, 2.0])
    H = dg.jacobian(lambda q: dg.gradient(f, q, chunk=1), p, chunk=1)
    x = np.linspace(0.0, 1.0, 200001)
    h00 = np.trapezoid(-x ** 2.5 * np.cos(3.0 * x), x)
    np.testing.assert_allclose(H, [[h00, 0.0], [0.0, 0.0]], atol=1e-4)


# executors: their passes' values are compared too (the check was off there)

def test_unseeded_draw_on_a_thread_pool_raises():
    with ThreadPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(unseeded_sum, W, chunk=10, executor=ex)
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(unseeded_quad, P, chunk=1, executor=ex)
        mask = np.random.default_rng(0).random(W.size) > 0.5
        np.testing.assert_array_equal(dg.gradient(seeded_sum, W, chunk=10, executor=ex),
                                      2 * W * mask)
        c = 1.0 + 0.5 * np.random.default_rng(3).random()
        np.testing.assert_allclose(dg.gradient(seeded_quad, P, chunk=1, executor=ex),
                                   c * _quad_grad(P), rtol=1e-9)


def test_unseeded_draw_on_a_process_pool_raises():
    with ProcessPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(unseeded_sum, W, chunk=10, executor=ex)
        mask = np.random.default_rng(0).random(W.size) > 0.5
        np.testing.assert_array_equal(dg.gradient(seeded_sum, W, chunk=10, executor=ex),
                                      2 * W * mask)
        c = 1.0 + 0.5 * np.random.default_rng(3).random()
        np.testing.assert_allclose(dg.gradient(seeded_quad, P, chunk=1, executor=ex),
                                   c * _quad_grad(P), rtol=1e-9)


def test_declarations_are_per_pass_and_reach_the_enclosing_pass():
    def task(t):
        _parallel.adaptive_run(1e-6, 1e-8, [t], [0.0])
        return t
    results, tols = _parallel.watched_tasks("test", task, [(1.0,), (100.0,)], ["a", "b"])
    assert results == [1.0, 100.0]
    np.testing.assert_allclose(tols, [(1e-6, 1e-6), (1e-6, 1e-4)], rtol=1e-15)  # rtol |v|

    def outer():                                          # a helper's passes in a pass
        _parallel.adaptive_run(1e-9, 3e-9)
        return _parallel.watched_tasks("test", task, [(1.0,), (100.0,)], ["a", "b"])[0]
    _, tols = _parallel.watched_tasks("test", outer, [()], ["outer"])
    np.testing.assert_allclose(tols, [(1e-6, 3e-9 + 1e-4)], rtol=1e-15)  # own + inner's
    with ThreadPoolExecutor(1) as ex:                    # from a worker thread too
        _, tols = _parallel.watched_tasks("test", outer, [()], ["outer"], ex)
    np.testing.assert_allclose(tols, [(1e-6, 3e-9 + 1e-4)], rtol=1e-15)


def test_a_hessians_outer_chunks_are_compared(np_random_kept):
    # past 48 inputs dg.hessian takes its outer level in chunks, each with one inner
    # pass: an unseeded draw gave each chunk's columns their own c (diag / 6x spread
    # over 1.2-1.9 for c in [1, 2)); the chunks' gradients overlap and are compared
    x = np.linspace(0.5, 1.5, 100)

    def unseeded(w):
        return (1 + np.random.random()) * np.sum(w ** 3)

    def seeded(w):
        c = 1 + np.random.default_rng(0).random()
        return c * np.sum(w ** 3) + np.sum(np.sin(w[:-1]) * w[1:])
    with pytest.raises(ValueError, match=DIFFER):
        dg.hessian(unseeded, x)
    c = 1 + np.random.default_rng(0).random()
    ref = np.diag(6 * c * x)
    i = np.arange(99)
    ref[i, i] -= np.sin(x[:-1]) * x[1:]
    ref[i, i + 1] += np.cos(x[:-1])
    ref[i + 1, i] += np.cos(x[:-1])
    np.testing.assert_allclose(dg.hessian(seeded, x), ref, rtol=1e-13, atol=1e-13)
    with ThreadPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.hessian(unseeded, x[:20], chunk=5, executor=ex)
        np.testing.assert_allclose(dg.hessian(seeded, x, executor=ex), ref, rtol=1e-13,
                                   atol=1e-13)
