"""The cases of a bit-digest script that differ between two checkouts (lead68: which of
nested_bits.py's 6004 cases moved, and how: numbers or warnings only).  Prints only.

    python bench/digest_cases.py bench/nested_bits.py --compare DIR [--numba] [--engine eager] [--all]

Where numbers differ it also counts the cases whose numbers differ only in the signs of
zeros (power71), and names the others.

Runs SCRIPT's ``child()`` (a script built on bench/_common's ``record`` and
``print_digest``, as nested_bits.py and rows65_bits.py are) in a fresh process per
checkout (this one and DIR, each on ``PYTHONPATH``) with ``print_digest`` replaced by a
dump of its records, then lists the records that differ: their labels, and whether
their numbers or only their warnings do.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def dump(script, numba, path):
    """In the child: ``script``'s records, one JSON line each, into ``path``."""
    sys.path.insert(0, str(Path(script).resolve().parent))
    spec = importlib.util.spec_from_file_location("digest_script", script)
    module = importlib.util.module_from_spec(spec)
    sys.argv = [script]
    spec.loader.exec_module(module)

    def write(out):
        with open(path, "w") as fh:
            for rec in out:
                fh.write(json.dumps(rec) + "\n")
    module.print_digest = write
    module.child(numba)


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("script")
    parser.add_argument("--compare", required=True, metavar="DIR")
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--engine", default="eager", choices=["eager", "fused"])
    parser.add_argument("--all", action="store_true", help="list every case that differs")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return dump(args.script, args.numba, args.child[1])
    script = str(Path(args.script).resolve())
    sides = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, tree in enumerate((Path(__file__).resolve().parent.parent, Path(args.compare))):
            out = os.path.join(tmp, f"{k}.json")
            env = dict(os.environ, PYTHONPATH=str(tree.resolve()), DUALGRAD_ENGINE=args.engine)
            subprocess.run([sys.executable, __file__, script, "--compare", args.compare,
                            *(["--numba"] if args.numba else []), "--child", "dump", out],
                           env=env, cwd="/", check=True, capture_output=True)
            with open(out) as fh:
                sides.append([json.loads(line) for line in fh])
    this, other = sides
    print(f"{len(this)} cases here, {len(other)} in {args.compare}")
    differ = [(a, b) for a, b in zip(this, other) if a != b]
    for a, b in differ if args.all else differ[:40]:
        how = "numbers" if a[1] != b[1] else \
            f"warnings only: here {sorted(set(a[2]) - set(b[2]))}, there {sorted(set(b[2]) - set(a[2]))}"
        print(f"  {a[0]}: {how}")
    numbers = sum(a[1] != b[1] for a, b in differ)
    print(f"{len(differ)} differ, {numbers} in their numbers" +
          (" (the first 40 listed)" if len(differ) > 40 and not args.all else ""))
    if numbers:
        signs = [zero_signs(a[1], b[1]) for a, b in differ if a[1] != b[1]]
        moved = [s for s in signs if s is not None]
        for (a, b), s in zip([d for d in differ if d[0][1] != d[1][1]], signs):
            if s is None:
                print(f"  {a[0]}: numbers beyond the signs of zeros")
        print(f"  of those, {len(moved)} differ only in the signs of zeros "
              f"({sum(m[0] for m in moved)} zeros -0.0 here, +0.0 there; "
              f"{sum(m[1] for m in moved)} the other way)")


def zero_signs(a, b):
    """``(n, m)`` where the records ``a``, ``b`` (``levels``' nested lists) differ only
    in the signs of zeros: ``n`` zeros -0.0 in ``a`` and +0.0 in ``b``, ``m`` the other
    way; ``None`` where anything else differs (power71)."""
    import numpy as np
    if isinstance(a, list) and len(a) == 3 and isinstance(a[0], str) and \
            isinstance(a[2], str) and isinstance(b, list) and len(b) == 3:
        if a[:2] != b[:2] or a[0][:1] not in ("f", "c"):
            return None if a != b else (0, 0)
        x = np.frombuffer(bytes.fromhex(a[2]), dtype=a[0]).view(np.dtype(a[0]).char.lower()
                                                                  if a[0][:1] == "f" else "f8")
        y = np.frombuffer(bytes.fromhex(b[2]), dtype=b[0]).view(x.dtype)
        if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
            return None
        z = (x == 0) & (np.signbit(x) != np.signbit(y))
        return int((z & np.signbit(x)).sum()), int((z & ~np.signbit(x)).sum())
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        n = m = 0
        for u, v in zip(a, b):
            got = zero_signs(u, v)
            if got is None:
                return None
            n, m = n + got[0], m + got[1]
        return n, m
    return None if a != b else (0, 0)


if __name__ == "__main__":
    main()
