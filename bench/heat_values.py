"""What the slicing and ``np.roll`` heat steps would cost with their values computed
inside the fused kernel (issue 14's 2.5x f): the kernels measured, the steps projected.

    python bench/heat_values.py [--only slicing|roll] [--cells N] [--rounds R] [--calls C]
                                [--steps S] [--repeat P]
    python bench/heat_values.py --property [--rounds R]

Today NumPy computes every value of the step ``u[1:-1] += kappa * lap + dt * rate *
u[1:-1] * (1.0 - u[1:-1])`` (``lap = u[2:] - 2.0 * u[1:-1] + u[:-2]``: eight passes, no
temporary elided, since each operand's value is held by its dual), and then the fused
kernel of ``+=`` (``_fusedgen.source`` of the step's key, bench/heat_kernel_test.py's
``KEY``) reads four factor arrays NumPy wrote (``lap``, ``u[1:-1]``, ``1 - u[1:-1]``,
``(dt * rate) * u[1:-1]``) to compute the partials.  The lever this bench measures:
a deferred value chain of ``+ - *`` computed in the kernel's own pass.

* ``gen``: the generated kernel, its four factor arrays computed by NumPy beforehand
  (not timed: NumPy's passes are part of the step's values);
* ``values``: the same text with the values in it: each block's factor test computes
  the row's value chain from ``u``'s old values (``u[i - 1]`` carried in a register,
  as the kernel carries the row behind's partials), writes the new ``u[i]`` in place
  and the four factors into scratch rows of ``BLOCK`` (first-level cache), which the
  block's loop then reads in place of the factor arrays; the same operations in
  NumPy's order, numba without fastmath (no FMA contraction), so the same bits;
* ``values_lag``: as ``values``, but a block's new values go to a scratch row and are
  written back after the block (its last one a block later), so the test loop reads
  only old values (no carried register, no store into what it reads);
* ``values_lap``: as ``values``, also writing ``lap``'s values (a design that keeps
  every held dual's value, without ``_unread``'s proof that nothing reads ``lap``);
* ``values_same``: as ``values``, each new value stored as ``old + 0.0 * new`` (``u``
  keeps its values where they are finite): the text timed inside the step below.

Each variant is asserted first to give NumPy's values and ``gen``'s partials bit for
bit, on finite values and on values with inf / NaN beside zero partials.  Then, in
the same process (rounds alternating), the step itself (bench/heat_ops.py's slicing
form, its Jacobian checked bit for bit against problems.heat): f (NumPy's values, one
operation a line, the temporaries held as dualgrad's duals hold them: no elision),
dualgrad, and dualgrad with the fused kernels stubbed (NumPy's values + dualgrad's
Python).  The projection: ``stubbed - f`` (the Python and what dualgrad's graphs add
to the memory, NumPy's value passes taken out) ``+ values`` (the kernel that makes
them) ``+ k x defer`` (one more node a deferred operation, priced as one
``_fused.defer`` call on the step's shapes: the value's node; ``k`` = the step's
deferred operations); the kernel's time taken alone, and in the step (``values`` run in
the step kernel's place, beside NumPy's passes that it would remove: pessimistic).  A projection,
not a measurement of built code: what would force a deferred value at each read
(``.value``, ``np.asarray``, comparisons, printing, indexing) is not in it.

The ``np.roll`` step (problems.heat_roll; its kernel, :data:`ROLL_KEY`, makes a new
array): ``gen`` and ``values`` alike, the neighbours read at the block's offsets (the
kernel's ``d0``, ``d2``; unsigned, so numba tests no negative index: signed, the kernel
cost 1.39x ``gen``) and wrapped row by row in the two blocks across the array's end,
the new values into a new array (in the step: a scratch array, ``u`` keeps NumPy's).

``--property``: what making ``ArrayDual.value`` a property that forces would cost the
small operations (issue 13), against the slot it is now (see :func:`property_ab`).
Nothing is written.
"""

import argparse
import contextlib
import statistics
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

import heat_kernel_test as hkt  # noqa: E402


