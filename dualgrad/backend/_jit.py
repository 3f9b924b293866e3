"""numba's ``njit`` for dualgrad's kernel modules, with the disk cache where it can be.

The kernels ask for ``cache=True`` so that later processes skip the compile.  numba
needs somewhere to write that cache (the package's ``__pycache__``, the user's cache
directory under ``HOME``, or ``NUMBA_CACHE_DIR``); an install with none of them
writable (a read-only image run as another user) makes numba refuse the decorator
with ``RuntimeError: cannot cache function ...: no locator available``.  Then the
kernels compile without the disk cache, in every process, and dualgrad warns once.
Imported only by the kernel modules, so never at ``import dualgrad``.
"""

import warnings

import numba

__all__ = ["njit", "NoDiskCacheWarning"]


class NoDiskCacheWarning(UserWarning):
    """numba found no writable cache location: kernels compile in every process."""


_warned = False


def njit(**options):
    """``numba.njit(**options)`` that falls back to ``cache=False`` when numba has no
    writable cache location."""
    def decorate(fn):
        global _warned
        if options.get("cache"):
            try:
                return numba.njit(**options)(fn)
            except RuntimeError as exc:
                if "no locator available" not in str(exc):
                    raise
            if not _warned:
                _warned = True
                warnings.warn(
                    "dualgrad: numba has no writable cache location (a read-only install "
                    "and no writable home), so dualgrad's kernels are compiled in every "
                    "process. Set NUMBA_CACHE_DIR to a writable directory to keep them.",
                    NoDiskCacheWarning, stacklevel=2)
        return numba.njit(**dict(options, cache=False))(fn)
    return decorate
