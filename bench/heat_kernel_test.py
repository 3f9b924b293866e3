"""Where the slicing heat step's fused kernel spends its time: the per-block test of
its factor arrays against the loop that computes the partials (issue 14's 2.5x f).

    python bench/heat_kernel_test.py [--cells N] [--rounds R] [--calls C] [--loops]

The kernel (``_fusedgen.source`` of the step ``u[1:-1] += kappa * lap + dt * rate *
u[1:-1] * (1.0 - u[1:-1])``, taken from a run of problems.heat under the fused engine)
first counts, per block of ``BLOCK`` rows, the rows with a non-finite factor (four
factor arrays: ``lap``, ``u[1:-1]``, ``1 - u[1:-1]``, ``dt * rate * u[1:-1]``), then
runs the branch-free loop where there is none.  This bench times the generated text
and variants of it on the step's own argument layout (the arrays in the last-level
cache, as in a step; each kernel called ``C`` times a round, rounds alternating the
variants; median of the per-round medians, us a call):

* ``gen``: the text the generator writes today;
* ``notest``: the test removed (every block takes the branch-free loop): NOT exact
  where a factor is inf / NaN beside a zero partial, timed only as the floor of what a
  cheaper test could reach;
* ``block<B>``: ``BLOCK`` = B rows;
* ``pipelined``: block b + 1's test before block b's loop (the test's loads in flight
  beside the loop);
* ``prefetch``: the loop of block b prefetching block b + 1's factors (``llvm.prefetch``,
  one line of each factor array every 8 rows);
* ``mul``, ``ints``: the test as ``a * 0.0`` (the multiplier's pipes) / on the bits
  (``(b & E) == E``, integer vector operations);
* ``inloop``: the next block's test folded into the loop as scalar integer operations
  on the bits (``((b & E) + 2**52) >> 63``);
* ``checked``: no test; the loop sums each result row into an accumulator (a
  non-finite factor makes its row's result non-finite) and stores its rows into a
  scratch block, committed to ``acc`` when the sum is finite, else the block is
  redone by the per-row path;
* ``sumonly``: ``checked``'s accumulator without its scratch block (results stored into
  ``acc``, the block never redone): NOT exact, timed only as the accumulator's cost;
  ``sumonly_noacc``: the same text without the accumulator's sums (NOT exact);
  ``sumonly_one``: one accumulator, ``(r_0 + r_1) + (r_2 + r_3)`` a row (NOT exact);
* ``recipes``: ``1 - u`` and ``(dt * rate) * u`` computed from ``u``'s value in the
  kernel instead of read (heat51's recipes, on this kernel alone);
* ``unitrow``: ``kappa``'s partials row (``p[0]``'s: 1 in direction 0) as a unit-row
  leaf (kind ``"u0"``, as a deferred seed's rows are): the other directions' terms of
  ``kappa * lap`` left out by the generator;
* ``guard``: the block's test reads one array instead of the four factors: the root's
  value ``kappa * lap + (dt * rate * u) * (1 - u)``, finite wherever all four factors
  are (``+ - *`` keep a non-finite operand non-finite; here their sum, which is too):
  heat61's lever, whose in-step measure is bench/heat_guard_ab.py.

The scalar duals' rows are the step's own: ``kappa`` = ``p[0]`` (1, 0, 0, 0) and
``dt * rate`` (0, 0, 0, dt).  Every variant but ``notest`` and the ``sumonly`` ones is asserted bit-equal to
``gen`` first, on finite factors and on factors with inf / NaN beside zero partials
(``unitrow``: equal, ``==``; its structural zeros may differ in a zero's sign).
``--loops`` times the test loop alone (four arrays, as the kernel's) at 512, 4,096,
32,768 and 100,000 rows, ns a row: with its data in L1, L2 and the last-level cache.
Nothing is written.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

KEY = (4, ('o', 'f1', 'b1', 'r', 'r'),
       (((('c', 0), ('l', 0)),), (('1', ('l', 1)), ('-', ('t', 0))),
        (('1', ('t', 1)), ('1', ('l', 2))), ((('a', 0), ('l', 3)), (('c', 1), ('t', 2))),
        ((('a', 1), ('l', 4)), (('c', 2), ('l', 0))), (('-', ('l', 0)),),
        ((('a', 2), ('t', 4)), (('a', 3), ('t', 5))), (('1', ('t', 3)), ('1', ('t', 6)))),
       3, 4, 1, (), False)
E, ONE = "np.uint64(0x7FF0000000000000)", "np.uint64(0x10000000000000)"


def step_key():
    """The slicing step's accumulating kernel key, from a run of problems.heat."""
    import dualgrad as dg
    import problems
    from dualgrad.backend import _fusedgen
    with dg.engine("fused"):
        dg.jacobian(lambda p: problems.heat(p, n=100_000, steps=30), problems.HEAT_P)
    keys = [k for k in list(_fusedgen._compiled) if k[0] == 4 and k[5] == 1 and k[4] == 4]
    return keys[0] if keys else None


