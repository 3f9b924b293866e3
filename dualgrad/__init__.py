"""dualgrad: exact derivatives of plain NumPy code by forward-mode dual numbers.

>>> import dualgrad as dg
>>> dg.grad(lambda q, chi, delta: q * chi * delta, argnums=(0, 1, 2))(1.0, 2.0, 3.0)
(6.0, 3.0, 2.0)

The package is built in wings that import one way, from the bottom up:
``rules`` (the rule table), ``backend`` (the door to propagation and allocation),
``dual`` (the number types), ``dispatch`` (NumPy's protocols), ``jit`` (numba
extension) and ``api`` (helpers and transforms); ``errors`` is shared by all.
``tests/test_architecture.py`` checks the order.
"""

import importlib

from . import _import_time  # noqa: F401  (first: its stamp precedes every file read)
from .dual import Dual
from . import dispatch, jit  # noqa: F401  (connect the dual types to dispatch and numba)
from .errors import (CaughtErrorWarning, ComparedOnlyWarning, DualTypeError, DualValueError,
                     ObjectArrayWarning, UncheckedWarning)
from .api.helpers import approx_fprime, derivative, gradient, hessian, jacobian, jvp
from .api._stop import stop_gradient
from .api.transforms import elementwise_grad, grad, jacfwd, value_and_grad
from .backend import engine

__all__ = ["CaughtErrorWarning", "ComparedOnlyWarning", "Dual", "DualTypeError", "DualValueError",
           "ObjectArrayWarning", "UncheckedWarning",
           "derivative", "gradient",
           "jacobian", "hessian", "jvp", "grad", "value_and_grad", "jacfwd", "elementwise_grad",
           "approx_fprime", "stop_gradient", "sparsity", "hessian_sparsity", "solve_ivp", "quad",
           "engine"]


# Entry points imported when first read, and their modules
_LAZY = {"sparsity": ".api._sparsity", "hessian_sparsity": ".api._sparsity",
         "solve_ivp": ".api._ode", "quad": ".api._quad"}


def __getattr__(name):
    """Import the sparsity detectors and the ODE solver when first read (``dg.sparsity``,
    ``from dualgrad import solve_ivp``): the detectors' module is the package's largest
    and no derivative uses it, so ``import dualgrad`` leaves it alone (~15 % of the
    import's CPU time where the package is compiled from source: ``python
    bench/import_ab.py``); the solver is SciPy's, an optional dependency.  ``dg.scipy``
    is the subpackage :mod:`dualgrad.scipy` (SciPy's functions that take duals), which
    imports SciPy only when one of its functions is called."""
    if name == "scipy":                 # dg.scipy.linalg.cho_factor: dualgrad.scipy
        return importlib.import_module(".scipy", __name__)
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        found = getattr(module, name)
        globals()[name] = found
        return found
    hint = _PEERS.get(name)
    raise AttributeError(f"module 'dualgrad' has no attribute {name!r}"
                         + (f" (JAX's {name}: {hint})" if hint else ""))


# JAX's transforms a port looks for, and the dualgrad spelling of each (forward mode only,
# no reverse pass; the names stay JAX's alone: STYLE.md, no aliases)
_PEERS = {
    "jacrev": "dg.jacfwd(f) gives the same Jacobian, out.shape + x.shape",
    "vjp": "dualgrad has no reverse mode; the same numbers are "
           "dg.grad(lambda x: np.sum(v * f(x)))(x), one forward pass per input direction",
    "linearize": "dg.jvp(f, x, v) gives (f(x), J(x) @ v) for each v, "
                 "dg.jacobian(f, x) J itself",
    "vmap": "dg.jacobian(f, X, batch_axis=0) / dg.gradient(..., batch_axis=0) for "
            "per-point derivatives, dg.elementwise_grad(f) for an elementwise f",
}


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"scipy"})


try:                                    # written at build time from git tags (setuptools-scm)
    from ._version import __version__  # type: ignore[import-not-found, unused-ignore]
except ImportError:                     # a source tree that was never built
    __version__ = "0.1.0+unknown"