def _comp(pad, store, carried=True):
    """The row's value chain from ``u``'s old values (``V[i]`` behind, or ``vb``, the
    register ``carried`` from the row before; ``V[i + 1]``, ``V[i + 2]``): ``lap``
    ((ahead - 2.0 * mid) + behind), the factors, the new value ``mid + (kappa * lap +
    ((dt * rate) * mid) * (1.0 - mid))`` (``c0``: 2.0, ``c1``: kappa, ``c2``: dt * rate),
    stored by ``store``."""
    return [pad + t for t in [
        "vm = V[i + 1]",
        f"a0 = (V[i + 2] - c0 * vm) + {'vb' if carried else 'V[i]'}",
        "a1 = vm",
        "a2 = 1.0 - vm",
        "a3 = c2 * vm",
        store("vm + (c1 * a0 + a3 * a2)")] + (["vb = vm"] if carried else [])]


def values(src, lagged=False, unchanged=False):
    """``src`` with the values computed in the test loop (see the module's text);
    ``unchanged``: each new value ``e`` stored as ``vm + 0.0 * (e)``, the old value
    where ``e`` is finite (the same loads, arithmetic and stores in place, ``u`` not
    moved: for a timing inside a step whose ``+=`` NumPy still computes)."""
    def in_place(e):
        return f"V[i + 1] = vm + 0.0 * ({e})" if unchanged else f"V[i + 1] = {e}"
    out = []
    for t in src.split("\n"):
        if t.endswith(("a1 = A1[i]", "a2 = A2[i]", "a3 = A3[i]")):
            continue                                     # (made with a0's line below)
        if t == "            a0 = A0[i]":                 # the block's test loop
            if lagged:
                out += _comp(" " * 12, lambda e: f"W[i - i0] = {e}", carried=False)
            else:
                out += _comp(" " * 12, in_place)
            out += [f"            A{j}[i - i0] = a{j}" for j in range(4)]
        elif t == "                a0 = A0[i]":           # the block's two loops
            out += [f"                a{j} = A{j}[i - i0]" for j in range(4)]
        elif t == "        a0 = A0[i]":                   # the rows after the blocks
            out += _comp(" " * 8, in_place)
        elif t == "    blocks = rows // BLOCK":
            out += [t, "    vb = V[0]"] + (["    last = 0.0"] if lagged else [])
        elif lagged and t == "    for i in range(blocks * BLOCK, rows):":
            out += ["    if blocks > 0:", "        vb = V[blocks * BLOCK]",
                    "        V[blocks * BLOCK] = last", t]
        elif lagged and t.startswith("        if not bad and count == 0:"):
            # the block's new values: all but the last now (the next block's test reads
            # the last row's old value as its row behind), the last one a block later
            out += ["        if b > 0:", "            V[i0] = last",
                    "        for i in range(i0, i0 + BLOCK - 1):",
                    "            V[i + 1] = W[i - i0]",
                    "        last = W[BLOCK - 1]", t]
        else:
            out.append(t)
    return "\n".join(out).replace("A2, A3, c0, c1, c2):", "A2, A3, c0, c1, c2, V, W):")


def keep_lap(text):
    """``text`` also writing ``lap``'s values (a held dual's value no read is proved
    not to need)."""
    store = "            A0[i - i0] = a0\n"
    text = text.replace(store, store + "            Q[i] = a0\n")
    text = text.replace("\n        vb = vm\n", "\n        vb = vm\n        Q[i] = a0\n")
    return text.replace("c2, V, W):", "c2, V, W, Q):")


def variants(src):
    """The slicing kernel's texts by name: ``gen`` (``src``) and the ``values`` variants."""
    texts = {"gen": src, "values": values(src), "values_lag": values(src, lagged=True)}
    texts["values_lap"] = keep_lap(texts["values"])
    texts["values_same"] = values(src, unchanged=True)     # (step_ab's, timed alone)
    return texts


