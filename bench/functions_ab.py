"""bench_functions.py's rows, this checkout against another, alternating (issue 13, fn12).

    python bench/functions_ab.py --compare DIR --cells 1000:4,10:4 --only np.dot,np.max [--rounds 2]

Runs ``bench/bench_functions.py --cells ... --only ...`` (prints only, writes nothing)
from DIR and from this checkout in turn, ``--rounds`` times each, and prints for every
row and cell the median dual / float ratio of each side and their quotient (this
checkout's over DIR's: below 1 is faster).  Each ratio is already a median of dual and
float calls timed back to back, so a busy machine slows both sides of it alike; the
alternation spreads what remains over both checkouts.
"""

import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def run(checkout, cells, only):
    """``{(row, column): ratio}`` of one bench_functions.py run in ``checkout``."""
    cmd = [sys.executable, "bench/bench_functions.py", "--cells", cells, "--only", only]
    out = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(checkout)}).stdout
    header, rows = None, {}
    for line in out.splitlines():
        if line.startswith("| function |"):
            header = [c.strip() for c in line.strip("|").split("|")][2:]
        elif header and line.startswith("| np") or header and line.startswith("| scipy"):
            cols = [c.strip() for c in line.strip("|").split("|")]
            for col, cell in zip(header, cols[2:]):
                m = re.match(r"([0-9.]+)x", cell)
                if m:
                    rows[cols[0], col] = float(m.group(1))
    return rows


def main():
    other = Path(_option("--compare"))
    cells, only = _option("--cells", "1000:4"), _option("--only", "np.dot")
    rounds = int(_option("--rounds", "2"))
    base, new = {}, {}
    for _ in range(rounds):
        for checkout, into in ((other, base), (HERE.parent, new)):
            for key, r in run(checkout, cells, only).items():
                into.setdefault(key, []).append(r)
    print(f"| row | cell | {other} | this | this / other |")
    print("|---|---|---|---|---|")
    for key in sorted(new, key=lambda k: (k[1], k[0])):
        if key in base:
            b, t = statistics.median(base[key]), statistics.median(new[key])
            print(f"| {key[0]} | {key[1]} | {b:.1f}x | {t:.1f}x | {t / b:.2f} |")


if __name__ == "__main__":
    main()