def _parts(src):
    lines = src.split("\n")
    s = lines.index("        count = 0")
    e = next(k for k in range(s, len(lines)) if lines[k].startswith("        if not bad and count == 0"))
    return lines, s, e


def _sub_test(src, fn):
    lines, s, e = _parts(src)
    return "\n".join(lines[:s] + fn(lines[s:e]) + lines[e:])


def mul(src):
    return _sub_test(src, lambda block: [re.sub(r"\(a(\d+) - a\1\)", r"(a\1 * 0.0)", t)
                                         if "count +=" in t else t for t in block])


def _views(src, k):
    return src.replace("    blocks = rows // BLOCK", "    blocks = rows // BLOCK\n" + "\n".join(
        f"    B{j} = A{j}.view(np.uint64)" for j in range(k)), 1)


def ints(src, k=4):
    terms = " | ".join(f"((B{j}[i] & {E}) == {E})" for j in range(k))
    return _sub_test(_views(src, k), lambda block: [
        "        count = 0", "        for i in range(i0, i0 + BLOCK):", f"            count += {terms}"])


def pipelined(src):
    lines, s, e = _parts(src)
    body = [t.replace("count +=", "nxt +=") for t in lines[s + 2:e]]
    fb = lines.index("    for b in range(blocks):")
    pre = ["    nxt = 0", "    if blocks > 0:", "        for i in range(0, BLOCK):"] + body
    nxt = ["        if b + 1 < blocks:",
           "            for i in range(i0 + BLOCK, i0 + 2 * BLOCK):"] + ["    " + t for t in body]
    return "\n".join(lines[:fb] + pre + lines[fb:s] + ["        count = nxt", "        nxt = 0"] +
                     nxt + lines[e:])


def _clean_loop(lines, e):
    return next(j for j in range(e, len(lines))
                if lines[j] == "            for i in range(i0, i0 + BLOCK):")


def prefetch(src, k=4):
    lines, s, e = _parts(src)
    f = _clean_loop(lines, e)
    pf = ["                if (i & 7) == 0:"] + \
        [f"                    prefetch(A{j}, i + BLOCK)" for j in range(k)]
    return "\n".join(lines[:f + 1] + pf + lines[f + 1:])


def inloop(src, k=4):
    lines, s, e = _parts(src)
    f = _clean_loop(lines, e)
    g = next(j for j in range(f, len(lines)) if lines[j].startswith("        else:"))
    t = lines.index("    for i in range(blocks * BLOCK, rows):")
    fb = lines.index("    for b in range(blocks):")
    test = lines[s + 1:e]
    carried = lines[e + 1:g]
    loop = carried[f - e - 1:]
    end = next(j for j in range(1, len(loop)) if not loop[j].startswith(" " * 16))
    extra = ["                m = m | " + " | ".join(
        f"((B{j}[i + BLOCK] & {E}) + {ONE})" for j in range(k))]
    out = lines[:fb] + ["    nxt = 0", "    if blocks > 0:", "        i0 = 0",
                        "        " + test[0].strip()]
    out += [x.replace("count +=", "nxt +=") for x in test[1:]]
    out += ["    for b in range(blocks):", "        i0 = b * BLOCK", "        count = nxt",
            "        if not bad and count == 0 and b + 1 < blocks:"]
    out += carried[:f - e - 1] + ["            m = np.uint64(0)", loop[0]] + loop[1:end] + \
        extra + loop[end:] + ["            nxt = 1 if m >> np.uint64(63) else 0"]
    out += ["        elif not bad and count == 0:"] + carried + ["        else:"] + lines[g + 1:t]
    out += ["            if b + 1 < blocks:", "                nxt = 0",
            "                i0 = (b + 1) * BLOCK", "        " + test[0]]
    out += ["        " + x.replace("count +=", "nxt +=") for x in test[1:]] + lines[t:]
    return _views("\n".join(out), k)


