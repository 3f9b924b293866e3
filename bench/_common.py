"""Timing helpers shared by the bench scripts: medians of repeats, one thread; and the
bit-digest scripts' pieces (levels, record, digest_main, case_sides)."""

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# Fresh processes a script starts (first calls, imports) load dualgrad as an install
# does, from Python's bytecode cache: where the environment forbids writing .pyc files
# (PYTHONDONTWRITEBYTECODE, set on the machines these tables were first taken on), every
# fresh process compiled dualgrad's modules from source, 0.1-0.25 s of a heat equation's
# first call that no user pays (bench_latency.py's `environment` says the same).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def keep_freed_memory():
    """glibc: no mmap for large blocks, no trimming of the heap (M_MMAP_THRESHOLD,
    M_TRIM_THRESHOLD), so freed arrays are reused instead of returned to the system."""
    import ctypes
    libc = ctypes.CDLL("libc.so.6")
    if not (libc.mallopt(-3, 1 << 30) and libc.mallopt(-1, (1 << 31) - 1)):
        raise SystemExit("mallopt refused the settings")


def median_time(fn, repeat=7, min_time=0.05, clock=time.perf_counter):
    """Median seconds per call of ``fn()`` (each repeat runs long enough to time).

    ``clock=time.process_time`` counts only this process's CPU time: for
    microsecond operations on a machine shared with other jobs, where being
    descheduled would otherwise land in a sample."""
    fn()                                   # warm-up: compile, caches
    t0 = clock()
    fn()
    once = max(clock() - t0, 1e-7)
    number = max(1, int(min_time / once))
    samples = []
    for _ in range(repeat):
        t0 = clock()
        for _ in range(number):
            fn()
        samples.append((clock() - t0) / number)
    return statistics.median(samples)


def timed(fn, spent, clock=time.process_time):
    """``fn`` (a fused kernel) wrapped so that each call adds its time to ``spent[0]``:
    the kernels' own share of a call, as heat_parts.py, left_ab.py and swap_ab.py take it."""
    def kernel(*args):
        t0 = clock()
        fn(*args)
        spent[0] += clock() - t0
    return kernel


def ab_cells(times, old, new):
    """One cell a measure of ``times`` (``{"call": {old: [...], new: [...]}, ...}``, seconds):
    medians and minima of both sides in ms and the ratio ``new / old``, as the A/B
    scripts (kernel_ab.py, codes_ab.py) print them."""
    cells = []
    for what, sides in times.items():
        o, t = sides[old], sides[new]
        mo, mt = statistics.median(o), statistics.median(t)
        cells.append(f"{what}: {old} {mo * 1e3:.1f} ms (min {min(o) * 1e3:.1f}), {new} "
                     f"{mt * 1e3:.1f} ms (min {min(t) * 1e3:.1f}), {new} / {old} "
                     f"{mt / mo:.3f} (min {min(t) / min(o):.3f})")
    return cells


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fresh_process(code, cache):
    """Run ``code`` (``python -c``) as a user's new program would run: numba's disk cache
    in ``cache``, one thread per library, no ``DUALGRAD_ENGINE``, bytecode written; its
    last line of output read as JSON (first_split.py, new_cache.py)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    env.pop("DUALGRAD_ENGINE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def alternate(script, argv, compare, rounds, threads=1):
    """``{"before": [...], "after": [...]}``: ``script --child *argv``'s JSON line from
    ``rounds`` pairs of fresh processes, dualgrad imported from the checkout ``compare``
    (before) and from this one (after), alternating (rule_ab.py, psi_hessian.py); without
    ``compare``, one process of this checkout (``{"after": [...]}``).
    ``threads``: BLAS threads of the children (0: one per core, OpenBLAS's default; set,
    not unset, since the children's own import of this module defaults them to 1)."""
    from pathlib import Path
    here = Path(__file__).resolve().parent
    sides = {"before": Path(compare).resolve()} if compare else {}
    sides["after"] = here.parent
    rounds = rounds if compare else 1
    got = {side: [] for side in sides}
    threads = str(threads or os.cpu_count())
    env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads)
    for _ in range(rounds):
        for side, checkout in sides.items():
            env["PYTHONPATH"] = str(checkout)
            res = subprocess.run([sys.executable, str(here / script), "--child", *argv],
                                 env=env, cwd="/", capture_output=True, text=True, check=True)
            got[side].append(json.loads(res.stdout.strip().splitlines()[-1]))
    return got


