"""Where a heat step's time goes: f, dualgrad, dualgrad with its kernels stubbed out, the kernels alone.

    python bench/heat_parts.py [--cells N] [--steps S] [--repeat R] [--fused]

For each formulation of the heat equation in bench/problems.py (slicing + in-place,
``np.roll`` + rebinding, ``np.diff`` + ``concatenate``) at ``N`` cells x 4 parameters,
one process, interleaved repeats, process time (this process's CPU time: the
machine is shared), per step:

* ``f``: the plain function (NumPy's values: what every dualgrad step also computes);
* ``dualgrad``: ``dg.jacobian`` with the default engine;
* ``stubbed``: the same with every fused kernel replaced by a function that does
  nothing (the values, the Python of the graph and its bookkeeping; results wrong);
* ``kernels``: the fused kernels' own time inside the ``dualgrad`` runs.

Every structure is compiled in the warm-up (``COMPILE_AFTER`` set to 0 for it), so
that at a small ``N`` nothing is interpreted node by node.

``stubbed - f`` is what dualgrad's Python (dispatch, graph, plans) adds to NumPy's
values; at a small ``N`` (``--cells 5000 --fused``: the fused engine at every size)
NumPy's share is small and it is nearly all Python.  The ``scipy.sparse`` form's
``L @ u`` runs its own kernel (``backend.sparse_dual``'s ``csr_dual``: the value and the
partials of the product), which stays in the stubbed runs: its time is printed apart
(``sparse``, in the ``dualgrad`` runs) and ``rest`` = stubbed - f - that kernel's time in
the stubbed runs.  Medians, or minima with
``--min`` (steadier on a loaded machine).  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402  (one thread per library)

FORMS = {"slicing + in-place": "heat", "np.roll + rebinding": "heat_roll",
         "np.diff + concatenate": "heat_diff", "scipy.sparse L @ u": "heat_sparse"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fused", action="store_true",
                        help="force the fused engine (defer at every size)")
    parser.add_argument("--min", action="store_true", help="minima instead of medians")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused, _fusedgen, _numba_kernels
    pick = min if opts.min else statistics.median
    clock = time.process_time
    with dg.engine("fused" if opts.fused else "auto"):
        for label, name in FORMS.items():
            form = getattr(problems, name)

            def f():
                return form(problems.HEAT_P, n=opts.cells, steps=opts.steps)

            def d():
                return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                                   problems.HEAT_P)
            after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
            try:                        # every structure compiled (small N: sooner)
                d()
                d()
            finally:
                _fused.COMPILE_AFTER = after
            sparse = [0.0]
            if name == "heat_sparse":
                csr = _numba_kernels.csr_dual

                def csr_timed(*args):
                    t0 = clock()
                    try:
                        return csr(*args)
                    finally:
                        sparse[0] += clock() - t0
                _numba_kernels.csr_dual = csr_timed
            real = dict(_fusedgen._compiled)
            spent = [0.0]
            timed_kernels = {k: _common.timed(v, spent, clock) for k, v in real.items()}
            stubs = {k: (lambda *args: None) for k in real}
            samples = {"f": [], "dualgrad": [], "stubbed": [], "kernels": [], "sparse": [],
                       "rest": []}
            for _ in range(opts.repeat):
                t0 = clock()
                f()
                samples["f"].append(clock() - t0)
                _fusedgen._compiled.update(timed_kernels)
                spent[0] = sparse[0] = 0.0
                t0 = clock()
                d()
                samples["dualgrad"].append(clock() - t0)
                samples["kernels"].append(spent[0])
                samples["sparse"].append(sparse[0])
                _fusedgen._compiled.update(stubs)
                sparse[0] = 0.0
                t0 = clock()
                d()
                samples["stubbed"].append(clock() - t0)
                samples["rest"].append(samples["stubbed"][-1] - samples["f"][-1] - sparse[0])
                _fusedgen._compiled.update(real)
            if name == "heat_sparse":
                _numba_kernels.csr_dual = csr
            us = {k: pick(v) / opts.steps * 1e6 for k, v in samples.items()}
            print(f"{label} ({opts.cells} x 4): per step f {us['f']:.0f} us, dualgrad "
                  f"{us['dualgrad']:.0f} us ({us['dualgrad'] / us['f']:.2f}x f), kernels "
                  f"{us['kernels']:.0f} us, stubbed {us['stubbed']:.0f} us, stubbed - f "
                  f"{us['stubbed'] - us['f']:.0f} us" +
                  (f", sparse {us['sparse']:.0f} us, rest {us['rest']:.0f} us"
                   if name == "heat_sparse" else ""), flush=True)


if __name__ == "__main__":
    main()
