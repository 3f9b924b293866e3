"""SciPy functions that convert their input, made to take dual numbers: what JAX
users know as ``jax.scipy``.

SciPy's ``scipy.special.logsumexp`` / ``softmax`` / ``log_softmax`` and
``scipy.linalg``'s solvers and factorizations call ``np.asarray`` on their input
before any NumPy function runs, so dual numbers never reach dualgrad through them
(SciPy asks ``__array_namespace__`` only under ``SCIPY_ARRAY_API=1``).  The
functions of :mod:`dualgrad.scipy.special` and :mod:`dualgrad.scipy.linalg` have
SciPy's signatures: plain input goes to SciPy itself (the same result, bit for bit,
the same errors); dual numbers get SciPy's value and exact partials.  Change
``from scipy.linalg import cho_factor, cho_solve`` to
``from dualgrad.scipy.linalg import cho_factor, cho_solve``.
:mod:`dualgrad.scipy.spatial.transform` has ``Rotation`` and ``Slerp``, SciPy's classes
written on NumPy (SciPy's values to rounding, exact partials).

``import dualgrad`` does not import this package, and this package imports SciPy
on a function's first call (an ImportError naming the fix without SciPy).
"""

from . import linalg, optimize, spatial, special, stats

__all__ = ["linalg", "optimize", "spatial", "special", "stats"]