def timed_error_table(got, compare):
    """Print the Markdown table of :func:`alternate`'s ``got`` whose children give each
    case ``[ms, error]`` (``[ms]`` where no oracle exists): the medians of the rounds' ms,
    the first round's error, and this / other where ``compare`` was given
    (det_hessian.py, eig_tie_hessian.py)."""
    print("| case | ms (this) | error (this) |" + (" ms (other) | error (other) | this / other |"
                                                  if compare else ""))
    print("|---|---|---|" + ("---|---|---|" if compare else ""))

    def cells(side, case):
        runs = [r[case] for r in got[side]]
        ms = statistics.median(r[0] for r in runs)
        return ms, (f"{runs[0][1]:.1e}" if len(runs[0]) > 1 else "")

    for case in got["after"][0]:
        ms, err = cells("after", case)
        row = f"| {case} | {ms:.2f} | {err} |"
        if compare:
            ms0, err0 = cells("before", case)
            row += f" {ms0:.2f} | {err0} | {ms / ms0:.2f} |"
        print(row)


def us_table(got, compare, first="case", digits=2):
    """Print the Markdown table of :func:`alternate`'s ``got`` whose children give each
    case one time in us: the rounds' median, and the other checkout's with this / other
    (the median of the rounds' quotients) where ``compare`` was given (iterate_ab.py,
    euler_lotka_lines.py)."""
    after = got["after"]
    head = f"| {first} | us |" + (" us (other) | this / other |" if compare else "")
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for name in after[0]:
        line = f"| {name} | {statistics.median(r[name] for r in after):.{digits}f} |"
        if compare:
            before = got["before"]
            quot = statistics.median(a[name] / b[name] for a, b in zip(after, before))
            line += f" {statistics.median(r[name] for r in before):.{digits}f} | {quot:.2f} |"
        print(line)


def ab_main(script, child, first="case", digits=2):
    """The ``main()`` of an A/B script whose ``child()`` prints one JSON object of times
    in us: ``--compare DIR`` (another checkout), ``--rounds``, ``--child``; alternates
    fresh processes (:func:`alternate`) and prints :func:`us_table` (iterate_ab.py,
    euler_lotka_lines.py, faddeeva_ab.py)."""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child()
    us_table(alternate(script, [], args.compare, args.rounds), args.compare, first, digits)


def ms_per_call(call, seconds):
    """CPU ms per call of ``call()``: one warm-up call, then as many as ``seconds`` of
    process time hold (api45_cost.py, hvp_ties.py)."""
    call()
    t0, k = time.process_time(), 0
    while time.process_time() - t0 < seconds:
        call()
        k += 1
    return (time.process_time() - t0) / k * 1e3


def levels(r):
    """Every level's arrays of ``r`` as ``[dtype, shape, hex bytes]``, with the classes of
    its duals (partials as each dual holds them: an array or a list of scalar duals);
    lists, tuples and object arrays element by element; every NaN as NumPy's np.nan
    (its sign and payload are no result: they told a cold numba cache from a warm one)."""
    import numpy as np
    import dualgrad as dg
    if isinstance(r, dg.Dual):
        p = r.partials if hasattr(r, "_p") else r._plist()
        return [type(r).__name__, levels(r.value), levels(p)]
    if isinstance(r, (list, tuple)):
        return [levels(e) for e in r]
    if isinstance(r, np.ndarray) and r.dtype == object:
        return [levels(e) for e in r.tolist()]
    a = np.asarray(r)
    if a.dtype.kind in "fc":      # every NaN one pattern: a kernel compiled in this run
        flat = np.ascontiguousarray(a).reshape(-1)    # and one read from numba's cache
        f = flat.view(a.real.dtype)                   # gave NaNs of other signs (diff66 F4)
        a = np.where(f != f, np.nan, f).astype(f.dtype).view(a.dtype).reshape(a.shape)
    return [str(a.dtype), a.shape, a.tobytes().hex()]


def record(out, label, f, parts=levels):
    """Append to ``out`` a case: ``label``, ``parts(f())`` or the exception's type and
    text, and the texts of the warnings it gave (sorted)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            res = parts(f())
        except Exception as e:      # noqa: BLE001 (its type and text enter the record)
            res = ["raised", type(e).__name__, str(e)[:200]]
    out.append([label, res, sorted(str(x.message)[:120] for x in w)])


def child_dualgrad(numba):
    """The dualgrad a digest child tests (the checkout on its ``PYTHONPATH``), with numba
    loaded first where ``numba``."""
    import dualgrad
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    return dualgrad


def print_digest(out):
    """A digest child's last line: the number of cases and the SHA-1 of their records."""
    print(len(out), hashlib.sha1(json.dumps(out).encode()).hexdigest())


