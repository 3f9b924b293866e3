"""The second half of README's test command runs what the first half saw depend on it.

README's command runs the suite with ``DUALGRAD_ENGINE=fused``, then with
``DUALGRAD_ENGINE=eager``.  The variable reaches the code through one place
(tests/conftest.py's docstring): the two flags ``_fused._update`` derives from it,
read while a helper call runs outside every ``dg.engine`` block.  Until the first
such read, the two halves run the same code.  So the first half records, for every
test it ran, whether anything read those flags while it ran -- in its setup, its
call, its teardown, any fixture of a wider scope it uses, the import of its module
-- or started another process (whose code reads the variable itself); the second
half, on the same tree, deselects the tests that passed in the first half with no
such read, and runs every other test: those that read the flags, failed or were not
recorded, and every test of a module whose code names the variable or the engine
(:func:`names_the_engine`: it may choose by itself).

The record lives in a folder of the temporary directory named by a hash of what
could change a test's path: the source files of ``dualgrad`` (the package imported)
and of tests/, the interpreter, NumPy's / numba's / SciPy's versions and the
``DUALGRAD_*`` / ``NUMBA_*`` variables other than the engine.  Another tree, an
edit, another environment: another folder, and a second half with no record runs
every test.  Each first half writes one file of its own there when it ends (its
workers' lines, gathered by the controller), and clears nothing: two first halves of
the same tree at once (or one while a second half reads) leave each other's record
alone.  The second half reads every record there, a test seen dirty (or failed) in
any of them runs; a folder keeps the newest :data:`KEEP` records.
"""

import ast
import hashlib
import importlib.util
import os
import re
import sys
import tempfile
import time

FIRST, SECOND = "fused", "eager"
# a module whose code says any of these may read the engine itself: never left out
# (:func:`names_the_engine`: :data:`NAMED` are its names, :data:`NAMES` its strings)
NAMED = frozenset({"DUALGRAD_ENGINE", "ENGINE", "_engine", "_DEFAULT", "current", "conftest",
                   "_update", "ACTIVE", "FUSING", "DEFERRING"})
NAMES = re.compile(r"DUALGRAD_ENGINE|\bENGINE\b|_engine\b|_DEFAULT\b|\bcurrent\(|conftest|"
                   r"_update\b|\bACTIVE\b|\bFUSING\b|\bDEFERRING\b")
KEEP = 8            # records kept in a folder (one per first half that ran)
WORKER_KEY = "dualgrad_halves"      # a worker's lines in xdist's ``workeroutput``
CLEAN_KEY = "dualgrad_clean"        # the second half's clean node ids in ``workerinput``


def key(tests_dir):
    """The hash naming this tree's and environment's record."""
    h = hashlib.sha256()
    for top in (os.path.dirname(importlib.util.find_spec("dualgrad").origin), str(tests_dir)):
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(folder, name)
                h.update(os.path.relpath(path, top).encode() + b"\0")
                with open(path, "rb") as f:
                    h.update(f.read())
    versions = [sys.executable, sys.version]
    for name in ("numpy", "numba", "scipy"):
        try:
            versions.append(__import__(name).__version__)
        except ImportError:
            versions.append("-")
    versions += sorted(f"{k}={v}" for k, v in os.environ.items()
                       if k.startswith(("DUALGRAD_", "NUMBA_")) and k != "DUALGRAD_ENGINE")
    h.update("\0".join(versions).encode())
    return h.hexdigest()[:24]


def folder(tests_dir):
    return os.path.join(tempfile.gettempdir(), f"dualgrad-halves-{key(tests_dir)}")


class Flag:
    """A flag of ``_fused.ACTIVE`` as the variable's engine set it; each read calls
    ``note`` (the recorder's ``mark`` here, conftest's engine_independent watch there)."""

    __slots__ = ("value", "note")
    __hash__ = None

    def __init__(self, value, note):
        self.value, self.note = value, note

    def _read(self):
        self.note()
        return self.value

    def __bool__(self):
        return bool(self._read())

    def __lt__(self, other):
        return self._read() < other

    def __le__(self, other):
        return self._read() <= other

    def __gt__(self, other):
        return self._read() > other

    def __ge__(self, other):
        return self._read() >= other

    def __eq__(self, other):
        return self._read() == other


