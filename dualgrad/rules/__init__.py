"""The rules wing, at the bottom: the rule table (``_table``), one entry per ufunc
with its local derivatives as expressions over ``x``, ``y`` and ``out``, and the one
parser of those expressions (``_expr``), which emits the Python, ``math``, numba and
kernel source the other wings use.  Every other wing reads derivatives from here,
never the strings themselves; this wing imports nothing of dualgrad's but ``errors``."""