# The np.roll step's kernel key (step_ab asserts a run of heat_ops' roll form meets it).
ROLL_KEY = (4, ('s', 'm', 's', 'r', 'r'),
            ((('1', ('l', 0)),), ((('c', 0), ('l', 1)),), (('1', ('t', 0)), ('-', ('t', 1))),
             (('1', ('l', 2)),), (('1', ('t', 2)), ('1', ('t', 3))),
             ((('a', 0), ('l', 3)), (('c', 1), ('t', 4))),
             ((('a', 1), ('l', 4)), (('c', 2), ('l', 1))),
             (('-', ('l', 1)),), ((('a', 2), ('t', 6)), (('a', 3), ('t', 7))),
             (('1', ('t', 5)), ('1', ('t', 8))), ((('a', 4), ('t', 9)),),
             (('1', ('l', 1)), ('1', ('t', 10)))), 3, 5, 0, (), True)


def _roll_comp(pad, wrap):
    """A row of the ``np.roll`` step's values from ``u``'s (``V``): ``lap`` =
    ``(u[i + 1] - 2.0 * u[i]) + u[i - 1]``, the neighbours at the block's offsets ``d0``,
    ``d2`` or (``wrap``: a block across the array's end) wrapped row by row; the factors;
    the new value ``u[i] + inner[i] * (kappa * lap + ((dt * rate) * u[i]) * (1.0 - u[i]))``
    into ``VN``."""
    if wrap:
        near = ["j0 = i + o0", "if j0 >= rows:", "    j0 -= rows",
                "j2 = i + o2", "if j2 >= rows:", "    j2 -= rows"]
    else:                    # (unsigned: numba tests a signed index for a negative one)
        near = ["j0 = np.uint64(i + d0)", "j2 = np.uint64(i + d2)"]
    return [pad + t for t in near + [
        "vm = V[i]",
        "a0 = (V[j0] - c0 * vm) + V[j2]",
        "a1 = vm",
        "a2 = 1.0 - vm",
        "a3 = c2 * vm",
        "a4 = A4[i]",
        "VN[i] = vm + a4 * (c1 * a0 + a3 * a2)"]]


def roll_values(src):
    """The ``np.roll`` step's kernel (:data:`ROLL_KEY`, not accumulating: the result is
    a new array) with its values computed as :func:`values` does for the slicing step's
    (``inner``, the fifth factor, still read); the block's test loop twice: at the
    block's offsets, and wrapped row by row for the two blocks across the array's end."""
    lines = src.split("\n")
    out = []
    k = 0
    while k < len(lines):
        t = lines[k]
        if t == "        count = 0":                   # the block's test loop
            count = lines[k + 7]
            assert lines[k + 2] == "            a0 = A0[i]" and "count +=" in count, lines[k:k + 8]
            out += [t, "        if not (i0 + o0 < rows <= i0 + BLOCK - 1 + o0 or "
                       "i0 + o2 < rows <= i0 + BLOCK - 1 + o2):"]
            for wrap in (False, True):
                out += ["            for i in range(i0, i0 + BLOCK):"] + _roll_comp(" " * 16, wrap)
                out += [f"                A{j}[i - i0] = a{j}" for j in range(4)]
                out += ["    " + count] + (["        else:"] if not wrap else [])
            k += 8
            continue
        if t.endswith(("a1 = A1[i]", "a2 = A2[i]", "a3 = A3[i]", "a4 = A4[i]")):
            k += 1
            continue                                     # (made with a0's line below)
        if t == "                a0 = A0[i]":             # the block's two loops
            out += [f"                a{j} = A{j}[i - i0]" for j in range(4)]
            out += ["                a4 = A4[i]"]
        elif t == "        a0 = A0[i]":                   # the rows after the blocks
            out += _roll_comp(" " * 8, True)
        else:
            out.append(t)
        k += 1
    return "\n".join(out).replace("A3, A4, c0, c1, c2):", "A3, A4, c0, c1, c2, V, VN):")


def kernels(texts):
    """Each text compiled in memory (numba's cache off), its ``fused`` by name."""
    fns = {}
    for name, text in texts.items():
        ns = {"__name__": f"heat_values_{name}"}
        exec(compile(text.replace("cache=True", "cache=False"), name, "exec"), ns)
        fns[name] = ns["fused"]
    return fns


def numpy_step(u, kappa, rate):
    """NumPy's values of the step, in place in ``u`` (the temporaries held: no elision)."""
    with np.errstate(all="ignore"):
        c = 2.0 * u[1:-1]
        e = u[2:] - c
        lap = e + u[:-2]
        h = kappa * lap
        q = rate * u[1:-1]
        w = 1.0 - u[1:-1]
        y = q * w
        z = h + y
        u[1:-1] += z
    return lap


