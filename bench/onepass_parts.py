"""Where a small gradient's fixed cost goes (issue 13, small46): the helpers' one pass and
``np.asarray`` of its seed, piece by piece, in microseconds.

    python bench/onepass_parts.py [--n 2 10] [--passes 5000] [--calls]

Rosenbrock's gradient at n = 2 is ~26 us against num-dual's ~15: ``dg.gradient(lambda v:
v[0], x)`` (the helper alone, ``bench/rosen_parts.py``'s ``v[0]``) ~5 us against num-dual's
0.6, and SciPy's ``np.asanyarray`` of the seed ~4-5 us more.  This script times:

* ``gradient``: ``dg.gradient(lambda v: v[0], x)`` whole;
* the steps of ``api.helpers._one_pass`` for it, replayed here in its order with the
  same calls (a copy of its lines: keep it in step with helpers.py): the identity's copy
  (the seed's partials), the tag made live, ``kept_seed`` (x's copy and the seed), the
  backend's scope opened, ``f`` (one element read: ``__getitem__`` and the class's
  ``_from``), the scalar output's partials (``np.array(out._plist())``), ``_caught``,
  the scope closed, the tag retired and the elements released; what ``gradient`` adds
  around ``_one_pass`` is the whole less their sum;
* the same steps for ``f = lambda v: np.asarray(v)[0] * np.asarray(v)[-1]`` (what SciPy's
  functions do first): ``_caught`` then reads the object array's record
  (``errors.made_since``) and ``errors.forget`` drops it (the object array, the
  converting frame and the snapshot, whose weak reference calls back);
* inside a pass, ``np.asarray(v)`` and ``v.__array__()`` once per pass, and the pieces of
  ``ArrayDual.__array__``'s fast path replayed: the unread twins (``_UNREAD_ROWS``),
  the object array (``np.fromiter``, positional: its keywords cost ~0.3-0.7 us more),
  ``errors.object_array_made`` (the guard's record) and ``_snapshots.remember``.

Each piece is timed with ``time.perf_counter`` around it, once per pass, for
``--passes`` passes; medians, less the median of an empty timer pair.  The machine is
shared: compare pieces within one run.  ``--calls``: the Python-level calls of the
gradient and of ``np.asarray(v)`` inside a pass (``sys.setprofile``).  Nothing is
written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
import _common  # noqa: E402,F401  (one thread per library)

import dualgrad as dg  # noqa: E402
from dualgrad import errors  # noqa: E402
from dualgrad.api import helpers  # noqa: E402
from dualgrad.dual import _array, _snapshots  # noqa: E402
from dualgrad.dual._scalar import untouched  # noqa: E402

_pc = time.perf_counter


def _one_pass_parts(x, f, record, prefix=""):
    """``helpers._one_pass``'s steps for a 1-D float64 ``x`` and a scalar result."""
    t = [_pc()]
    n = x.size
    seeds = helpers._UNIT[n].copy()
    t.append(_pc())
    tag = helpers._next_tag()
    helpers.LIVE[tag] = helpers._ident()
    t.append(_pc())
    xd = kept = _array.kept_seed(x.copy(), seeds, tag)
    t.append(_pc())
    helpers._open_scope()
    t.append(_pc())
    out = f(xd)
    t.append(_pc())
    getattr(type(out), "_kind", None)
    np.array(out._plist())
    t.append(_pc())
    helpers._caught("bench", tag)
    t.append(_pc())
    helpers._close_scope()
    t.append(_pc())
    helpers.LIVE.pop(tag, None)
    t.append(_pc())
    if tag in helpers._ARRAYS:
        errors.forget(tag)
    t.append(_pc())
    _array.release_elements(kept)
    t.append(_pc())
    for name, a, b in zip(("identity copy", "tag live", "kept_seed", "scope open", "f",
                           "np.array(plist)", "_caught", "scope close", "retire",
                           "errors.forget", "release"),
                          t, t[1:]):
        record(prefix + name, b - a)


