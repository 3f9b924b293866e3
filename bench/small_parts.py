"""Where a dual operation on arrays of N = 10 elements spends its time (issue 13).

    python bench/small_parts.py [--numba] [--n 4] [--rounds 9] [--calls]

Times the whole operations of ``bench_engine.py --small`` (``a + b``, ``a * b``, ``a / b``,
``a ** 2``, ``a * 2.0`` (and its float op ``x * 2.0``), ``np.sin(a)``, ``np.exp(a)``, ``a.sum()``) next to the pieces they are made
of, in interleaved rounds (process time: this process's CPU time, the machine is
shared), medians, in microseconds and as multiples of the float product ``x * y``:
NumPy's calls on the value and partials arrays (a same-shape sum, a broadcast product
``f[:, None] * p``, the two products and the sum of ``a * b``), the small path's own
steps (a finiteness test of a factor, the error-state switch, ``np.empty``, creating
the result), and with ``--numba`` (numba loaded first, as a long loop of small
operations does) the kernel calls that replace NumPy's (``exact2``: the operators'
one call for the value and the partials of ``a * b``).  Without ``--numba`` the
loader's budget is raised, so numba stays unloaded (the NumPy calls of a short
process).  The unary rows' pieces: NumPy's ``__array_ufunc__`` protocol alone (``np.sin``
of an object whose method returns at once), the lean function called without it, the
factor's ``np.cos(x)``, the partials' kernel, the error state's context variable set and
reset, the result made, and since small39 the entry point that replaced the partials'
kernel call for small 1-D values (``_kernels.small_entry``: no dispatcher).  Since small68
also ``a ** -1`` and ``a ** 2.5`` beside their float ops (``x ** -1`` is NumPy's
reciprocal), the value's ``np.power``, the factor's NumPy part ``x ** -2.0`` and, with
``--numba``, the entry point that makes the factor and the partials
(``backend.POWER_NUMBER``).  ``--calls``:
instead, each operation's (also ``k * a``, ``a ** 3``, ``M @ a``, ``a[2:5]``, ``a[3]``,
``a * k``, ``a / k``, ``k - a``, ``a ** -1``, ``a ** 2.5``) Python-level
calls and
builtin (C) calls as ``sys.setprofile`` sees them (ufunc calls and numba's entry points
of ``_kernels.small_exact`` show as C calls or not at all: ufuncs are not builtins).
Nothing is written.
"""

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
from _common import median_time  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _kernels, _loader, _propagate  # noqa: E402
from dualgrad.dispatch import _ufuncs  # noqa: E402
from dualgrad.dual import make_array, make_real  # noqa: E402
from dualgrad.dual._array import _LEAN  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", action="store_true")
    opts = parser.parse_args()
    if opts.numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    rng = np.random.default_rng(4)
    N, n = 10, opts.n
    x, y = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
    tag = new_tag()
    a = dg.Dual(x, rng.standard_normal((N, n)), tag=tag)
    b = dg.Dual(y, rng.standard_normal((N, n)), tag=tag)
    p, q = a._p, b._p
    out = x * y

    def products():
        t = y[:, None] * p
        t += x[:, None] * q
        return t

    def hush():
        _ufuncs._unhush(_ufuncs._hush())

    if opts.calls:
        calls(a, b)
        return

    class Bare:                     # NumPy's override protocol and nothing else
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return None
    bare, lean_sin, cos = Bare(), _LEAN[np.sin], np.cos(x)
    _ufuncs._unhush(_ufuncs._hush())
    state, quiet = _ufuncs._errstate, _ufuncs._LAST[0][1]

    pieces = {
        "x * y (float op)": lambda: x * y,
        "a + b": lambda: a + b, "a * b": lambda: a * b, "a / b": lambda: a / b,
        "a ** 2": lambda: a ** 2, "a * 2.0": lambda: a * 2.0, "x * 2.0": lambda: x * 2.0,
        "np.sin(a)": lambda: np.sin(a),
        "np.exp(a)": lambda: np.exp(a), "a.sum()": lambda: a.sum(),
        "np.sum(a)": lambda: np.sum(a),
        "p + q": lambda: p + q,
        "y[:, None] * p": lambda: y[:, None] * p,
        "two products + sum": products,
        "finiteness test (tolist, sum)": lambda: math.isfinite(sum(y.tolist())),
        "error state switch": hush,
        "np.empty((N, n))": lambda: np.empty((N, n)),
        "make_array": lambda: make_array(out, p, tag),
        "np.cos(x)": lambda: np.cos(x),
        "np.sin(x)": lambda: np.sin(x),
        "np.sin(o): the protocol alone": lambda: np.sin(bare),
        "lean np.sin(a) without the protocol": lambda: lean_sin(a),
        "error state set + reset (written out)": lambda: state.reset(state.set(quiet)),
        "make_real": lambda: make_real(out, p, tag),
        "1.0 / y": lambda: 1.0 / y,
        "np.add.reduce(x)": lambda: np.add.reduce(x),
        "pair_small (a * b's partials)": lambda: _propagate.pair_small(y, p, x, q),
        # small68: a number's power, and the two float ops beside it (x ** -1 is
        # NumPy's reciprocal, x ** 2.5 its power loop)
        "a ** -1": lambda: a ** -1, "a ** 2.5": lambda: a ** 2.5,
        "x ** -1 (a ** -1's float op)": lambda: x ** -1,
        "x ** 2.5 (a ** 2.5's float op)": lambda: x ** 2.5,
        "np.power(x, -1.0) (a ** -1's value)": lambda: np.power(x, -1.0),
        "x ** -2.0 (a ** -1's factor's NumPy part)": lambda: x ** (-1.0 - 1.0),
    }
    if opts.numba:
        pieces["pair_kernel (a * b's partials)"] = lambda: _propagate.pair_kernel(y, p, x, q)
        pieces["local_kernel2 (a / b's)"] = \
            lambda: _propagate.local_kernel2(np.divide, x, y, out, p, q)
        pieces["scaled_kernel (np.sin's partials)"] = lambda: _propagate.scaled_kernel(cos, p)
        entry = _kernels.small_entry(None)
        pieces["np.empty + scale entry (np.sin's partials since small39)"] = \
            lambda: entry(cos, p, np.empty(p.shape))
        pieces["exact2 (a * b's value and partials)"] = \
            lambda: _propagate.exact2(np.multiply, x, y, p, q)
        pieces["exact_number (a * 2.0's)"] = \
            lambda: _propagate.exact_number(np.multiply, 0, x, 2.0, p)
        number = _propagate.POWER_NUMBER[0] or _propagate.power_number_entry()
        w = x ** -2.0
        pieces["np.empty + power_number entry (a ** -1's partials, small68)"] = \
            lambda: number(x, -1.0, out, w, p, np.empty(p.shape))
    samples = {k: [] for k in pieces}
    for _ in range(opts.rounds):
        for k, fn in pieces.items():
            samples[k].append(median_time(fn, 1, 0.01, time.process_time))
    base = samples["x * y (float op)"]
    print(f"N = {N}, n = {n}, numba {'loaded' if opts.numba else 'not loaded'}; "
          f"medians of {opts.rounds} rounds")
    print("| piece | us | / x * y |")
    print("|---|---|---|")
    for k, s in samples.items():
        ratio = statistics.median(t / f for t, f in zip(s, base))
        print(f"| {k} | {statistics.median(s) * 1e6:.2f} | {ratio:.1f} |")


