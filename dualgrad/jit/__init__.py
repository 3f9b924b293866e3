"""The jit wing: dual numbers inside users' numba-jitted code (``_numba_dual``, a
numba extension type).

Importing this package does not import numba.  It gives the dual types numba's
hook for unknown types, ``_numba_type_``, which loads ``_numba_dual`` (and numba)
the first time numba meets a dual; the helpers load it when ``f`` is jitted.
"""

from ..dual import Dual


def _numba_type_(self):
    from . import _numba_dual           # numba itself is loaded only here
    t = _numba_dual.typeof_dual(self)
    if t is None:                       # numba's C typeof reads ._code of what it gets
        raise AttributeError("_numba_type_: this dual has no numba type")
    return t


Dual._numba_type_ = property(_numba_type_, doc="numba's type of this dual (numba's "
                             "hook for types it does not know).")