def _asarray_parts(record):
    def f(v):
        t0 = _pc()
        rows = _array._UNREAD_ROWS[v._p.shape[1]]
        items = rows(v.value.tolist(), _array._UNIT_ROWS[len(v._c)], v.tag)
        t1 = _pc()
        out = np.fromiter(items, _array._OBJECT, len(items))
        t2 = _pc()
        errors.object_array_made(items, untouched, v.tag, _array._LIVE, v, out, v.value)
        t3 = _pc()
        _snapshots.remember(v, out, v.value)
        t4 = _pc()
        record("unread twins", t1 - t0)
        record("np.fromiter", t2 - t1)
        record("object_array_made", t3 - t2)
        record("remember", t4 - t3)
        return out[0] * out[0]
    return f


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--passes", type=int, default=5000)
    parser.add_argument("--calls", action="store_true")
    opts = parser.parse_args()
    first = lambda v: v[0]  # noqa: E731
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        dg.gradient(first, x)                   # (the identity made, classes generated)
        if opts.calls:
            _calls(n, x, first)
            continue
        times = {}

        def record(name, dt):
            times.setdefault(name, []).append(dt)

        def asarray(v):
            t0 = _pc()
            out = np.asarray(v)
            record("np.asarray(v)", _pc() - t0)
            return out[0] * out[0]

        def dunder(v):
            t0 = _pc()
            out = v.__array__()
            record("v.__array__()", _pc() - t0)
            return out[0] * out[0]
        parts = _asarray_parts(record)

        def read_all(v):                        # SciPy's np.asanyarray, every element read
            a = np.asarray(v)
            return a[0] * a[-1]
        for _ in range(opts.passes):
            t0 = _pc()
            dg.gradient(first, x)
            record("gradient", _pc() - t0)
            _one_pass_parts(x, first, record)
            _one_pass_parts(x, read_all, record, "asarray: ")
            dg.gradient(asarray, x)
            dg.gradient(dunder, x)
            dg.gradient(parts, x)
            t0 = _pc()
            record("(timer)", _pc() - t0)
        zero = statistics.median(times.pop("(timer)"))
        med = {k: statistics.median(v) - zero for k, v in times.items()}
        steps = [k for k in med if k not in ("gradient", "np.asarray(v)", "v.__array__()",
                                             "unread twins", "np.fromiter",
                                             "object_array_made", "remember")
                 and not k.startswith("asarray: ")]
        print(f"n = {n} (medians of {opts.passes} passes, us; timer {zero * 1e6:.3f} "
              "subtracted)")
        print(f"  dg.gradient(lambda v: v[0], x)   {med['gradient'] * 1e6:7.3f}")
        for k in steps:
            print(f"    {k:30s} {med[k] * 1e6:7.3f}")
        rest = med["gradient"] - sum(med[k] for k in steps)
        print(f"    {'gradient() around _one_pass':30s} {rest * 1e6:7.3f}")
        print(f"  np.asarray(v) in a pass          {med['np.asarray(v)'] * 1e6:7.3f}")
        print(f"  v.__array__() in a pass          {med['v.__array__()'] * 1e6:7.3f}")
        for k in ("unread twins", "np.fromiter", "object_array_made", "remember"):
            print(f"    {k:30s} {med[k] * 1e6:7.3f}")
        print("  the pass's steps where f reads np.asarray(v) (a[0] * a[-1]: every element)")
        for k in [k for k in med if k.startswith("asarray: ")]:
            print(f"    {k[9:]:30s} {med[k] * 1e6:7.3f}")


def _calls(n, x, first):
    def names(op):
        seen = []

        def hook(frame, event, arg):
            if event == "call":
                seen.append(frame.f_code.co_name)
        sys.setprofile(hook)
        try:
            op()
        finally:
            sys.setprofile(None)
        return [s for s in seen if s != "<lambda>"]
    got = names(lambda: dg.gradient(first, x))
    print(f"n = {n}: dg.gradient(lambda v: v[0], x): {len(got)} Python calls ({', '.join(got)})")
    inner = []
    dg.gradient(lambda v: inner.append(names(lambda: np.asarray(v))) or v[0], x)
    print(f"n = {n}: np.asarray(v) in a pass: {len(inner[0])} Python calls "
          f"({', '.join(inner[0])})")


if __name__ == "__main__":
    main()
