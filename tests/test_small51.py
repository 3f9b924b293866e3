"""Element and slice writes of array duals in day loops (issue 13, small51).

``d[i:j] = e`` (a slice key, ``e`` an array dual of ``d``'s live tag, both holding
float64 values and partials) writes the value and the partials arrays directly (the
general lines' float64 case written out: no ``_check_index`` / ``_partials_index`` /
``_plain`` / ``same_directions`` calls), as a unit hydrograph's shift
``uh[:-1] = uh[1:] + o[:-1] * w`` does every day (userhydro50's GR4J).

Oracles, independent of the code under test: NumPy's own assignment on copies of the
value and partials arrays (a write is two copies: every bit and NumPy's overlap
handling), NumPy's errors, and closed forms: a shift register run over a series is the
convolution ``q[t] = sum_k o[k] u[t - k]`` (Jacobian: Toeplitz in ``o`` and in ``u``;
Hessian of ``sum(w * q)``: ``w[s + k]``).
"""

import threading

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _snapshots
from dualgrad.dual._base import new_tag
from _probes import python_calls

RNG = np.random.default_rng(51)


def _dual(x, n=3, layout="C", tag=None):
    x = np.asarray(x, dtype=float)
    p = RNG.standard_normal(x.shape + (n,))
    if layout == "F":
        p = np.asfortranarray(p)
    elif layout == "reversed":
        p = p[::-1]
    elif layout == "strided":
        p = np.repeat(p, 2, axis=0)[::2]
    return dg.Dual(x.copy(), p, tag=new_tag() if tag is None else tag)


def _arrays(d):
    return np.array(d.value, copy=True), np.array(d.partials, copy=True)


def _bits(x, y):
    x, y = np.asarray(x), np.asarray(y)
    assert x.shape == y.shape and x.dtype == y.dtype
    assert x.tobytes() == y.tobytes(), (x, y)


# ---- the path -------------------------------------------------------------------
def test_a_slice_write_of_a_fresh_dual_takes_no_general_step():
    """Fails before small51: the general lines' helpers ran for every slice write."""
    tag = new_tag()
    uh, o = _dual([1.0, 2.0, 3.0, 4.0], tag=tag), _dual([0.5, 0.25, 0.125, 0.0625], tag=tag)
    w = uh[1:] + o[:-1] * 0.9
    # (no np.asarray snapshot of another test's dual alive in this worker: with one, every
    # store checks it first, check_write, as it should; the order xdist gave made it flaky)
    live = dict(_snapshots.LIVE)
    _snapshots.LIVE.clear()
    try:
        calls = python_calls(lambda: uh.__setitem__(slice(None, -1), w))
    finally:
        _snapshots.LIVE.update(live)
    assert calls == ["<lambda>", "__setitem__"], calls


def test_a_slice_write_of_a_view_tests_onto_itself_first():
    tag = new_tag()
    uh = _dual([1.0, 2.0, 3.0, 4.0], tag=tag)
    view = uh[1:]
    calls = python_calls(lambda: uh.__setitem__(slice(None, -1), view))
    assert "_onto_itself" in calls and "_plain" not in calls, calls


# ---- the bits: NumPy's assignment on the two arrays -----------------------------
KEYS = [slice(None, -1), slice(1, None), slice(None), slice(2, 5), slice(None, None, 2),
        slice(None, None, -1), slice(6, 1, -2), slice(3, 3), slice(-4, None), slice(0, 100)]


@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("key", KEYS, ids=repr)
@pytest.mark.parametrize("n", [1, 3, 17])
def test_fresh_item_bits(layout, key, n):
    tag = new_tag()
    d = _dual(RNG.uniform(-2, 2, 8), n, layout, tag)
    size = len(np.empty(8)[key])
    e = _dual(RNG.uniform(-2, 2, size), n, tag=tag) * 1.5
    v, p = _arrays(d)
    v[key], p[key] = e.value, e.partials
    d[key] = e
    _bits(d.value, v)
    _bits(d.partials, p)


