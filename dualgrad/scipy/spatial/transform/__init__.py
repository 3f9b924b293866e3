"""``scipy.spatial.transform.Rotation`` and ``Slerp`` that take dual numbers.

SciPy's ``Rotation`` converts its input with ``np.asarray`` (its Cython backend),
which drops the derivatives of dual numbers.  :class:`Rotation` here has SciPy 1.17's
signatures and conventions (scalar-last quaternions unless ``scalar_first=True``,
``canonical=``, ``degrees=``, intrinsic ``"XYZ"`` vs extrinsic ``"xyz"`` Euler
sequences, single and stacked rotations of any leading shape, ``*`` composition,
``inv``, ``apply(inverse=)``, ``magnitude``, ``mean``, ``align_vectors``) and is
written on NumPy, so a dual quaternion, matrix, rotation vector, set of Euler
angles, MRPs or vectors gives SciPy's values (to rounding: the same formulas and
the same branch choices) with exact partials, nested duals (Hessians) included.
Change ``from scipy.spatial.transform import Rotation`` to
``from dualgrad.scipy.spatial.transform import Rotation``.

For instance, the Jacobian of a pinhole camera's projection with respect to the
camera's rotation vector:

>>> import numpy as np
>>> import dualgrad as dg
>>> from dualgrad.scipy.spatial.transform import Rotation
>>> X = np.array([[0.3, -0.2, 4.0], [-0.5, 0.1, 5.0]])
>>> def project(w):
...     P = Rotation.from_rotvec(w).apply(X)
...     return P[:, :2] / P[:, 2:]
>>> dg.jacobian(project, np.zeros(3)).shape
(2, 2, 3)
"""

from ._rotation import Rotation, Slerp

__all__ = ["Rotation", "Slerp"]
