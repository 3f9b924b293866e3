"""How many deferred nodes the fused engine made in each test (issue 13|14, stop 73,
fastci73: how many of the tests README's eager half runs reach the fused engine's graph
at all in the fused half).

As a pytest plugin (``bench`` on the path; each xdist worker loads it too)::

    PYTHONPATH=bench DEFERRED_PER_TEST=/tmp/dpt DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p deferred_per_test tests/...

each test's count of ``_fused.Deferred`` objects made (its setup, call and teardown) is
written, as it ends, to ``$DEFERRED_PER_TEST.<pid>.tsv``.  Then::

    python bench/deferred_per_test.py /tmp/dpt [RECORD_FOLDER]

prints how many tests made none and how many made some, and, given the halves' record
folder of that run (tests/_halves.py: ``dualgrad-halves-*`` in the temporary directory),
the same split of the tests the record marks dirty (those the eager half runs).
Prints only.
"""

import glob
import os
import sys

import pytest

_FILE = []
_COUNT = [0]


def _log(line):
    if not _FILE:
        prefix = os.environ.get("DEFERRED_PER_TEST", "/tmp/deferred_per_test")
        _FILE.append(open(f"{prefix}.{os.getpid()}.tsv", "a", buffering=1))
    _FILE[0].write(line)


def pytest_sessionstart(session):
    from dualgrad.backend import _fused
    real = _fused.Deferred.__init__

    def counted(self, node):
        _COUNT[0] += 1
        real(self, node)
    _fused.Deferred.__init__ = counted


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = _COUNT[0]
    yield
    _log(f"{_COUNT[0] - start}\t{item.nodeid}\n")


def main(prefix, record=None):
    made = {}
    for path in glob.glob(prefix + ".*.tsv"):
        with open(path) as f:
            for line in f:
                count, nodeid = line.rstrip("\n").split("\t")
                made[nodeid] = made.get(nodeid, 0) + int(count)
    none = sum(1 for c in made.values() if c == 0)
    print(f"tests {len(made)}: {none} made no deferred node, {len(made) - none} made some")
    if record is None:
        return
    dirty = set()
    for path in glob.glob(os.path.join(record, "*.txt")):
        with open(path) as f:
            for line in f:
                state, _, nodeid = line.rstrip("\n").partition(" ")
                if state == "dirty":
                    dirty.add(nodeid)
    seen = [n for n in made if n in dirty]
    zero = sorted(n for n in seen if made[n] == 0)
    print(f"dirty in the record (the eager half runs them): {len(seen)}: {len(zero)} made no "
          f"deferred node, {len(seen) - len(zero)} made some")
    files = {}
    for n in zero:
        f = n.partition("::")[0]
        files[f] = files.get(f, 0) + 1
    for f, c in sorted(files.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {c:5d} {f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