@pytest.mark.parametrize("dest, source", [
    (slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)),
    (slice(None, None, -1), slice(None)), (slice(None), slice(None)),
    (slice(2, 6), slice(0, 4)), (slice(0, 4), slice(2, 6)), (slice(None, None, 2), slice(1, None, 2)),
    (slice(None, 4), slice(None, None, -2))], ids=repr)
def test_overlapping_views_of_itself_are_numpys_copies(dest, source):
    """``d[a] = d[b]``: NumPy buffers an overlap; the dual's two writes do too."""
    d = _dual(RNG.uniform(-2, 2, 8), 4)
    v, p = _arrays(d)
    v[dest], p[dest] = v[source].copy(), p[source].copy()
    d[dest] = d[source]
    _bits(d.value, v)
    _bits(d.partials, p)


def test_itself_whole_and_reversed():
    d = _dual(RNG.uniform(-2, 2, 6), 3)
    v, p = _arrays(d)
    d[:] = d
    _bits(d.value, v)
    _bits(d.partials, p)
    d[::-1] = d
    _bits(d.value, v[::-1])
    _bits(d.partials, p[::-1])


def test_a_write_through_a_view_reaches_the_base_and_other_views():
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 8), 3, tag=tag)
    b, c = a[1:5], a[3:]
    e = _dual([7.0, 8.0], 3, tag=tag) * 1.0
    v, p = _arrays(a)
    v[1:3], p[1:3] = e.value, e.partials
    b[:2] = e
    _bits(a.value, v)
    _bits(a.partials, p)
    _bits(c.value, v[3:])
    _bits(c.partials, p[3:])


def test_an_element_read_before_the_write_keeps_its_numbers():
    """Scalar duals are copies (NumPy's x[3] is): a later write must not change them."""
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 6), 4, tag=tag)
    e, s = a[1], a[1:3]
    value, row = e.value, e._plist()
    v, p = _arrays(a)
    a[:-1] = a[1:] * 2.0
    assert e.value == value and e._plist() == row
    _bits(s.value, 2.0 * v[2:4])            # a slice is NumPy's view: it follows
    _bits(s.partials, 2.0 * p[2:4])
    assert a[1].value == 2.0 * v[2] and a[1]._plist() == (2.0 * p[2]).tolist()


def test_broadcast_of_one_element_and_of_a_0d_dual():
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 6), 3, tag=tag)
    one = _dual([5.0], 3, tag=tag) * 1.0
    v, p = _arrays(a)
    v[1:4], p[1:4] = one.value, one.partials
    a[1:4] = one
    _bits(a.value, v)
    _bits(a.partials, p)
    zero_d = dg.Dual(np.array(9.0), RNG.standard_normal(3), tag=tag)
    v[::2], p[::2] = zero_d.value, zero_d.partials
    a[::2] = zero_d
    _bits(a.value, v)
    _bits(a.partials, p)


def test_two_dimensional_rows():
    tag = new_tag()
    A = _dual(RNG.uniform(-2, 2, (4, 3)), 2, tag=tag)
    v, p = _arrays(A)
    v[1:], p[1:] = v[:-1].copy(), p[:-1].copy()
    A[1:] = A[:-1]
    _bits(A.value, v)
    _bits(A.partials, p)
    B = _dual(RNG.uniform(-2, 2, (2, 3)), 2, tag=tag) * 1.0
    v[:2], p[:2] = B.value, B.partials
    A[:2] = B
    _bits(A.value, v)
    _bits(A.partials, p)


# ---- refusals and errors: NumPy's, nothing written --------------------------------
def test_shape_mismatch_is_numpys_error_and_writes_nothing():
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 6), 3, tag=tag)
    e = _dual([1.0, 2.0], 3, tag=tag) * 1.0
    v, p = _arrays(a)
    with pytest.raises(ValueError) as ours:
        a[0:3] = e
    with pytest.raises(ValueError) as numpys:
        v.copy()[0:3] = e.value
    assert str(ours.value) == str(numpys.value)
    _bits(a.value, v)
    _bits(a.partials, p)


def test_other_directions_are_refused_and_write_nothing():
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 6), 3, tag=tag)
    e = _dual([1.0, 2.0], 2, tag=tag) * 1.0
    v, p = _arrays(a)
    with pytest.raises(ValueError, match="direction"):
        a[0:2] = e
    _bits(a.value, v)
    _bits(a.partials, p)