def kernel_ab(fns, n, rounds, calls):
    """Bit checks, then median us a call of each kernel (rounds alternating)."""
    from dualgrad.backend import _fusedgen
    rng = np.random.default_rng(0)
    u0 = rng.uniform(0.1, 0.9, n)
    P = rng.normal(size=(n, 4))
    P[::5] = 0.0                                # zero partials beside the factors
    P[::7, 1] = 0.0
    kap, dr = np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.01])
    kappa, rate = 0.4, 0.015                    # (rate: dt * rate's value, as in a step)
    scratch = [np.empty(_fusedgen.BLOCK) for _ in range(5)]
    lap_out = np.empty(n)

    def call_args(name, full, u, factors):
        acc = full[1:-1]
        H = full[0:1].copy()
        a = [acc, acc, H, acc, full[2:], H, kap, dr]
        if name == "gen":
            return a + factors + [2.0, kappa, rate]
        a += scratch[:4] + [2.0, kappa, rate, u, scratch[4]]
        return a + [lap_out[:u.shape[0] - 2]] if name == "values_lap" else a

    for bad in (False, True):
        for tail in (0, 37):                    # rows past the last full block
            m = n - _fusedgen.BLOCK - (n - 2) % _fusedgen.BLOCK + tail
            u = u0[:m].copy()
            if bad:
                u[[99, 4999, m // 3, m - 5]] = np.inf, np.nan, -np.inf, np.nan
            want = u.copy()
            with np.errstate(all="ignore"):
                lap = numpy_step(want, kappa, rate)
                mid = u[1:-1].copy()
                factors = [lap, mid, 1.0 - mid, rate * mid]
            ref = None
            for name, fn in fns.items():
                out, v = P[:m].copy(), u.copy()
                with _fusedgen.vectorizing(), np.errstate(all="ignore"):
                    fn(*call_args(name, out, v, factors))
                if ref is None:
                    ref = out
                else:
                    assert np.array_equal(ref.view(np.int64), out.view(np.int64)), \
                        (name, bad, tail, "partials")
                    same = u if name == "values_same" else want    # (its 0.0 * inf: NaN)
                    assert (name == "values_same" and bad) or \
                        np.array_equal(same.view(np.int64), v.view(np.int64)), \
                        (name, bad, tail, "values")
                    if name == "values_lap":
                        assert np.array_equal(lap.view(np.int64),
                                              lap_out[:m - 2].view(np.int64)), (bad, tail, "lap")
    print(f"every values variant: NumPy's values and gen's partials bit for bit (finite; inf / "
          f"NaN values beside zero partials; {n} cells and a tail of 37 rows past the blocks)")
    u = u0.copy()
    with np.errstate(all="ignore"):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        mid = u[1:-1].copy()
    factors = [lap, mid, 1.0 - mid, rate * mid]
    times = {name: [] for name in fns}
    out = P.copy()
    for _ in range(rounds):
        for name, fn in fns.items():
            ts = []
            for _ in range(calls):      # (values: u moves a step a call, as in a run)
                a = call_args(name, out, u, factors)
                t = time.perf_counter()
                fn(*a)
                ts.append(time.perf_counter() - t)
            times[name].append(statistics.median(ts) * 1e6)
    return {name: statistics.median(ts) for name, ts in times.items()}


def roll_kernel_ab(fns, n, rounds, calls):
    """:func:`kernel_ab` for the ``np.roll`` step's kernel (``gen`` and ``values``)."""
    from dualgrad.backend import _fusedgen
    rng = np.random.default_rng(1)
    u0 = rng.uniform(0.1, 0.9, n)
    P = rng.normal(size=(n, 4))
    P[::5] = 0.0
    P[::7, 1] = 0.0
    kap, dr = np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.01])
    kappa, rate = 0.4, 0.015                    # (rate: dt * rate's value, as in a step)
    scratch = [np.empty(_fusedgen.BLOCK) for _ in range(4)]

    def step(u, inner):
        """NumPy's values and the kernel's five factors, as the step makes them."""
        with np.errstate(all="ignore"):
            lap = np.roll(u, -1) - 2.0 * u + np.roll(u, 1)
            new = u + inner * (kappa * lap + rate * u * (1.0 - u))
            return new, [lap, u.copy(), 1.0 - u, rate * u, inner.copy()]

    def call(name, fn, out, p, u, factors, new):
        m = u.shape[0]
        a = [out, p, p, p, kap, dr, 1, m - 1]
        if name == "gen":
            return fn(*a, *factors, 2.0, kappa, rate)
        return fn(*a, *scratch, factors[4], 2.0, kappa, rate, u, new)

    for bad in (False, True):
        for tail in (0, 37):
            m = n - _fusedgen.BLOCK - n % _fusedgen.BLOCK + tail
            u = u0[:m].copy()
            inner = np.ones(m)
            inner[[0, -1]] = 0.0
            if bad:
                u[[99, 4999, m // 3, m - 1]] = np.inf, np.nan, -np.inf, np.nan
            want, factors = step(u, inner)
            outs = {}
            for name, fn in fns.items():
                out, new = np.empty((m, 4)), np.empty(m)
                with _fusedgen.vectorizing(), np.errstate(all="ignore"):
                    call(name, fn, out, P[:m], u, factors, new)
                outs[name] = out
                if name != "gen":
                    assert np.array_equal(outs["gen"].view(np.int64), out.view(np.int64)), \
                        (name, bad, tail, "partials")
                    assert np.array_equal(want.view(np.int64), new.view(np.int64)), \
                        (name, bad, tail, "values")
    print(f"np.roll values: NumPy's values and gen's partials bit for bit (finite; inf / NaN "
          f"values beside zero partials, one at the wrapped end; {n} cells and a tail of 37 rows)")
    u = u0.copy()
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    _, factors = step(u, inner)
    out, new = np.empty((n, 4)), np.empty(n)
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            ts = []
            for _ in range(calls):
                t = time.perf_counter()
                call(name, fn, out, P, u, factors, new)
                ts.append(time.perf_counter() - t)
            times[name].append(statistics.median(ts) * 1e6)
    return {name: statistics.median(ts) for name, ts in times.items()}


def defer_cost(n):
    """One ``_fused.defer`` call on the step's shapes (a float factor and a pending kid,
    the commonest node), us."""
    from dualgrad.backend import _fused
    with _fused.engine("fused"), _fused.scope():
        leaf = np.zeros((n, 4))
        d = _fused.defer([2.0], [leaf], (n,), 4)
        assert d is not None
        best = min(timeit.repeat(lambda: _fused.defer([2.0], [d], (n,), 4),
                                 number=2000, repeat=7)) / 2000
        _fused.flush()
    return best * 1e6


def step_ab(form, cells, steps, repeat):
    """The ``form`` step (``"slicing"`` or ``"roll"``), us a step (medians over all steps
    of all repeats): f, dualgrad, dualgrad with its kernels stubbed, dualgrad with the
    ``values`` kernel run in the step kernel's place on the step's own arrays (the
    slicing step: ``u``'s value array, the base of the ``u[1:-1]`` factor, with
    ``values(..., unchanged=True)``, so that ``u`` keeps its values; the roll step: the
    new values into a scratch array), its Jacobian asserted equal to dualgrad's, and
    the deferred operations a step."""
    import heat_ops
    import problems
    from dualgrad import backend
    from dualgrad.backend import _fusedgen
    name, timed, ops = heat_ops.FORMS[form]
    d = heat_ops.checked(form, name, timed, cells, steps)
    real = dict(_fusedgen._compiled)
    stubs = {k: (lambda *args: None) for k in real}
    scratch = [np.empty(_fusedgen.BLOCK) for _ in range(5)]
    new = np.empty(cells)

    def swap_in(kernel):
        first = [True]

        def run(*args):
            if form == "slicing":
                A1 = args[9]
                V = A1.base
                assert V.shape == (A1.shape[0] + 2,) and A1.strides == V.strides and \
                    A1.__array_interface__["data"][0] == V.__array_interface__["data"][0] + 8
                full = args[:8] + tuple(scratch[:4]) + args[12:] + (V, scratch[4])
            else:
                assert args[9].shape == (cells,) and args[9].base is None
                full = args[:8] + tuple(scratch[:4]) + args[12:] + (args[9], new)
            with _fusedgen.vectorizing() if first[0] else contextlib.nullcontext():
                kernel(*full)
            first[0] = False
        return run
    swapped = dict(real)
    for key in real:
        if form == "slicing" and key[:7] == hkt.KEY[:7]:
            # (heat_ops' form holds ``z``: keep=True.)  u's values left as they are:
            # NumPy's own ``+=`` updates them after the kernel (twice would be another
            # scheme, unstable at this kappa)
            text = values(_fusedgen.source(key), unchanged=True)
        elif form == "roll" and key == ROLL_KEY:
            text = roll_values(_fusedgen.source(key))
        else:
            continue
        swapped[key] = swap_in(kernels({"values": text})["values"])
    assert any(swapped[k] is not real[k] for k in real), f"no {form} step kernel met"
    logs = {"f": [], "dg": [], "stubbed": [], "values": []}
    made = [0]
    defer = backend.defer                  # (what the dispatch calls)

    def counted(*args, **kwargs):
        made[0] += 1
        return defer(*args, **kwargs)
    _fusedgen._compiled.update(swapped)
    try:
        d([])                                   # (compiles the swapped kernels)
    finally:
        _fusedgen._compiled.update(real)
    for r in range(repeat):
        log = []
        timed(problems.HEAT_P.copy(), cells, steps, log=log)
        logs["f"].append(log[1:])
        log = []
        want = d(log)
        logs["dg"].append(log[1:])
        for label, table in (("stubbed", stubs), ("values", swapped)):
            _fusedgen._compiled.update(table)
            if r == 0 and label == "stubbed":
                backend.defer = counted
            try:
                log = []
                got = d(log)
                logs[label].append(log[1:])
                if label == "values":
                    assert np.array_equal(got.view(np.int64), want.view(np.int64)), \
                        "the values kernel's Jacobian differs"
            finally:
                _fusedgen._compiled.update(real)
                backend.defer = defer
    sums = {k: statistics.median((row[-1] - row[0]) / 1e3 for log in v for row in log)
            for k, v in logs.items()}
    return sums, made[0] / steps


class _Pending:
    """Stands for a deferred value in the property's type test (never made)."""


def property_ab(rounds):
    """What a forcing ``ArrayDual.value`` costs the small operations (issue 13's N = 10
    rows, bench/bench_engine.py's ``SMALL_OPS``, n = 4): the slot as now against a
    property that reads the slot and tests its type (the least a read that forces a
    deferred value does), installed on the class in turn, rounds alternating, CPU time;
    and the slot's reads per operation (a counting property)."""
    import bench_engine
    import dualgrad as dg
    from dualgrad.dual._array import ArrayDual
    slot = ArrayDual.__dict__["value"]
    get = slot.__get__

    def forcing(self):
        v = get(self)
        if type(v) is _Pending:                          # pragma: no cover
            raise AssertionError
        return v
    reads = [0]

    def counting(self):
        reads[0] += 1
        return get(self)
    prop = property(forcing, slot.__set__, slot.__delete__)
    rng = np.random.default_rng(4)
    tag = bench_engine.new_tag()
    a = dg.Dual(rng.uniform(0.5, 2, 10), rng.standard_normal((10, 4)), tag=tag)
    b = dg.Dual(rng.uniform(0.5, 2, 10), rng.standard_normal((10, 4)), tag=tag)
    k = dg.Dual(0.7, rng.standard_normal(4), tag=tag)
    print(f"\nArrayDual.value as a forcing property against the slot: N = 10, n = 4, "
          f"{rounds} rounds (median us a call, CPU time)")
    print("| operation | slot reads | slot | property | property / slot |")
    print("|---|---|---|---|---|")
    try:
        for name, op in bench_engine.SMALL_OPS:
            ArrayDual.value = property(counting, slot.__set__, slot.__delete__)
            reads[0] = 0
            op(a, b, k)
            count = reads[0]
            ts = {"slot": [], "property": []}
            for _ in range(rounds):
                for side in ("slot", "property"):
                    ArrayDual.value = slot if side == "slot" else prop
                    ts[side].append(_common.median_time(lambda: op(a, b, k), 1, 0.02,
                                                        time.process_time))
            ArrayDual.value = slot
            m = {side: statistics.median(t) * 1e6 for side, t in ts.items()}
            print(f"| {name} | {count} | {m['slot']:.2f} | {m['property']:.2f} | "
                  f"{m['property'] / m['slot']:.3f} |")
    finally:
        ArrayDual.value = slot

    class Pending(ArrayDual):
        """A deferred value's dual: ``value`` forces (here: a stand-in product) and turns
        the object into a plain ArrayDual (same slots), whose reads are the slot's."""
        __slots__ = ()

        @property
        def value(self):
            v = get(self)
            if type(v) is tuple:
                v = v[0] * v[1]
                slot.__set__(self, v)
            self.__class__ = ArrayDual
            return v
    x = a.value

    def first_read():
        d = object.__new__(Pending)
        slot.__set__(d, (x, 2.0))
        return d.value
    d = object.__new__(Pending)
    slot.__set__(d, (x, 2.0))
    assert np.array_equal(d.value, 2.0 * x) and type(d) is ArrayDual
    t = _common.median_time(first_read, rounds, 0.02, time.process_time)
    t0 = _common.median_time(lambda: 2.0 * x, rounds, 0.02, time.process_time)
    print(f"a pending subclass instead (plain ArrayDual's reads stay the slot's): a pending "
          f"dual made and forced {t * 1e6:.2f} us, of it NumPy's stand-in product "
          f"{t0 * 1e6:.2f} us")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="slicing or roll (default: both)")
    ap.add_argument("--property", action="store_true")
    args = ap.parse_args()
    if args.property:
        property_ab(args.rounds)
        return
    from dualgrad.backend import _fusedgen
    node = defer_cost(args.cells)
    for form in ("slicing", "roll"):
        if args.only not in form:
            continue
        if form == "slicing":
            key = hkt.step_key()
            if key != hkt.KEY:
                sys.exit(f"the slicing step's kernel key changed ({key!r}); update "
                         "heat_kernel_test.KEY")
            fns = kernels(variants(_fusedgen.source(hkt.KEY)))
            k = kernel_ab(fns, args.cells, args.rounds, args.calls)
        else:
            src = _fusedgen.source(ROLL_KEY)
            fns = kernels({"gen": src, "values": roll_values(src)})
            k = roll_kernel_ab(fns, args.cells, args.rounds, args.calls)
        print(f"\nthe {form} step's kernel alone ({args.cells} cells x 4, {args.rounds} rounds "
              f"of {args.calls} calls; median us a call)")
        print("| kernel | us | / gen |")
        print("|---|---|---|")
        for name, t in k.items():
            print(f"| {name} | {t:.1f} | {t / k['gen']:.3f} |")
        sums, ops = step_ab(form, args.cells, args.steps, args.repeat)
        f, g, s, v = sums["f"], sums["dg"], sums["stubbed"], sums["values"]
        print(f"\nthe {form} step ({args.cells} cells x 4, {args.steps} steps x {args.repeat}; "
              f"median us a step)")
        print(f"f (temporaries held) {f:.1f}, dualgrad {g:.1f} ({g / f:.2f}x f), stubbed "
              f"{s:.1f}: kernel {g - s:.1f}, Python and memory besides NumPy's values (stubbed - "
              f"f) {s - f:.1f}; the values kernel in the kernel's place {v:.1f}: that kernel "
              f"in the step {v - s:.1f}")
        print(f"deferred operations a step {ops:.1f}, one defer {node:.2f} us")
        for label, kern in (("alone", k["values"]), ("in the step", v - s)):
            proj = (s - f) + kern + ops * node
            print(f"projected, the values kernel's time {label}: {s - f:.1f} + {kern:.1f} + "
                  f"{ops:.1f} x {node:.2f} = {proj:.1f} us ({proj / f:.2f}x f; 2.5x f is "
                  f"{2.5 * f:.1f})")

if __name__ == "__main__":
    main()
