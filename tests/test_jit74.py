"""A user's ``fastmath=True`` jitted code and dualgrad's derivative functions (attack74).

numba hands a caller's fastmath flag to a callee that sets none, and its disk cache keeps
no flags: dualgrad's jitted derivative rows, compiled first from inside a user's
fastmath function, were folded as if no NaN or inf could occur (d/dx asin(x) at 1 is inf,
and inf * 0 = NaN was taken for 0 in the other columns), and a later process running
plain jitted code loaded those folds from the cache.  Oracle: the analytic Jacobian of
asin(x) + sqrt(x), diagonal 1 / sqrt(1 - x**2) + 1 / (2 sqrt(x)), zeros elsewhere.
Both tests fail on c8458832 (NaN off the diagonal)."""

import numpy as np
import pytest

import dualgrad as dg
from _probes import fresh_runs

numba = pytest.importorskip("numba")

_X = [1.0, 0.0, 0.25]


def _analytic(x):
    x = np.asarray(x)
    with np.errstate(divide="ignore"):
        return np.diag(1.0 / np.sqrt(1.0 - x ** 2) + 0.5 / np.sqrt(x))


def _steps(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = np.arcsin(x[i]) + np.sqrt(x[i])
    return out


def test_a_fastmath_callee_of_a_python_f_keeps_the_zero_partials():
    g = numba.njit(fastmath=True)(_steps)       # reached from Python: no serial twin
    with np.errstate(divide="ignore"):
        J = dg.jacobian(lambda x: g(x), np.array(_X))
    np.testing.assert_array_equal(J, _analytic(_X))


_SCRIPT = '''
import json, math, os, warnings
import numpy as np
from numba import njit
import dualgrad as dg
warnings.simplefilter("ignore")

def steps(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = math.asin(x[i]) + math.sqrt(x[i])
    return out

x = np.array(%r)
if not os.path.exists("ran"):            # the first process: the user's fastmath code
    open("ran", "w").close()
    J = dg.jacobian(lambda x: njit(fastmath=True)(steps)(x), x)
else:                                    # a later one: plain jitted code, same cache
    J = dg.jacobian(njit(steps), x)
print(json.dumps([[repr(v) for v in row] for row in J.tolist()]))
''' % (_X,)


@pytest.mark.engine_independent
def test_a_later_process_loads_no_fastmath_folds(tmp_path):
    want = [[repr(v) for v in row] for row in _analytic(_X).tolist()]
    first, later = fresh_runs(_SCRIPT, tmp_path)
    assert first == want
    assert later == want