def test_read_only_values_are_numpys_error():
    tag = new_tag()
    a = _dual(RNG.uniform(-2, 2, 6), 3, tag=tag)
    a.value.flags.writeable = False
    v, p = _arrays(a)
    with pytest.raises(ValueError, match="read-only"):
        a[1:3] = a[2:4] * 1.0
    _bits(a.value, v)
    _bits(a.partials, p)


def test_an_escaped_buffer_is_refused():
    box = []

    def f(x):
        box.append(x * 1.0)
        return x.sum()
    dg.gradient(f, np.ones(3))
    with pytest.raises(TypeError, match="escaped|finished"):
        box[0][:2] = box[0][1:]


def test_complex_and_float32_go_the_general_way_with_numpys_numbers():
    tag = new_tag()
    z = dg.Dual(RNG.uniform(-1, 1, 5) + 1j * RNG.uniform(-1, 1, 5),
                RNG.standard_normal((5, 2)) + 0j, tag=tag)
    v, p = _arrays(z)
    v[:-1], p[:-1] = v[1:].copy(), p[1:].copy()
    z[:-1] = z[1:]
    _bits(z.value, v)
    _bits(z.partials, p)
    f = dg.Dual(RNG.uniform(-1, 1, 5).astype(np.float32), RNG.standard_normal((5, 2)), tag=tag)
    v, p = _arrays(f)
    v[:-1], p[:-1] = v[1:].copy(), p[1:].copy()
    f[:-1] = f[1:]
    np.testing.assert_array_equal(np.asarray(f.value, dtype=float), v.astype(float))
    np.testing.assert_array_equal(f.partials, p)


# ---- derivatives: the shift register is a convolution -----------------------------
def _register(u, o):
    """GR4J's unit hydrograph: q[t] = sum_k o[k] u[t - k] by a day loop over a buffer."""
    m = len(o)
    uh = np.zeros_like(u, shape=m)
    q = np.zeros_like(u, shape=len(u))
    for t in range(len(u)):
        uh[:-1] = uh[1:] + o[:-1] * u[t]
        uh[-1] = o[-1] * u[t]
        q[t] = uh[0]
    return q


def _split(m):
    return lambda z: _register(z[:-m], z[-m:])


@pytest.mark.parametrize("T, m", [(6, 2), (9, 4), (5, 5)])
def test_register_jacobian_is_toeplitz(T, m):
    u, o = RNG.uniform(0.1, 2, T), RNG.uniform(0.1, 1, m)
    J = dg.jacobian(_split(m), np.concatenate([u, o]))
    want = np.zeros((T, T + m))
    for t in range(T):
        for k in range(m):
            if t - k >= 0:
                want[t, t - k] = o[k]
                want[t, T + k] = u[t - k]
    np.testing.assert_allclose(J, want, rtol=1e-15, atol=0)
    np.testing.assert_allclose(dg.stop_gradient(_split(m)(np.concatenate([u, o]))),
                               np.convolve(u, o)[:T], rtol=1e-14)


def test_register_hessian_closed_form():
    T, m = 7, 3
    u, o, w = RNG.uniform(0.1, 2, T), RNG.uniform(0.1, 1, m), RNG.uniform(-1, 1, T)
    H = dg.hessian(lambda z: np.sum(w * _split(m)(z)), np.concatenate([u, o]))
    want = np.zeros((T + m, T + m))
    for s in range(T):
        for k in range(m):
            if s + k < T:
                want[s, T + k] = want[T + k, s] = w[s + k]
    np.testing.assert_allclose(H, want, rtol=1e-14, atol=1e-15)


