"""The api wing, at the top: what users call.  Seeding and extraction (``_seed``),
the helpers (``helpers``: derivative, gradient, jacobian, hessian, jvp,
approx_fprime), transforms (``transforms``: grad, value_and_grad,
elementwise_grad), threads and processes (``_parallel``), sparsity detection and
coloring (``_sparsity``, ``_coloring``, ``_coloring_kernels``), pytrees (``_tree``),
the plain value of a dual (``_stop``: stop_gradient) and argument checks
(``_validate``).  The public names are re-exported by :mod:`dualgrad`."""
