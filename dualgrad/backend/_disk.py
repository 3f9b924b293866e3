"""Code dualgrad generates, kept on disk between processes.

dualgrad writes Python source at run time (a scalar dual class per number of partials,
fused kernels per expression structure).  Compiling that source is a fixed cost of a
process's first call: the scalar class for four partials is 100 kB of source, 25-30 ms
of ``compile`` on a quiet machine.  :func:`compiled` keeps the code object, marshalled,
under the hash of its source, so a later process with the same source loads it in well
under a millisecond; a different source (another dualgrad version, another rule table)
has another hash, so nothing stale is ever read.  Where no directory is writable the
source is compiled as before.

The directory is ``$NUMBA_CACHE_DIR``, else ``$XDG_CACHE_HOME``, else ``~/.cache``, with
a folder per kind of code in it.
"""

import os
import sys
from pathlib import Path

_directories = {}           # folder name -> Path, or False where none is writable


def cache_directory(name):
    """A writable directory ``name`` under the cache root, or ``None``."""
    found = _directories.get(name)
    if found is None:
        import tempfile
        base = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or \
            os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / name
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path):
                pass
            found = path
        except OSError:
            found = False
        _directories[name] = found
    return found or None


def compiled(source, filename):
    """``compile(source, filename, "exec")``, read from the disk cache when an earlier
    process compiled the same source with the same Python.

    Parameters
    ----------
    source : str
        Python source of a module.
    filename : str
        The name its code objects carry (tracebacks, profiles).

    Returns
    -------
    code
        The module's code object.

    Examples
    --------
    >>> code = compiled("x = 6 * 7", "<example>")
    >>> namespace = {}
    >>> exec(code, namespace)
    >>> namespace["x"]
    42
    """
    import hashlib
    import marshal
    directory = cache_directory("dualgrad-code")
    if directory is None:
        return compile(source, filename, "exec")
    digest = hashlib.sha1(f"{filename}\0{source}".encode()).hexdigest()[:24]
    path = directory / f"{digest}.{sys.implementation.cache_tag}.marshal"
    try:
        code = marshal.loads(path.read_bytes())
        if code.co_filename == filename:
            return code
    except (OSError, EOFError, ValueError, TypeError, AttributeError):
        pass
    code = compile(source, filename, "exec")
    try:
        import tempfile
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(code))
        os.replace(tmp, path)
    except OSError:
        pass
    return code
