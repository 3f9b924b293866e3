"""Where one ``dg.gradient(scipy.optimize.rosen, x)`` call spends its time, stage by
stage, beside num-dual's ``gradient`` of the same function.

    python bench/rosen_stages.py [--n 2 10] [--rounds 5] [--calls 2000]

Both gradients are written out here as their libraries run them (dualgrad's
``api/helpers._one_pass``, SciPy's ``rosen`` body: ``array_namespace``,
``xp_promote``, the arithmetic, ``xp.sum``), with a clock read
(``time.perf_counter``) between stages; each stage's time is the median over every
call of every round (``--rounds`` rounds of ``--calls`` calls: a wall clock, so
medians, which a descheduled call does not move), the clock's own cost (two reads
with nothing between, its median) taken off, in microseconds per call.  The whole calls (``dg.gradient(rosen, x)``, ``nd.gradient(...)``) are timed
in the same rounds, and the replica is checked to give their bits.  Stages:

* ``entry``: the whole call less the replica (both by process time, means of the
  rounds): ``dg.gradient``'s own tests and its calls into the pass; for num-dual, all
  of ``nd.gradient(lambda v: v[0], xs)`` (its duals made, the gradient read out);
* ``seed``: the identity's copy, the tag, the private copy of x and the kept seed
  (num-dual: the list of seeded duals is inside ``entry``);
* ``scope``: ``backend.open_scope`` + ``close_scope``;
* ``convert``: ``np.asanyarray`` of the seed (dualgrad: the object array of unread
  twins, the guard's record, the snapshot; num-dual: ``np.array(v, dtype=object)``);
* ``promote``: the rest of ``xp_promote`` (``np.iterable``, ``xp_result_type``,
  the second ``_asarray``) and ``array_namespace``;
* ``arith``: ``100.0 * (x[1:] - x[:-1]**2.0)**2.0 + (1 - x[:-1])**2.0``;
* ``sum``: ``xp.sum(..., axis=0, dtype=x.dtype)``;
* ``assemble``: the result's partials as an array, ``_caught``, the tag retired,
  the object arrays' record forgotten, the seed's elements released.

With ``--without``, ``dg.gradient(rosen, x)`` is timed instead with one of the
pass's records switched off at a time in this process (a bench's stand-ins, never
dualgrad's behaviour: each is what a check costs, not a proposal to drop it), and all
together:

* ``unread record``: ``errors.object_array_made`` (the object array's note for the
  unread-array guard), so the pass's end finds no record either;
* ``twins``: the object array's elements built as plain scalar duals, not their
  unread twins (the class flip at build and at the first read);
* ``snapshot``: ``_snapshots.remember`` / ``remember_seed`` (the write guard on
  ``np.asarray``'s copy; the seed's is the pass's own record since small55);
* ``scope``: ``backend.open_scope`` / ``close_scope`` in the pass.

Nothing is written.  The load (``os.getloadavg``) is printed with each size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402
from scipy.optimize import rosen  # noqa: E402
from scipy._lib._array_api import array_namespace, xp_promote  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad import errors  # noqa: E402
from dualgrad.api import helpers  # noqa: E402
from dualgrad.dual import LIVE, kept_seed, release_elements  # noqa: E402

_clock = time.perf_counter
STAGES = ("entry", "seed", "scope", "convert", "promote", "arith", "sum", "assemble")


def _rosen_body(x, acc, t, convert=np.asanyarray):
    """SciPy's rosen, split at its stages; ``t`` the clock's last reading.
    ``convert``: what turns ``x`` into the array rosen computes with."""
    xp = array_namespace(x)
    a = convert(x)
    t1 = _clock()
    acc["convert"].append(t1 - t)
    a = xp_promote(a, force_floating=True, xp=xp)
    t2 = _clock()
    acc["promote"].append(t2 - t1)
    terms = 100.0 * (a[1:] - a[:-1]**2.0)**2.0 + (1 - a[:-1])**2.0
    t3 = _clock()
    acc["arith"].append(t3 - t2)
    r = xp.sum(terms, axis=0, dtype=a.dtype)
    t4 = _clock()
    acc["sum"].append(t4 - t3)
    return r, t4


def _lists():
    return {s: [] for s in STAGES}


def _dg_replica(x, acc):
    """``helpers._one_pass`` for rosen, its common path only, with clock reads."""
    t0 = _clock()
    n = x.size
    unit = helpers._UNIT.get(n)
    if unit is None:
        unit = helpers._UNIT[n] = np.eye(n)
        unit.flags.writeable = False
    seeds = unit.copy()
    tag = helpers._next_tag()
    LIVE[tag] = helpers._ident()
    xd = kept = kept_seed(x.copy(), seeds, tag)
    t1 = _clock()
    acc["seed"].append(t1 - t0)
    helpers._open_scope()
    t2 = _clock()
    out, t3 = _rosen_body(xd, acc, t2)
    helpers._close_scope()
    t4 = _clock()
    acc["scope"].append(t2 - t1 + t4 - t3)
    partials = np.array(out._plist())
    helpers._caught("w", tag)
    LIVE.pop(tag, None)
    if tag in helpers._ARRAYS:
        errors.forget(tag)
    release_elements(kept)
    acc["assemble"].append(_clock() - t4)
    return partials


def _nd_replica(nd, xs, acc):
    """``num_dual.gradient(lambda v: rosen(np.array(v, dtype=object)), xs)`` with the
    function's stages split (its entry and extraction are ``nd v[0]``)."""
    def f(v):
        t = _clock()
        r, t4 = _rosen_body(v, acc, t, _objects)
        return r
    return nd.gradient(f, xs)[1]


