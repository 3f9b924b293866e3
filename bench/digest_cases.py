"""The cases of a bit-digest script that differ between two checkouts (lead68: which of
nested_bits.py's 6004 cases moved, and how: numbers or warnings only).  Prints only.

    python bench/digest_cases.py bench/nested_bits.py --compare DIR [--numba] [--engine eager] [--all]

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


if __name__ == "__main__":
    main()
