"""When this process began reading dualgrad's files.

Imported first by the package, before any module that writes or keys generated code,
so :data:`STARTED_NS` precedes every read of the package's source.  Code dualgrad
generates is kept on disk under keys made of its source files' text; a file written
after this time (an upgrade or a ``git pull`` under a running process) is not the text
this process runs, and keying this process's code by it would hand the old code to
every later process of the new one (attack60 06).  :func:`dualgrad.backend._disk.loaded_bytes`
reads the files and tells them apart.
"""

import time

#: ``time.time_ns()`` as the package's import began (the clock of files' change times).
STARTED_NS = time.time_ns()