def _objects(v):
    return np.array(v, dtype=object)


def _stubs():
    """name -> [(module, attribute, stand-in)] for ``--without``."""
    from dualgrad.dual import _array, _scalar, _snapshots

    def nothing(*args, **kwargs):
        return None

    class _PlainRows(dict):                     # n -> the plain builder, unread's signature
        def __missing__(self, n):
            build = self[n] = (lambda values, rows, tag, _b=_scalar.scalar_class(n)._rows:
                               _b(values, rows, tag))
            return build

    def off(*args):
        return None
    return {"unread record": [(_array, "_object_array_made", nothing)],
            "twins": [(_array, "_UNREAD_ROWS", _PlainRows())],
            "snapshot": [(_snapshots, "remember", nothing),
                         (_snapshots, "remember_seed", nothing)],
            "scope": [(helpers, "_open_scope", off), (helpers, "_close_scope", off)]}


def _without(opts, nd):
    stubs = _stubs()
    stubs["all four"] = [s for v in list(stubs.values()) for s in v]
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        xs = list(x)
        ref = dg.gradient(rosen, x)
        rows = {k: [] for k in ("as it is", *stubs, "num-dual")}
        for _ in range(opts.rounds):
            for k in rows:
                saved = []
                for module, name, stand_in in stubs.get(k, ()):
                    saved.append((module, name, getattr(module, name)))
                    setattr(module, name, stand_in)
                try:
                    f = (lambda: dg.gradient(rosen, x)) if k != "num-dual" else \
                        (lambda: nd.gradient(lambda v: rosen(np.array(v, dtype=object)),
                                             xs)[1])
                    assert np.allclose(f(), ref, rtol=1e-14, atol=0)
                    for _ in range(50):
                        f()
                    t = time.process_time()
                    for _ in range(opts.calls):
                        f()
                    rows[k].append((time.process_time() - t) / opts.calls * 1e6)
                finally:
                    for module, name, old in reversed(saved):
                        setattr(module, name, old)
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"n = {n}, dg.gradient(rosen, x) without one record at a time (medians of "
              f"{opts.rounds} rounds of {opts.calls} calls, us; load "
              f"{os.getloadavg()[0]:.1f})")
        for k, v in med.items():
            print(f"  {k:14s} {v:8.2f}  {med['as it is'] - v:6.2f} less   "
                  f"{v / med['num-dual']:.2f}x num-dual")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--without", action="store_true",
                        help="each record switched off in turn (what each costs)")
    opts = parser.parse_args()
    import num_dual as nd
    if opts.without:
        return _without(opts, nd)
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        xs = list(x)
        whole = {"dg whole": lambda: dg.gradient(rosen, x),
                 "nd whole": lambda: nd.gradient(lambda v: rosen(np.array(v, dtype=object)),
                                                 xs)[1],
                 "nd v[0]": lambda: nd.gradient(lambda v: v[0], xs)[1]}
        ref = whole["dg whole"]()
        assert np.array_equal(_dg_replica(x, _lists()), ref)
        assert np.allclose(_nd_replica(nd, xs, _lists()), ref, rtol=1e-14, atol=0)
        rows = {k: [] for k in whole}
        rows["replica"] = []
        dg_acc, nd_acc, ticks = _lists(), _lists(), []
        for _ in range(opts.rounds):
            for k, f in whole.items():
                t = time.process_time()
                for _ in range(opts.calls):
                    f()
                rows[k].append((time.process_time() - t) / opts.calls * 1e6)
            for _ in range(opts.calls):
                t = _clock()
                ticks.append(_clock() - t)
            t = time.process_time()
            for _ in range(opts.calls):
                _dg_replica(x, dg_acc)
            rows["replica"].append((time.process_time() - t) / opts.calls * 1e6)
            for _ in range(opts.calls):
                _nd_replica(nd, xs, nd_acc)
        tick = statistics.median(ticks) * 1e6
        med = {k: statistics.median(v) for k, v in rows.items()}
        for s in STAGES[1:]:
            clocks = 2 if s == "scope" else 1
            med["dg " + s] = statistics.median(dg_acc[s]) * 1e6 - clocks * tick
            med["nd " + s] = statistics.median(nd_acc[s]) * 1e6 - tick if nd_acc[s] else 0.0
        med["dg entry"] = med["dg whole"] - med["replica"]
        med["nd entry"] = med["nd v[0]"]
        med["clock"] = tick
        print(f"n = {n} (medians of {opts.rounds} rounds of {opts.calls} calls, us per call; "
              f"load {os.getloadavg()[0]:.1f}; clock read {med['clock']:.3f} us, taken off)")
        print(f"  {'stage':10s} {'dualgrad':>9s} {'num-dual':>9s} {'gap':>7s}")
        for s in STAGES:
            a, b = med["dg " + s], med["nd " + s]
            print(f"  {s:10s} {a:9.2f} {b:9.2f} {a - b:7.2f}")
        a = sum(med["dg " + s] for s in STAGES)
        b = sum(med["nd " + s] for s in STAGES)
        print(f"  {'stages':10s} {a:9.2f} {b:9.2f} {a - b:7.2f}   (sum of the rows: medians; "
              f"the replica by process time {med['replica']:.2f})")
        print(f"  {'whole':10s} {med['dg whole']:9.2f} {med['nd whole']:9.2f}   "
              f"{med['dg whole'] / med['nd whole']:.2f}x")


if __name__ == "__main__":
    main()
