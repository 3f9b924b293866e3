"""The rules wing, at the bottom: the rule table (``_table``), one entry per ufunc
with its local derivatives as expressions over ``x``, ``y`` and ``out``.  Every
other wing reads derivatives from here; this wing imports nothing of dualgrad's
but ``errors``."""