def test_writes_into_the_seed_itself_drop_its_kept_elements():
    """x[:-1] = x[1:] * 2 inside a pass: a later x[0] is the new element, not the kept one."""
    def f(x):
        first = x[0]
        x[:-1] = x[1:] * 2.0
        return first + 10.0 * x[0] + 100.0 * x[2]
    g = dg.gradient(f, np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(g, [1.0, 20.0, 0.0, 200.0])


def test_large_arrays_with_pending_expressions():
    """Fused engine: an expression deferred over ``a`` sees ``a`` as it was."""
    N = 3000

    def f(x):
        a = x * 1.0
        y = a * 3.0                     # may be pending (fused) when a is written
        a[:-1] = a[1:] * 2.0
        return y, a
    x = RNG.uniform(-1, 1, N)
    J = dg.jacobian(lambda x: np.concatenate(f(x)), x)
    want_y = 3.0 * np.eye(N)
    want_a = np.zeros((N, N))
    want_a[np.arange(N - 1), np.arange(1, N)] = 2.0
    want_a[N - 1, N - 1] = 1.0
    np.testing.assert_array_equal(J[:N], want_y)
    np.testing.assert_array_equal(J[N:], want_a)


def test_threads_give_the_serial_numbers():
    u, o = RNG.uniform(0.1, 2, 40), RNG.uniform(0.1, 1, 3)
    z = np.concatenate([u, o])
    want = dg.jacobian(_split(3), z)
    got, errors = [None] * 6, []

    def run(i):
        try:
            got[i] = dg.jacobian(_split(3), z)
        except Exception as e:          # pragma: no cover (reported below)
            errors.append(e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for g in got:
        _bits(g, want)


# ---- slice reads: NumPy's views of both arrays ------------------------------------
@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_slice_reads_are_views_of_both_arrays(layout, key):
    d = _dual(RNG.uniform(-2, 2, 8), 3, layout)
    s = d[key]
    _bits(s.value, d.value[key])
    _bits(s.partials, d.partials[key])
    if s.value.size:
        assert np.shares_memory(s.value, d.value) and np.shares_memory(s.partials, d.partials)
    assert s.tag == d.tag


def test_slice_reads_of_other_kinds_keep_their_kind():
    tag = new_tag()
    z = dg.Dual(np.array([1 + 2j, 3 - 1j, 0.5j]), RNG.standard_normal((3, 2)) + 0j, tag=tag)
    s = z[1:]
    _bits(s.value, z.value[1:])
    _bits(s.partials, z.partials[1:])
    f = dg.Dual(np.array([1.0, 2.0, 3.0], dtype=np.float32), RNG.standard_normal((3, 2)), tag=tag)
    s = f[:2]
    assert s.value.dtype == f.value.dtype
    _bits(s.partials, f.partials[:2])

    def g(x):                              # nested duals: a Hessian's slices
        y = x * x
        return np.sum(y[1:] * y[:-1])
    x = np.array([0.5, 1.5, -2.0, 3.0])
    H = dg.hessian(g, x)
    # g = sum_i x_i^2 x_{i+1}^2: d2/dx_i^2 = 2 (x_{i-1}^2 + x_{i+1}^2), d2/dx_i dx_{i+1} = 4 x_i x_{i+1}
    want = np.zeros((4, 4))
    for i in range(4):
        want[i, i] = 2 * ((x[i - 1] ** 2 if i > 0 else 0) + (x[i + 1] ** 2 if i < 3 else 0))
        if i < 3:
            want[i, i + 1] = want[i + 1, i] = 4 * x[i] * x[i + 1]
    np.testing.assert_allclose(H, want, rtol=1e-14)


def test_slice_reads_of_deferred_partials_are_their_numbers():
    """Fused engine: a large result's partials may be deferred; its slice is computed."""
    N = 4000

    def f(x):
        y = np.sin(x) * 2.0
        return y[1:-1] + y[:-2]
    x = RNG.uniform(-1, 1, N)
    J = dg.jacobian(f, x)
    c = 2.0 * np.cos(x)
    want = np.zeros((N - 2, N))
    want[np.arange(N - 2), np.arange(1, N - 1)] = c[1:-1]
    want[np.arange(N - 2), np.arange(N - 2)] += c[:-2]
    np.testing.assert_allclose(J, want, rtol=1e-15, atol=0)


def test_a_slice_read_takes_no_general_step():
    d = _dual(RNG.uniform(-2, 2, 8), 3)
    calls = python_calls(lambda: d[2:5])
    assert calls == ["<lambda>", "__getitem__"], calls
