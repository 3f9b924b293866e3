"""The second half of README's test command runs what the first half saw depend on it.

README's command runs the suite with ``DUALGRAD_ENGINE=fused``, then with
``DUALGRAD_ENGINE=eager``.  The variable reaches the code through one place
(tests/conftest.py's docstring): the two flags ``_fused._update`` derives from it
(``_fused.ACTIVE``: defer now?, from how many partials elements), read while a helper
call runs outside every ``dg.engine`` block.  The first half records, for every test
it ran, whether a read of those flags there *answered otherwise than the eager
engine's flags would have* -- in its setup, its call, its teardown, any fixture of a
wider scope it uses, the import of its module -- or whether it started another
process (whose code reads the variable itself); the second half, on the same tree,
deselects the tests that passed in the first half with no such read, and runs every
other test: those with a read that differed, failed or were not recorded, and every
test whose code names the variable or the engine (it may choose by itself): a
module-level test function that names it, every test of a module that names it
elsewhere (:func:`named_tests`; the module's other tests name nothing of it, nor
does module code they may run, and do not depend on that test having run, as ``-n``
assumes of every test).  A test file all of whose tests
the first half collected and ran clean is not even collected by the second half
(:func:`read`: ``file`` lines count what each file collected): each of its tests would
be deselected, and the file collects the same tests in both halves (the same tree
and environment; a module whose import read a flag otherwise is dirty whole; xdist
itself fails a run whose workers collected different tests).

Why a test recorded clean runs the same code in the second half.  The two halves'
processes differ in one input, the variable, which ``_fused`` reads once, at import,
into ``_DEFAULT`` and ``_engine`` (the engine in force: a ``dg.engine`` block's name
in both halves inside one, ``_DEFAULT`` outside every block).  dualgrad reads those
two names only in ``_update`` (the one writer of ``ACTIVE``), ``engine``,
``current`` (which dualgrad never calls: a test module that does names the engine),
the import's check of the name and ``_engine == "auto"`` (False in both halves); it
reads ``ACTIVE`` only by a subscript in a truth test or a comparison
(tests/test_halves.py checks all of this in dualgrad's code).  Follow the test's
execution in both halves side by side.  Up to the first read of a flag, the same
statements run on the same data, so the inputs of ``_update`` other than ``_engine``
(``_depth``, ``_exposed``, ``_declined``, ``MIN_WORK``) hold the same values in both;
at each ``_update`` in a helper call outside every block, the eager half's flags are
therefore what ``_update`` computes with ``_engine`` set to ``"eager"`` and the rest as
the first half has them -- which :meth:`Recorder.eager` computes, by running the same
``_update`` so.  A flag whose value equals that one answers every read as the eager
half's does; any other is wrapped in a :class:`Flag` that answers with the first
half's value and compares the answer with the eager value's: where they agree, both
halves take the same branch, and the induction goes on to the next read (in a block,
or outside helper calls, both halves' flags come from the same inputs too: deferral
off outside a helper in every engine, and dualgrad reads the size flag only behind
the deferral flag or on partials only deferral makes).  So a test whose every read
agreed ran, in the first half, the statements the second half would run: its outcome
there is the second half's (tests do not depend on which tests ran before them,
what ``-n`` already assumes).  A :class:`Flag` used otherwise than a truth test or a
comparison raises TypeError and the test fails, so it runs again.

One kind of differing read is followed through instead of noted (:func:`_exposure`,
stop 73): a read of an array dual's ``partials`` whose partials are concrete, with
nothing pending.  The first half calls ``_fused.read`` there, which returns the same
array the eager half's property returns, and, for a reader outside dualgrad, turns
deferral off for the rest of the outermost helper call (``_exposed``): from then on
``ACTIVE[0]`` is the eager half's value, and the induction goes on with ``_exposed``
the one input of ``_update`` that differs -- one the eager engine's ``_update`` does
not use.  (Of the 1,203 tests of seven test files with a differing read, 256 met no
other: test_quant43's tied means, np.quantile reading its argument's partials.)

Fewer reads to judge (stop 74): where dualgrad asks the deferral flag before tests
that compute nothing and send the case to the eager half's statements anyway (the
operands' kinds, concrete partials below ``backend.small``, a result that is not a
float64 array, a reader inside dualgrad), the flag is read after them; a case they
decline reads no flag in either half, and a case they pass reads it as before.  (Of
the 957 tests of those seven files the record kept for the second half, 552 read
only such flags: np.quantile's order statistics, ``x * x`` and ``c * x`` of concrete
partials, the Hessians' scalar results.)

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
import types

import numpy as np

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
WHOLE_KEY = "dualgrad_whole"        # and the test files it does not collect


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


EVERY = object()    # a :class:`Flag`'s ``eager`` that notes every read (conftest's watch)
_TRUTHS = (bool, np.bool_)


def _agree(got, eager):
    """Whether two answers of one read are the same truth value (anything else, an array
    of them say, is taken as differing)."""
    return type(got) in _TRUTHS and type(eager) in _TRUTHS and bool(got) == bool(eager)


def _same(value, eager):
    """Whether a flag's value is the eager engine's (a :class:`Flag` by its value)."""
    while type(value) is Flag:
        value = value.value
    return type(value) is type(eager) and value == eager


class Flag:
    """A flag of ``_fused.ACTIVE`` as the variable's engine set it (``value``) beside what
    the eager engine's ``_update`` set in its place (``eager``); a read whose answer
    differs from the answer ``eager`` gives calls ``note`` (the recorder's ``mark``), and
    with ``eager`` :data:`EVERY` each read does (conftest's engine_independent watch).
    Only truth tests and ``< <= > >= == !=`` answer: anything else a flag meets (``+``,
    ``int()``, an index) raises TypeError, and the test fails, so it runs again."""

    __slots__ = ("value", "note", "eager")
    __hash__ = None

    def __init__(self, value, note, eager=EVERY):
        self.value, self.note, self.eager = value, note, eager

    def __bool__(self):
        got = bool(self.value)
        if self.eager is EVERY or got != bool(self.eager):
            self.note()
        return got

    def __lt__(self, other):
        got = self.value < other
        if self.eager is EVERY or not _agree(got, self.eager < other):
            self.note()
        return got

    def __le__(self, other):
        got = self.value <= other
        if self.eager is EVERY or not _agree(got, self.eager <= other):
            self.note()
        return got

    def __gt__(self, other):
        got = self.value > other
        if self.eager is EVERY or not _agree(got, self.eager > other):
            self.note()
        return got

    def __ge__(self, other):
        got = self.value >= other
        if self.eager is EVERY or not _agree(got, self.eager >= other):
            self.note()
        return got

    def __eq__(self, other):
        got = self.value == other
        if self.eager is EVERY or not _agree(got, self.eager == other):
            self.note()
        return got


class Recorder:
    """The first half's record: what read the flags, or started a process, while
    which test, fixture of a wider scope, or module collection was running."""

    def __init__(self):
        self.stack = []                 # (kind, name): "item" / "fixture" / "collector"
        self.dirty = set()              # (kind, name) that read a flag or spawned
        self.everything = False         # a read outside every phase: nothing is clean
        self.ran = []                   # (nodeid, fixture names)
        self.bad = set()                # not passed in every phase
        self.collected = {}             # test file -> how many tests it collected
        self.exposures = 0              # differing reads :func:`_exposure` let pass
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
        """``_fused._update`` in the first half: the writer, then, inside a helper call
        outside every ``dg.engine`` block, each flag whose value is not the one the
        eager engine's ``_update`` sets in this state (:meth:`eager`) becomes a
        :class:`Flag` of the two (a flag equal to it answers every read as the eager
        half's does); nothing in a phase already dirty."""
        from dualgrad.backend import _fused
        self._real()
        if _fused._depth == 0 or _fused._BLOCKS or \
                self.stack and self.dirty.issuperset(self.stack):
            return
        active = _fused.ACTIVE
        now = active[0], active[1]
        eager = self.eager(_fused)
        for k in (0, 1):
            if not _same(now[k], eager[k]):
                active[k] = Flag(now[k], self._differed, eager[k])

    def _differed(self):
        """A read answered otherwise than the eager engine's flags would have: noted
        (:meth:`mark`), unless it is one of a read of ``partials`` that leaves the eager
        half's statements to run (:func:`_exposure`)."""
        if _exposure(sys._getframe(1)):
            self.exposures += 1
        else:
            self.mark()

    def eager(self, _fused):
        """``_fused.ACTIVE`` as ``_update`` sets it with the eager engine in force and
        the rest of its inputs as they are now: ``_update``'s own code run on a copy of
        the globals it reads, ``_engine`` eager there and ``ACTIVE`` a list of its own
        (nothing another thread reads changes meanwhile)."""
        code, space = self._writer.__code__, self._writer.__globals__
        names = {name: space[name] for name in code.co_names if name in space}
        names.update(__builtins__=space["__builtins__"], _engine=SECOND, ACTIVE=[None, None])
        types.FunctionType(code, names)()
        return names["ACTIVE"][0], names["ACTIVE"][1]

    def install(self):
        """Watches the flags (``_fused._update``, the one writer) and process starts
        (subprocess, multiprocessing, ``os.fork``, ``posix_spawn``, ``os.system``)."""
        import _posixsubprocess
        import subprocess
        from dualgrad.backend import _fused
        self._real = _fused._update
        outer = getattr(self._real, "__self__", None)     # (a recorder installed already)
        self._writer = outer._writer if isinstance(outer, Recorder) else self._real
        _fused._update = self._watched
        self._undo = [(_fused, "_update", self._real)]

        def spawning(real):
            def spawn(*args, **kwargs):
                if not _system_tool():
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
        """Puts back what :meth:`install` replaced, and the flags' own values in
        place of its :class:`Flag` objects (the tests of this module)."""
        from dualgrad.backend import _fused
        for module, name, real in reversed(self._undo):
            setattr(module, name, real)
        self.installed = False
        for k in (0, 1):
            flag = _fused.ACTIVE[k]
            if type(flag) is Flag and flag.note in (self.mark, self._differed):
                _fused.ACTIVE[k] = flag.value

    def report(self, report):
        if report.outcome != "passed" or hasattr(report, "wasxfail"):
            self.bad.add(report.nodeid)

    def collect(self, nodeid):
        """Counts a test collected (before any is deselected) in its file."""
        path = nodeid.partition("::")[0]
        self.collected[path] = self.collected.get(path, 0) + 1

    def lines(self):
        """This process's record: ``clean NODEID`` / ``dirty NODEID`` lines,
        ``dirty *`` where a read fell outside every phase, and ``file COUNT PATH``: how
        many tests the file collected."""
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
        lines += [f"file {count} {path}\n" for path, count in sorted(self.collected.items())]
        return lines


def _exposure(frame):
    """Whether the differing read of a flag made from ``frame`` (a :class:`Flag`'s
    method's; the read's own frame is the first one above this module's) is one of those
    of a read of an array dual's ``partials`` that leave the statements the eager half
    runs: in the property (``ArrayDual.partials``: concrete partials, deferring on, so it
    calls ``backend.read_partials`` -- ``_fused.read`` -- where the eager half returns
    them), or in ``_fused.read`` with nothing pending (``_fused.PENDING`` empty) and the
    dual's partials concrete.  Followed through (tests/test_halves.py pins both
    functions' code): ``read`` returns the very array the eager half's property returns;
    what else it does, for a reader outside dualgrad, is ``flush()`` (nothing pending:
    it returns at once) and ``_exposed = True`` then ``_update()``, which turns
    deferral off (``ACTIVE[0]`` false, the eager half's value) until the outermost
    helper call ends (``end`` puts ``_exposed`` back).  ``_exposed`` is read by
    ``_update`` alone, and with the eager engine ``_update`` sets the same flags
    whatever it holds, so the eager half's flags are still what :meth:`Recorder.eager`
    computes; ``ACTIVE[1]`` (0 under ``fused``) stays wrapped and its reads judged."""
    here = frame.f_code.co_filename
    while frame is not None and frame.f_code.co_filename == here:
        frame = frame.f_back
    if frame is None:
        return False
    from dualgrad.backend import _fused
    from dualgrad.dual import _array
    code = frame.f_code
    if code is _array.ArrayDual.partials.fget.__code__:
        return True
    if code is _fused.read.__code__:
        dual = frame.f_locals.get("dual")
        return not _fused.PENDING and type(getattr(dual, "_p", None)) is np.ndarray
    return False


def _system_tool():
    """Whether the process being started is one ``ctypes.util.find_library`` runs
    (``ldconfig -p``, gcc / cc, ld, objdump: system tools that run no Python and read
    no variable of ours).  dualgrad/backend/_numpy_loops.py asks it for libm at its
    import, which, outside every phase (a doctest module's collection), made every
    test dirty."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "ctypes.util":
            return True
        frame = frame.f_back
    return False


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
    return read(path)[0]


def read(path):
    """``(clean, whole)``: the node ids the first halves recorded clean (and none
    dirty) in ``path``, and the test files all of whose tests are among them (each
    record that counted the file's tests counted as many, and that many are clean: a
    test the first half left out, a marked one of the second half, was not run there,
    so its file is not whole)."""
    clean, dirty, counts = set(), set(), {}
    try:
        names = os.listdir(path)
    except OSError:
        return set(), set()
    for name in names:
        if not name.endswith(".txt"):
            continue
        try:
            with open(os.path.join(path, name)) as f:
                text = f.read()
        except OSError:             # removed by a newer first half meanwhile:
            return set(), set()     # (its dirty lines unread) leave out nothing
        for line in text.splitlines():
            state, _, nodeid = line.partition(" ")
            if state == "file":
                count, _, file = nodeid.partition(" ")
                counts.setdefault(file, set()).add(int(count))
            else:
                (clean if state == "clean" else dirty).add(nodeid)
    if "*" in dirty:
        return set(), set()
    clean -= dirty
    per_file = {}
    for nodeid in clean:
        file = nodeid.partition("::")[0]
        per_file[file] = per_file.get(file, 0) + 1
    whole = {file for file, seen in counts.items()
             if len(seen) == 1 and per_file.get(file, 0) == next(iter(seen))}
    return clean, whole


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
            _seen[path] = _names(_words(tree))
    return _seen[path]


def named_tests(path, _seen={}):
    """The module-level test functions of the test file at ``path`` that name the engine
    (as :func:`names_the_engine` reads names), or ``None`` where the module names it
    outside them: in a fixture, a helper, a class, a constant, its import -- code its
    other tests may run -- or where such a function is named elsewhere in the module
    (another test may call it) or declares a global (it may change the module's state);
    a file that cannot be read or parsed: ``None``.  The module's other tests name
    nothing of the engine, nor does anything of the module they may run: the record
    judges them (conftest's ``pytest_collection_modifyitems``)."""
    if path not in _seen:
        try:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            _seen[path] = None
        else:
            _seen[path] = _named_functions(tree)
    return _seen[path]


def _names(words):
    return any(word in NAMED if text is None else NAMES.search(text) is not None
               for word, text in words)


def _named_functions(tree):
    named = set()
    for node in tree.body:
        if not _names(_words(tree, node)):
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or \
                not node.name.startswith("test") or \
                any(isinstance(n, (ast.Global, ast.Nonlocal)) for n in ast.walk(node)):
            return None
        named.add(node.name)
    for node in tree.body:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id in named and not (
                    isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and
                    node.name == n.id) or isinstance(n, ast.Attribute) and n.attr in named:
                return None
    return frozenset(named)


def _words(tree, within=None):
    """``(name, None)`` for each name in the code of ``tree`` (of its part ``within``),
    ``(None, text)`` for each string constant that is not a docstring (one holding a
    doctest is code)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0].value if node.body and isinstance(node.body[0], ast.Expr) \
                else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and \
                    ">>>" not in first.value:
                docstrings.add(id(first))
    for node in ast.walk(tree if within is None else within):
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
