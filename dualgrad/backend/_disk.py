"""Code dualgrad generates, kept on disk between processes.

dualgrad writes Python source at run time (a scalar dual class per number of partials,
fused kernels per expression structure).  Compiling that source is a fixed cost of a
process's first call: the scalar class for four partials is 100 kB of source, 25-30 ms
of ``compile`` on a quiet machine.  :func:`compiled` keeps the code object, marshalled,
under the hash of its source, so a later process with the same source loads it in well
under a millisecond; a different source (another dualgrad version, another rule table)
has another hash, so nothing stale is ever read.  Each file carries a digest of its
bytes, checked before they are unmarshalled: a damaged file is compiled again and
rewritten, never run.  A read-only cache is read; where none exists and none can be
made the source is compiled as before.  :func:`read_blob` / :func:`write_blob` keep
other bytes the same way under a key their caller builds (numba's runtime library,
``_jit``).

The directory is ``$NUMBA_CACHE_DIR``, else ``$XDG_CACHE_HOME``, else ``~/.cache``, with
a folder per kind of code in it.
"""

import os
import sys
from pathlib import Path

_directories = {}           # folder name -> (Path or None, writable)
_MAGIC = b"dualgrad-code 1\n"   # then the payload's 16-byte BLAKE2 digest, then the payload


def _directory(name):
    """``(path, writable)``: the folder ``name`` under the cache root, ``path`` ``None``
    where it is not a directory and cannot be made one; a read-only folder that
    exists is still read (a cache shipped read-only), never written."""
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
            found = path, True
        except OSError:
            found = (path if path.is_dir() else None), False
        _directories[name] = found
    return found


def loaded_bytes(paths):
    """The bytes of the files ``paths`` (dualgrad's own source, which generated code is
    keyed by), or ``None`` where one cannot be read or was changed after this process
    began importing dualgrad (:data:`dualgrad._import_time.STARTED_NS`): its text on
    disk is then not the code this process runs, and a key made of it would file this
    process's generated code under the new code's name for every later process to read
    (attack60 06: an upgrade under a running process left the old rule in every new
    one).  The change time (``st_ctime``) is asked, not the modification time, which an
    upgrade may carry over from its package (``tar x``, ``cp -p``, ``rsync -a``: attack60
    06c); a file changed since is its process's loss: it generates without the cache.
    """
    from .._import_time import STARTED_NS
    texts = []
    try:
        for path in paths:
            with open(path, "rb") as fh:
                if os.fstat(fh.fileno()).st_ctime_ns > STARTED_NS:
                    return None
                texts.append(fh.read())
    except OSError:
        return None
    return texts


def cache_directory(name):
    """A writable directory ``name`` under the cache root, or ``None``."""
    path, writable = _directory(name)
    return path if writable else None


def _digest(payload):
    import hashlib
    return hashlib.blake2b(payload, digest_size=16).digest()


def _verified(path):
    """The payload of the file ``path``, or ``None`` when it is missing, damaged (its
    digest does not match: a flipped bit in a constant would be a wrong number, a
    damaged opcode a crash, so nothing unverified reaches ``marshal`` or numba) or
    not ours."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC)
    payload = data[head + 16:]
    if data[:head] != _MAGIC or data[head:head + 16] != _digest(payload):
        return None
    return payload


def _load(path, filename):
    """The code object in ``path``, or ``None`` (see :func:`_verified`; also a
    payload of another Python, or of another name)."""
    import marshal
    payload = _verified(path)
    if payload is None:
        return None
    try:
        code = marshal.loads(payload)
    except Exception:       # noqa: BLE001 (verified bytes of another Python: compile)
        return None
    return code if getattr(code, "co_filename", None) == filename else None


def _store(directory, path, payload):
    """Write ``payload`` (bytes) to ``path`` with its digest, atomically (a temporary
    file renamed over it); a failure leaves neither the file nor the temporary
    behind."""
    import tempfile
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + _digest(payload) + payload)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _blob_path(key):
    """``(directory, writable, path, stamp)`` of the blob kept under ``key`` (a str):
    ``stamp``, the key's full digest, opens the file's payload, so a file moved or
    copied to another key's name (two valid blobs swapped) is not taken for it."""
    import hashlib
    directory, writable = _directory("dualgrad-code")
    stamp = hashlib.sha256(key.encode()).digest()
    if directory is None:
        return None, False, None, stamp
    return directory, writable, directory / f"{stamp.hex()[:24]}.blob", stamp


def read_blob(key):
    """The bytes :func:`write_blob` kept under ``key`` in this or an earlier process,
    or ``None`` (none kept, no cache directory, the file damaged -- its digest is
    checked -- or written under another key).  ``key`` must name everything the bytes
    depend on (versions, CPU)."""
    directory, writable, path, stamp = _blob_path(key)
    payload = None if path is None else _verified(path)
    if payload is None or payload[:len(stamp)] != stamp:
        return None
    return payload[len(stamp):]


def write_blob(key, payload):
    """Keep ``payload`` (bytes) under ``key`` for :func:`read_blob`, where the cache
    directory is writable (else nothing is written)."""
    directory, writable, path, stamp = _blob_path(key)
    if writable:
        _store(directory, path, stamp + payload)


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
    directory, writable = _directory("dualgrad-code")
    if directory is None:
        return compile(source, filename, "exec")
    key = hashlib.sha1(f"{filename}\0{source}".encode()).hexdigest()[:24]
    path = directory / f"{key}.{sys.implementation.cache_tag}.marshal"
    code = _load(path, filename)
    if code is None:
        import marshal
        code = compile(source, filename, "exec")
        if writable:
            _store(directory, path, marshal.dumps(code))
    return code
