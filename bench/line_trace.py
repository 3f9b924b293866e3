"""The lines of dualgrad each test runs, and what cutting some cases of a test would
leave unreached (issue 13|14, stop 65, fastci65: README's test command's grids whose
cases repeat a path).

As a pytest plugin (``bench`` on the path; each xdist worker loads it too)::

    PYTHONPATH=bench LINE_TRACE=/tmp/lt DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p line_trace tests/test_ode55.py

each test's call (not its setup) runs under ``sys.settrace`` (and ``threading.settrace``),
and the lines of the imported ``dualgrad`` package it reaches are written, per test id, to
``$LINE_TRACE.<pid>.json`` when the process ends.  numba-compiled code is not seen (its
Python lines are, where it runs interpreted).  Then::

    python bench/line_trace.py /tmp/lt TEST_FUNCTION                 # every case
    python bench/line_trace.py /tmp/lt TEST_FUNCTION CASE [CASE ...]  # a cut

prints, for each case of ``TEST_FUNCTION`` (a node id without ``[...]``), its lines and
those no other case of it reaches, and a greedy cover; for a cut (case ids as in
``[...]``), the lines the cut cases reach that the function's other cases do not, and of
those the lines no other traced test reaches either.  Prints only.
"""

import glob
import json
import os
import sys
import threading

import pytest

_LINES = {}
_ROOT = []


def _tracer(store):
    def local(frame, event, arg):
        if event == "line":
            store.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def outer(frame, event, arg):
        if frame.f_code.co_filename.startswith(_ROOT[0]):
            store.add((frame.f_code.co_filename, frame.f_code.co_firstlineno))
            return local
        return None
    return outer


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if not _ROOT:
        import dualgrad
        _ROOT.append(os.path.dirname(dualgrad.__file__) + os.sep)
    trace = _tracer(_LINES.setdefault(item.nodeid, set()))
    sys.settrace(trace)
    threading.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(None)
        threading.settrace(None)


def pytest_sessionfinish(session):
    if _LINES:
        with open(f"{os.environ.get('LINE_TRACE', '/tmp/line_trace')}.{os.getpid()}.json",
                  "w") as f:
            json.dump({k: sorted(f"{a.split(_ROOT[0])[-1]}:{b}" for a, b in v)
                       for k, v in _LINES.items()}, f)


def main(prefix, function, *cut):
    data = {}
    for path in glob.glob(prefix + ".*.json"):
        with open(path) as f:
            data.update({k: set(v) for k, v in json.load(f).items()})
    cases = {k.split("[", 1)[1][:-1]: v for k, v in data.items()
             if k.startswith(function + "[")}
    if not cases:
        raise SystemExit(f"line_trace.py: no traced case of {function} in {prefix}.*.json")
    rest = set().union(*(v for k, v in data.items() if not k.startswith(function + "[")))
    if cut:
        missing = set(cut) - set(cases)
        if missing:
            raise SystemExit(f"line_trace.py: no traced case {sorted(missing)} of {function}")
        gone = set().union(*(cases[c] for c in cut))
        kept = set().union(*(v for c, v in cases.items() if c not in cut))
        print(f"{function}: {len(cut)} of {len(cases)} cases cut; lines only they reach: "
              f"{len(gone - kept)} (of the function's cases), {len(gone - kept - rest)} (of "
              f"every traced test)")
        for line in sorted(gone - kept)[:20]:
            print("   ", line)
        return
    for c, v in sorted(cases.items()):
        others = set().union(*(w for d, w in cases.items() if d != c))
        print(f"{len(v):6d} lines, {len(v - others):5d} no other case reaches  [{c}]")
    left, cover = set().union(*cases.values()), []
    while left:
        best = max(cases, key=lambda c: len(cases[c] & left))
        cover.append(best)
        left -= cases[best]
    print(f"greedy cover: {len(cover)} of {len(cases)} cases: {cover}")


if __name__ == "__main__":
    main(*sys.argv[1:])