def checked(src, n=4):
    lines, s, e = _parts(src)
    out = lines[:s] + ["        redo = bad", "        if not bad:"]
    out += [f"            hb_{d} = H[0, {d}]" for d in range(n)]
    out += [f"            chk_{d} = 0.0" for d in range(n)]
    k = e + 1
    while not lines[k].startswith("        else:"):
        m = re.match(r"(\s+)acc\[i, (\d)\] = (y_\d) \+ (t\d+_\d)$", lines[k])
        if m:
            pad, d, y, t = m.groups()
            out += [f"{pad}r_{d} = {y} + {t}", f"{pad}R[i - i0, {d}] = r_{d}",
                    f"{pad}chk_{d} += r_{d}"]
        else:
            out.append(lines[k])
        k += 1
    out += ["            if " + " + ".join(f"(chk_{d} - chk_{d})" for d in range(n)) + " == 0.0:",
            "                for i in range(i0, i0 + BLOCK):"]
    out += [f"                    acc[i, {d}] = R[i - i0, {d}]" for d in range(n)]
    out += ["            else:"] + [f"                H[0, {d}] = hb_{d}" for d in range(n)]
    out += ["                redo = True", "        if redo:"] + lines[k + 1:]
    return "\n".join(out).replace("def fused(out, acc, H,", "def fused(out, acc, H, R,")


def sumonly(src, sums="each"):
    lines = checked(src).split("\n")
    if sums != "each":                         # the accumulator's sums: none, or one
        last = max(j for j, t in enumerate(lines) if t.strip().startswith("chk_3 += r_3"))
        pad = lines[last][:len(lines[last]) - len(lines[last].lstrip())]
        one = [pad + "chk_0 += (r_0 + r_1) + (r_2 + r_3)"] if sums == "one" else []
        lines = [t for j, t in enumerate(lines[:last]) if "+= r_" not in t] + one + \
            lines[last + 1:]
    lines = [t.replace("R[i - i0, ", "acc[i, ") if "= r_" in t and "R[" in t else t for t in lines]
    s = next(j for j, t in enumerate(lines) if t.startswith("            if (chk_0 - chk_0)"))
    e = next(j for j in range(s, len(lines)) if lines[j] == "                redo = True")
    test = lines[s].replace(" == 0.0:", " != 0.0 and c0 == 12345.0:")   # never redone
    out = lines[:s] + [test, "                redo = True"] + lines[e + 1:]
    return "\n".join(out).replace("def fused(out, acc, H, R,", "def fused(out, acc, H,")


