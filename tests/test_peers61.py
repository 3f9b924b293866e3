"""A JAX user's and a SciPy user's calls, checked against the peers themselves (peers61).

Each refusal here used to fail in a way that misled a port: ``args=(a,)`` (SciPy's
spelling) reached ``f`` as a keyword and failed inside it with Python's "unexpected
keyword argument"; ``dg.derivative`` of an array named only ``jacobian``, not the
elementwise derivative ``scipy.differentiate.derivative`` computes; a dataclass point
said "got dtype object"; ``dg.jacrev`` / ``dg.vjp`` were bare ``AttributeError``\\ s.
The README's "Coming from JAX or scipy.differentiate" table names each spelling; the
rows computed here are compared with the peer's own output.
"""

import dataclasses

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.3, 0.7, 1.1])


def _f(x, a):
    return np.stack([np.sin(a * x[0]) * x[1], x[2] ** 3 / a])


def _jac(x, a):                                          # analytic oracle of _f
    return np.array([[a * np.cos(a * x[0]) * x[1], np.sin(a * x[0]), 0.0],
                     [0.0, 0.0, 3 * x[2] ** 2 / a]])


@pytest.mark.parametrize("call", [
    lambda: dg.jacobian(_f, X, args=(2.0,)),
    lambda: dg.jacfwd(_f)(X, args=(2.0,)),
    lambda: dg.gradient(lambda x, a: np.sum(_f(x, a)), X, args=(2.0,)),
    lambda: dg.hessian(lambda x, a: np.sum(_f(x, a)), X, args=(2.0,)),
    lambda: dg.derivative(lambda t, a: np.sin(a * t), 0.3, args=(2.0,)),
    lambda: dg.jvp(_f, X, X, args=(2.0,)),
    lambda: dg.grad(lambda x, a: np.sum(_f(x, a)))(X, args=(2.0,)),          # diff61 13
    lambda: dg.value_and_grad(lambda x, a: np.sum(_f(x, a)))(X, args=(2.0,)),
    lambda: dg.elementwise_grad(lambda x, a: np.sin(a * x))(X, args=(2.0,)),
])
def test_scipy_args_keyword_names_the_positional_spelling(call):
    with pytest.raises(TypeError, match=r"args= as a keyword.*Write dg\.\w+\(f"):
        call()


def test_args_keyword_still_reaches_an_f_that_takes_it():
    def g(x, args=(1.0,)):
        return _f(x, args[0])

    np.testing.assert_allclose(dg.jacobian(g, X, args=(2.0,)), _jac(X, 2.0), rtol=1e-14)
    np.testing.assert_allclose(dg.jacobian(lambda x, **kw: _f(x, kw["args"][0]), X,
                                           args=(2.0,)), _jac(X, 2.0), rtol=1e-14)
    np.testing.assert_allclose(dg.grad(lambda x, args=(1.0,): np.sum(_f(x, args[0])))(
        X, args=(2.0,)), np.sum(_jac(X, 2.0), axis=0), rtol=1e-14)

    def h(x, args, /):                  # positional-only: args= cannot reach it
        return _f(x, args[0])
    with pytest.raises(TypeError, match=r"args= as a keyword.*Write dg\.jacobian\(f, x"):
        dg.jacobian(h, X, args=(2.0,))


def test_scipy_differentiate_spellings_match_it():
    sd = pytest.importorskip("scipy.differentiate")
    # jacobian / hessian: SciPy's f is vectorized (x gets trailing axes); dualgrad's is not
    ref = sd.jacobian(lambda x: _f(x, 2.0), X).df
    np.testing.assert_allclose(dg.jacobian(_f, X, 2.0), ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dg.jacobian(_f, X, 2.0), _jac(X, 2.0), rtol=1e-14)
    h = lambda x: np.sum(x ** 3, axis=0) * x[0]          # noqa: E731
    np.testing.assert_allclose(dg.hessian(h, X), sd.hessian(h, X).ddf, rtol=1e-7, atol=1e-9)
    # derivative: elementwise over an array x
    with pytest.raises(ValueError, match=r"dg\.elementwise_grad\(f\)\(x\).*scipy\.differ"):
        dg.derivative(np.sin, X)
    ref = sd.derivative(lambda t: np.sin(2 * t), X).df
    np.testing.assert_allclose(dg.elementwise_grad(lambda t: np.sin(2 * t))(X), ref,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dg.elementwise_grad(lambda t: np.sin(2 * t))(X),
                               2 * np.cos(2 * X), rtol=1e-15)


@dataclasses.dataclass
class _Params:
    w: np.ndarray
    b: float


def test_dataclass_point_names_asdict():
    loss = lambda p: np.sum(p.w ** 2) * p.b              # noqa: E731
    with pytest.raises(TypeError, match=r"object of type _Params.*dataclasses\.asdict"):
        dg.grad(loss)(_Params(X, 2.0))
    g = dg.grad(lambda p: np.sum(p["w"] ** 2) * p["b"])(dataclasses.asdict(_Params(X, 2.0)))
    np.testing.assert_allclose(g["w"], 4 * X, rtol=1e-15)
    np.testing.assert_allclose(g["b"], np.sum(X ** 2), rtol=1e-15)


@pytest.mark.parametrize("name,fix", [("jacrev", r"dg\.jacfwd\(f\)"),
                                      ("vjp", "no reverse mode"),
                                      ("linearize", r"dg\.jvp"),
                                      ("vmap", "batch_axis=0")])
def test_jax_only_names_say_the_dualgrad_spelling(name, fix):
    with pytest.raises(AttributeError, match=f"has no attribute '{name}'.*{fix}"):
        getattr(dg, name)


def test_readme_jax_rows_match_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    A = np.arange(6.0).reshape(2, 3) / 3 + 0.1
    # jacrev of a matrix function: out.shape + in.shape
    ref = jax.jacrev(lambda M: jnp.tanh(M @ M.T))(A)
    got = dg.jacfwd(lambda M: np.tanh(M @ M.T))(A)
    assert got.shape == ref.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15)   # tanh' by 1 - tanh**2
    # vmap(jacfwd) as batch_axis=0
    P = np.stack([X, 2 * X, -X])
    ref = jax.vmap(jax.jacfwd(lambda x: jnp.stack([jnp.sum(x ** 2), x[0] * x[1]])))(P)
    got = dg.jacobian(lambda x: np.stack([np.sum(x ** 2), x[0] * x[1]]), P, batch_axis=0)
    np.testing.assert_allclose(got, ref, rtol=1e-14)


def test_has_aux_without_a_pair_names_no_internal_class():
    # JAX: "expected function with aux output to return a two-element tuple"; this said
    # "got ScalarDual2" / "got ArrayDual..."
    for x in (0.3, X):
        with pytest.raises(TypeError, match=r"pair \(out, aux\).*got a dual number \(out"):
            dg.grad(lambda x: np.sum(x ** 2), has_aux=True)(x)