class Recorder:
    """The first half's record: what read the flags, or started a process, while
    which test, fixture of a wider scope, or module collection was running."""

    def __init__(self):
        self.stack = []                 # (kind, name): "item" / "fixture" / "collector"
        self.dirty = set()              # (kind, name) that read a flag or spawned
        self.everything = False         # a read outside every phase: nothing is clean
        self.ran = []                   # (nodeid, fixture names)
        self.bad = set()                # not passed in every phase
        self._real = None

    def mark(self):
        if not self.stack:
            self.everything = True
        self.dirty.update(self.stack)

    def push(self, entry):
        self.stack.append(entry)

    def pop(self):
        self.stack.pop()

    def _watched(self):
        from dualgrad.backend import _fused
        self._real()
        if _fused._depth > 0 and not _fused._BLOCKS and \
                not (self.stack and self.dirty.issuperset(self.stack)):
            active = _fused.ACTIVE
            active[0], active[1] = Flag(active[0], self.mark), Flag(active[1], self.mark)

    def install(self):
        """Watches the flags (``_fused._update``, the one writer) and process starts
        (subprocess, multiprocessing, ``os.fork``, ``posix_spawn``, ``os.system``)."""
        import _posixsubprocess
        import subprocess
        from dualgrad.backend import _fused
        self._real = _fused._update
        _fused._update = self._watched
        self._undo = [(_fused, "_update", self._real)]

        def spawning(real):
            def spawn(*args, **kwargs):
                self.mark()
                return real(*args, **kwargs)
            return spawn
        for module, name in ((subprocess, "_fork_exec"), (_posixsubprocess, "fork_exec"),
                             (os, "posix_spawn"), (os, "posix_spawnp"), (os, "system")):
            if getattr(module, name, None) is not None:
                self._undo.append((module, name, getattr(module, name)))
                setattr(module, name, spawning(getattr(module, name)))
        self.installed = True
        os.register_at_fork(before=lambda: self.mark() if self.installed else None)

    def uninstall(self):
        """Puts back what :meth:`install` replaced (the tests of this module)."""
        for module, name, real in reversed(self._undo):
            setattr(module, name, real)
        self.installed = False

    def report(self, report):
        if report.outcome != "passed" or hasattr(report, "wasxfail"):
            self.bad.add(report.nodeid)

    def lines(self):
        """This process's record: ``clean NODEID`` / ``dirty NODEID`` lines, and
        ``dirty *`` where a read fell outside every phase."""
        dirty_fixtures = {n for kind, n in self.dirty if kind == "fixture"}
        collectors = [n for kind, n in self.dirty if kind == "collector"]
        lines = []
        for nodeid, fixtures in self.ran:
            clean = not (self.everything or nodeid in self.bad or ("item", nodeid) in self.dirty
                         or dirty_fixtures.intersection(fixtures)
                         or any(c in ("", ".") or nodeid.startswith((c + "::", c + "/"))
                                for c in collectors))
            lines.append(f"{'clean' if clean else 'dirty'} {nodeid}\n")
        if self.everything:
            lines.append("dirty *\n")
        return lines


def write(path, lines):
    """Writes one run's record (its processes' :meth:`Recorder.lines` together) as a
    file of its own in ``path``, then removes all but the newest :data:`KEEP`."""
    os.makedirs(path, exist_ok=True)
    target = os.path.join(path, f"{time.time_ns():020d}-{os.getpid()}.txt")
    with open(target + ".part", "w") as f:
        f.writelines(lines)
    os.replace(target + ".part", target)
    records = sorted(name for name in os.listdir(path) if name.endswith(".txt"))
    for name in records[:-KEEP]:
        try:
            os.remove(os.path.join(path, name))
        except OSError:
            pass


def clean_tests(path):
    """The node ids the first halves recorded clean (and none dirty) in ``path``."""
    clean, dirty = set(), set()
    try:
        names = os.listdir(path)
    except OSError:
        return set()
    for name in names:
        if not name.endswith(".txt"):
            continue
        try:
            with open(os.path.join(path, name)) as f:
                text = f.read()
        except OSError:             # removed by a newer first half meanwhile:
            return set()            # (its dirty lines unread) leave out nothing
        for line in text.splitlines():
            state, _, nodeid = line.partition(" ")
            (clean if state == "clean" else dirty).add(nodeid)
    if "*" in dirty:
        return set()
    return clean - dirty


def names_the_engine(path, _seen={}):
    """Whether the module file at ``path`` names the engine or its flags in its code: a
    name of :data:`NAMED` (whole: ``small_engine`` is not ``_engine``; an import's module,
    an attribute, a variable, an argument) or a string that :data:`NAMES` finds (code a
    child process runs, an environment's key).  Comments and docstrings say nothing a
    test runs (``tests/conftest.py`` in a comment kept 14 test files in the second half);
    a file that cannot be read or parsed names it."""
    if path not in _seen:
        try:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            _seen[path] = True
        else:
            _seen[path] = any(word in NAMED if text is None else NAMES.search(text) is not None
                              for word, text in _words(tree))
    return _seen[path]


def _words(tree):
    """``(name, None)`` for each name in the code of ``tree``, ``(None, text)`` for
    each string constant that is not a docstring (one holding a doctest is code)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0].value if node.body and isinstance(node.body[0], ast.Expr) \
                else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and \
                    ">>>" not in first.value:
                docstrings.add(id(first))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id, None
        elif isinstance(node, ast.Attribute):
            yield node.attr, None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, None
        elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
            yield node.arg, None
        elif isinstance(node, (ast.alias, ast.ImportFrom)):
            for dotted in (getattr(node, "name", None), getattr(node, "module", None),
                           getattr(node, "asname", None)):
                for word in (dotted or "").split("."):
                    yield word, None
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in docstrings:
            yield None, node.value