def test_loops():
    """The test loop alone, ns a row, by rows (the data in L1, L2, L3)."""
    from dualgrad.backend import _fusedgen
    src = """
import numba
@numba.njit(error_model='numpy', nogil=True)
def test(A0, A1, A2, A3, reps):
    rows = A0.shape[0]
    total = 0
    for r in range(reps):
        count = 0
        for i in range(rows):
            a0 = A0[i]
            a1 = A1[i]
            a2 = A2[i]
            a3 = A3[i]
            count += (a0 - a0) + (a1 - a1) + (a2 - a2) + (a3 - a3) != 0.0
        total += count
    return total
"""
    ns = {}
    exec(src, ns)
    for rows in (512, 4096, 32768, 100_000):
        arrays = [np.random.default_rng(j).random(rows) for j in range(4)]
        reps = max(1, 2_000_000 // rows)
        with _fusedgen.vectorizing():
            ns["test"](*arrays, 1)
        ts = []
        for _ in range(9):
            t = time.perf_counter()
            ns["test"](*arrays, reps)
            ts.append(time.perf_counter() - t)
        print(f"test loop alone, {rows} rows: {statistics.median(ts) / reps / rows * 1e9:.3f} ns a row")


def guard(src):
    src = _sub_test(src, lambda block: ["        count = 0", "        for i in range(i0, i0 + BLOCK):",
                                        "            g = G[i]", "            count += (g - g) != 0.0"])
    return src.replace("A2, A3, c0, c1, c2):", "A2, A3, c0, c1, c2, G):")


def recipes(src):
    src = src.replace("A2, A3, c0, c1, c2):", "A2, A3, c0, c1, c2, c3):")
    return src.replace("a2 = A2[i]", "a2 = 1.0 - a1").replace("a3 = A3[i]", "a3 = c3 * a1")


def _prefetch_intrinsic():
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic
    def prefetch(typingctx, arr, idx):
        if not isinstance(arr, types.Array) or not isinstance(idx, types.Integer):
            return None

        def codegen(context, builder, signature, args):
            ary = context.make_array(signature.args[0])(context, builder, args[0])
            i64 = ir.IntType(64)
            size = context.get_abi_sizeof(context.get_data_type(signature.args[0].dtype))
            address = builder.add(builder.ptrtoint(ary.data, i64),
                                  builder.mul(args[1], ir.Constant(i64, size)))
            ptr = builder.inttoptr(address, ir.PointerType(ir.IntType(8)))
            i32 = ir.IntType(32)
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32]),
                "llvm.prefetch.p0")
            builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
            return context.get_dummy_value()
        return types.none(arr, idx), codegen
    return prefetch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--loops", action="store_true")
    args = ap.parse_args()
    if args.loops:
        test_loops()
        return
    from dualgrad.backend import _fusedgen
    key = step_key()
    if key != KEY:
        sys.exit(f"the slicing step's kernel key changed ({key!r}); update KEY and the "
                 "argument layout below")
    src = _fusedgen.source(KEY)
    texts = {"gen": src, "notest": src.replace("if not bad and count == 0:", "if True:")}
    for b in (128, 256, 512):
        texts[f"block{b}"] = src.replace("BLOCK = 64", f"BLOCK = {b}")
    texts.update(pipelined=pipelined(src), prefetch=prefetch(src), mul=mul(src),
                 ints=ints(src), inloop=inloop(src), checked=checked(src), sumonly=sumonly(src),
                 sumonly_noacc=sumonly(src, "none"), sumonly_one=sumonly(src, "one"),
                 recipes=recipes(src), guard=guard(src),
                 unitrow=_fusedgen.source(KEY[:1] + (('o', 'f1', 'b1', 'u0', 'r'),) + KEY[2:]))
    pf = _prefetch_intrinsic()
    fns = {}
    for name, text in texts.items():
        ns = {"__name__": f"heat_kernel_{name}", "prefetch": pf}
        exec(compile(text.replace("cache=True", "cache=False"), name, "exec"), ns)
        fns[name] = ns["fused"]
    n = args.cells
    rng = np.random.default_rng(0)
    u = rng.uniform(0.1, 0.9, n)
    P = rng.normal(size=(n, 4))
    P[::5] = 0.0                                # zero partials beside the factors
    P[::7, 1] = 0.0
    kap, dr, rate = np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.01]), 0.015

    def factors(bad):
        lap, mid = u[2:] - 2.0 * u[1:-1] + u[:-2], u[1:-1].copy()
        if bad:            # non-finite factors beside zero partials (the recipes' too)
            lap[[4999, n // 3]] = np.inf, np.nan
            mid[[99, 77774, n - 7]] = np.inf, np.nan, -np.inf
        return [lap, mid, 1.0 - mid, rate * mid]

    def call_args(name, full, f):
        acc = full[1:-1]
        H = full[0:1].copy()
        a = [acc, acc, H, acc, full[2:], H, kap, dr, *f, 2.0, 0.4, rate]
        if name == "checked":
            a.insert(3, np.empty((64, 4)))
        if name == "recipes":
            a.append(rate)
        if name == "guard":
            with np.errstate(all="ignore"):
                a.append(f[0] + f[1] + f[2] + f[3])
        return a

    for bad in (False, True):
        f = factors(bad)
        ref = None
        for name, fn in fns.items():
            out = P.copy()
            with _fusedgen.vectorizing():          # compiles as the library does
                fn(*call_args(name, out, f))
            if ref is None:
                ref = out
            elif name == "unitrow":
                assert np.array_equal(ref, out, equal_nan=True), (name, bad)
            elif name != "notest" and not name.startswith("sumonly"):
                assert np.array_equal(ref.view(np.int64), out.view(np.int64)), (name, bad)
            elif bad:
                wrong = int(np.sum(ref.view(np.int64) != out.view(np.int64)))
                print(f"{name} on the non-finite factors: {wrong} partials differ from gen's")
    print(f"every variant but notest and sumonly* bit-equal to gen (finite factors; inf / NaN factors "
          f"beside zero partials); {n} cells x 4, {args.rounds} rounds of {args.calls} calls")
    f = factors(False)
    times = {name: [] for name in fns}
    out = P.copy()
    for _ in range(args.rounds):
        for name, fn in fns.items():
            a = call_args(name, out, f)
            ts = []
            for _ in range(args.calls):
                t = time.perf_counter()
                fn(*a)
                ts.append(time.perf_counter() - t)
            times[name].append(statistics.median(ts) * 1e6)
    base = statistics.median(times["gen"])
    print("| variant | median us a call | min | / gen |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| {name} | {m:.1f} | {min(ts):.1f} | {m / base:.3f} |")


if __name__ == "__main__":
    main()
