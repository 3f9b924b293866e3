"""``scipy.spatial``'s classes that take dual numbers.

* :mod:`dualgrad.scipy.spatial.transform`: ``Rotation`` and ``Slerp``, SciPy's
  signatures and conventions written on NumPy, so dual numbers flow through every
  constructor, conversion, composition and ``apply``.
"""

from . import transform

__all__ = ["transform"]
