"""The suite runs with numba loaded from its start.

dualgrad loads numba only once its kernels have had work enough to pay for the
load (dualgrad/backend/_loader.py); before that, large operations take the NumPy
path.  Loaded here, a test's path does not depend on which tests ran before it
(the kernel tests in tests/test_kernels.py and tests/test_fused.py expect the
kernels in ``auto`` mode).  tests/test_loader.py tests the unloaded process: in a
fresh one, and here with ``_loader.READY`` patched off.
"""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _numba_loaded():
    from dualgrad.backend import _loader
    _loader.load()
