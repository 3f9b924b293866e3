"""The first dual call of a small @numba.njit f, without and with cache=True (issue 13|14,
stop 41: user26 saw ~2 s for an f without cache=True).

    python bench/jit_first_call.py [--runs R]

Fresh processes, sharing one temporary numba cache directory (``NUMBA_CACHE_DIR``) across
the runs of a kind.  Each process imports numba, numpy and dualgrad, makes a small jitted
f (a loop of ``math.sin``, ``**``, ``*`` over a 1-D array: user26's shape of code), and
times, in this order:

* ``float``: ``f(x)`` on floats (numba's own compile of f);
* ``extension``: importing dualgrad's numba extension (``dualgrad.jit._numba_dual``:
  the dual types, the overloads from the rule table);
* ``first``: the first ``dg.gradient(f, x)`` (numba types and compiles f's dual
  specialization, every overload it calls, and their derivative functions);
* ``second``: the second call;
* ``compile``: the seconds numba's ``numba:compile`` events record inside ``first``
  (outermost events only: f's dual specialization with everything compiled for it).

Kinds: ``fresh cache`` (``@njit``, the first process on an empty cache directory: dualgrad's
own cached numba functions compile too), ``nocache`` (``@njit``, a later process: f's dual
specialization compiles in every process), ``cache cold`` (``@njit(cache=True)``, its first
process: compiles and writes f's entry), ``cache warm`` (later processes: load).
Prints medians over ``R`` runs (default 3) in seconds (prints only).  ``--checkout DIR``
runs another checkout's dualgrad (an A/B against main).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCRIPT = r'''
import json, sys, time
t0 = time.perf_counter()
import math, numba, numpy as np
import dualgrad as dg
from numba.core import event
t_import = time.perf_counter() - t0
CACHE = {cache}

@numba.njit(cache=CACHE)
def f(p):
    s = 0.0
    for i in range(p.shape[0]):
        s += math.sin(p[i]) * p[i - 1] ** 2 + 0.5 * p[i]
    return s

x = np.linspace(0.1, 1.0, 8)
t0 = time.perf_counter(); f(x); t_float = time.perf_counter() - t0
t0 = time.perf_counter()
from dualgrad.jit import _numba_dual  # noqa: F401
t_ext = time.perf_counter() - t0


class Outermost(event.Listener):
    def __init__(self):
        self.depth, self.total, self.count = 0, 0.0, 0

    def on_start(self, ev):
        if self.depth == 0:
            self.t = time.perf_counter()
        self.depth += 1
        self.count += 1

    def on_end(self, ev):
        self.depth -= 1
        if self.depth == 0:
            self.total += time.perf_counter() - self.t


rec = Outermost()
event.register("numba:compile", rec)
t0 = time.perf_counter(); g = dg.gradient(f, x); t_first = time.perf_counter() - t0
event.unregister("numba:compile", rec)
t0 = time.perf_counter(); dg.gradient(f, x); t_second = time.perf_counter() - t0
print(json.dumps(dict(imports=t_import, float=t_float, extension=t_ext, first=t_first,
                      second=t_second, compile=rec.total, compiles=rec.count)))
'''


def run(cache_dir, cache, checkout):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir,
               PYTHONPATH=os.pathsep.join([checkout, os.environ.get("PYTHONPATH", "")]))
    script = Path(cache_dir) / f"first_{'cache' if cache else 'nocache'}.py"
    script.write_text(SCRIPT.format(cache=cache))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    checkout = sys.argv[sys.argv.index("--checkout") + 1] if "--checkout" in sys.argv \
        else str(HERE.parent)
    kinds = {"fresh cache": [], "nocache": [], "cache cold": [], "cache warm": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as d:     # dualgrad's own functions: warm after 1
            kinds["fresh cache"].append(run(d, False, checkout))
            kinds["nocache"].append(run(d, False, checkout))
            kinds["cache cold"].append(run(d, True, checkout))
            kinds["cache warm"].append(run(d, True, checkout))
    keys = ("imports", "float", "extension", "first", "compile", "second")
    print("| kind | " + " | ".join(keys) + " | numba compiles in first |")
    print("|---|" + "---|" * (len(keys) + 1))
    for kind, rows in kinds.items():
        cells = [f"{statistics.median(r[k] for r in rows):.3f}" for k in keys]
        cells[-1] = f"{statistics.median(r['second'] for r in rows) * 1e3:.2f} ms"
        count = statistics.median(r["compiles"] for r in rows)
        print(f"| {kind} | " + " | ".join(cells) + f" | {count:.0f} |")


if __name__ == "__main__":
    main()