def calls(a, b):
    """Print each operation's calls as ``sys.setprofile`` sees them (warm: run twice first)."""
    k = dg.Dual(0.7, np.linspace(-1.0, 1.0, a.partials.shape[1]), tag=a.tag)
    M = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
    ops = {"np.sin(a)": lambda: np.sin(a), "np.exp(a)": lambda: np.exp(a),
           "a * b": lambda: a * b, "a + b": lambda: a + b, "a * 2.0": lambda: a * 2.0,
           "a ** 2": lambda: a ** 2, "k * a": lambda: k * a, "a ** 3": lambda: a ** 3,
           "M @ a": lambda: M @ a, "a[2:5]": lambda: a[2:5],    # (lean45: bench_engine's)
           "a[3]": lambda: a[3], "a * k": lambda: a * k, "a / k": lambda: a / k,
           "k - a": lambda: k - a,                                 # (small46)
           "a ** -1": lambda: a ** -1, "a ** 2.5": lambda: a ** 2.5}   # (small68)
    for name, op in ops.items():
        op(), op()
        seen = []

        def record(frame, event, arg):
            if event == "call":
                seen.append(("py", frame.f_code.co_name))
            elif event == "c_call":
                seen.append(("c", getattr(arg, "__qualname__", "?")))
        sys.setprofile(record)
        op()
        sys.setprofile(None)
        seen = seen[1:-1]                    # (the lambda's call and setprofile's own)
        py = [f for kind, f in seen if kind == "py"]
        c = [f for kind, f in seen if kind == "c"]
        print(f"{name}: {len(py)} Python calls ({', '.join(py)}); "
              f"{len(c)} builtin calls ({', '.join(c)})")


if __name__ == "__main__":
    main()