def digest_main(script, child):
    """The ``main()`` of a bit-digest script: ``--child plain|numba`` calls
    ``child(numba)`` (the arguments after it left to the child); otherwise
    :func:`digest_sides`, with ``--compare DIR``'s checkout beside this one."""
    import argparse
    doc = sys.modules["__main__"].__doc__ or ""
    parser = argparse.ArgumentParser(description=doc.strip().split("\n")[0])
    parser.add_argument("--compare", metavar="DIR", help="another checkout's root")
    parser.add_argument("--child", choices=["plain", "numba"], help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        return child(args.child == "numba")
    digest_sides(script, args.compare)


def digest_sides(script, compare):
    """A bit-digest script's comparison: ``script --child plain|numba`` (numba not
    loaded / loaded first) in a fresh process per engine and state, under this checkout
    and ``compare``'s where given; the child prints ``CASES DIGEST`` last, and each row
    says whether the two checkouts' digests are the same."""
    from pathlib import Path
    sides = {"this": Path(script).resolve().parent.parent}
    if compare:
        sides["other"] = Path(compare).resolve()
    for engine in ("eager", "fused"):
        for mode in ("plain", "numba"):
            row = []
            for side, checkout in sides.items():
                env = dict(os.environ, PYTHONPATH=str(checkout), DUALGRAD_ENGINE=engine)
                res = subprocess.run([sys.executable, str(Path(script).resolve()),
                                      "--child", mode], env=env, cwd="/",
                                     capture_output=True, text=True, check=True)
                cases, digest = res.stdout.split()[-2:]
                row.append(f"{side} {cases} cases {digest}")
            same = "" if len(row) < 2 else (" same" if row[0].split()[-1] == row[1].split()[-1]
                                            else " DIFFER")
            print(f"{engine:5s} {mode:5s} " + " | ".join(row) + same)


def case_sides(script, compare, argv=(), describe=None):
    """A per-case digest script's comparison: ``script --child numba|numpy *argv`` (numba
    loaded first / never loaded) prints one JSON object, case name -> digest, in a fresh
    process per engine and state, of this checkout and ``compare``'s where given.  Each
    state's line: ``describe(cases)`` (default: their number), then with ``compare`` how
    many cases differ (the first eight named), without it one digest of them all
    (power_mixed_bits.py, ode_rates_bits.py)."""
    from pathlib import Path
    script = Path(script).resolve()
    trees = [script.parent.parent] + ([Path(compare).resolve()] if compare else [])
    for engine in ("fused", "eager"):
        for state in ("numba", "numpy"):
            runs = []
            for tree in trees:
                env = dict(os.environ, DUALGRAD_ENGINE=engine, PYTHONPATH=str(tree))
                done = subprocess.run([sys.executable, str(script), "--child", state, *argv],
                                      env=env, capture_output=True, text=True)
                if done.returncode:
                    sys.exit(done.stderr[-3000:])
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            mine = runs[0]
            line = f"{engine:6s} {state:6s} " + (describe(mine) if describe
                                                  else f"{len(mine)} cases")
            if compare:
                other = runs[1]
                differ = [key for key in mine if mine[key] != other.get(key)]
                line += f", {len(differ)} differ" + (f" ({len(other)} in {trees[1]})"
                                                      if len(other) != len(mine) else "")
                for key in differ[:8]:
                    line += f"\n    {key}"
            else:
                whole = hashlib.sha256("".join(mine[k] for k in sorted(mine)).encode())
                line += f", digest {whole.hexdigest()[:16]}"
            print(line, flush=True)


def sides_table(script, compare, rounds, args, title):
    """The A/B table of a script whose ``--child ARGS`` prints a JSON dict of medians (us):
    fresh processes of ``script`` with ``PYTHONPATH`` at this checkout ("after") and at
    ``compare`` ("before"), alternating for ``rounds`` rounds; printed under ``title``:
    the time and load, each side's median over rounds and the median over rounds of after
    / before (names one side lacks read NaN).  heat69_ops / heat70_ops / heat70_add."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(script)))
    sides = {"after": here, "before": compare} if compare else {"after": here}
    got = {side: [] for side in sides}
    loads = []
    for r in range(rounds):
        for side in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
            env = dict(os.environ, PYTHONPATH=str(sides[side]))
            out = subprocess.run([sys.executable, script, "--child", *args], env=env,
                                 capture_output=True, text=True, check=True)
            got[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
        loads.append(os.getloadavg()[0])
    names = list(dict.fromkeys(k for s in got.values() for row in s for k in row))
    nan = float("nan")
    print(f"{time.strftime('%H:%M')}, load {min(loads):.1f}-{max(loads):.1f}")
    print(f"| {title} | " + " | ".join(sides) + (" | after / before |" if compare else " |"))
    print("|---" * (len(sides) + 1 + bool(compare)) + "|")
    for name in names:
        cells = [f"{statistics.median(row.get(name, nan) for row in got[s]):.2f}" for s in sides]
        if compare:
            cells.append(f"{statistics.median(x.get(name, nan) / y.get(name, nan) for x, y in zip(got['after'], got['before'])):.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
