"""Where each test read the engine's flags otherwise than the eager engine would have
(issue 13|14, stop 74, fastci74: which reads keep a test in README's eager half).

As a pytest plugin (``bench`` and ``tests`` on the path; each xdist worker loads it)::

    PYTHONPATH=.:bench FLAG_SITES=/tmp/fs DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p flag_sites tests/...

the fused half's recorder (tests/_halves.py) runs as README's first half does, and each
differing read it notes (a read ``_halves._exposure`` lets pass is not one) is logged
by its site, the first frame outside tests/_halves.py (``file:line function``): one line
a test, ``NODEID<TAB>site#count|...``, to ``$FLAG_SITES.<pid>.tsv``.  Then::

    python bench/flag_sites.py /tmp/fs

prints how many tests read a differing flag, the sites by how many tests met them, and
the sets of sites by how many tests met exactly that set (a test whose only sites are
reads placed before checks that compute nothing is one an edit can leave to the first
half; prints only).
"""

import collections
import glob
import os
import sys

_FILE = []
_SITES = collections.Counter()


def _log(text):
    if not _FILE:
        prefix = os.environ.get("FLAG_SITES", "/tmp/flag_sites")
        _FILE.append(open(f"{prefix}.{os.getpid()}.tsv", "a", buffering=1))
    _FILE[0].write(text)


def pytest_configure(config):
    import _halves

    def _differed(self):
        frame = sys._getframe(1)
        if _halves._exposure(frame):
            self.exposures += 1
            return
        while frame is not None and os.path.basename(frame.f_code.co_filename) in (
                "_halves.py", "flag_sites.py"):
            frame = frame.f_back
        site = "?" if frame is None else \
            f"{os.path.relpath(frame.f_code.co_filename)}:{frame.f_lineno} {frame.f_code.co_name}"
        _SITES[site] += 1
        self.mark()
    _halves.Recorder._differed = _differed      # (the recorder's own rule, logged)


def pytest_runtest_logstart(nodeid, location):
    _SITES.clear()


def pytest_runtest_logfinish(nodeid, location):
    _log(f"{nodeid}\t" + "|".join(f"{k}#{v}" for k, v in _SITES.most_common()) + "\n")


def main(prefix):
    sets, sites, read = collections.Counter(), collections.Counter(), 0
    for path in glob.glob(prefix + ".*.tsv"):
        with open(path) as f:
            for line in f:
                nodeid, _, text = line.rstrip("\n").partition("\t")
                met = tuple(sorted(s.split("#")[0].split(" ")[0] for s in text.split("|") if s))
                if met:
                    read += 1
                    sets[met] += 1
                    sites.update(met)
    print(f"{read} tests read a flag otherwise than the eager engine would have")
    print("\nsites by tests:")
    for site, count in sites.most_common():
        print(f"  {count:6d}  {site}")
    print("\nsets of sites by tests:")
    for met, count in sets.most_common(30):
        print(f"  {count:6d}  {', '.join(met)}")


if __name__ == "__main__":
    main(sys.argv[1])
