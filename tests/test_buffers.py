"""The helpers' pool of partials buffers: same results, never a buffer in use twice."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _buffers, _fused

N = 20_000            # x 4 directions x 8 bytes: above MIN_BYTES, so the pool serves


def diffuse(p, steps=30):
    """A heat-like time loop: slices, in-place updates, products with a parameter."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, N)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += kappa * lap + 0.01 * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


P = np.array([0.4, 0.8, 0.1, 1.5])


def test_the_problem_is_large_enough_to_use_the_pool():
    assert N * len(P) * 8 >= _buffers.MIN_BYTES


def test_results_are_the_same_with_and_without_the_pool():
    with _buffers.use(False):
        want = dg.jacobian(diffuse, P)
    got = dg.jacobian(diffuse, P)
    np.testing.assert_array_equal(got, want)
    # and both are right: central differences of the float function
    h = 1e-6
    fd = np.stack([(diffuse(P + h * e) - diffuse(P - h * e)) / (2 * h) for e in np.eye(4)],
                  axis=-1)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-8)


def test_no_buffer_is_handed_out_while_something_holds_it():
    """Keep every intermediate (and views of some) alive: no two may share memory."""
    kept = []

    def f(p):
        u = p[0] * np.linspace(0.0, 1.0, N) + p[1]
        for k in range(12):
            u = u * p[2] + u[::-1] * p[3]        # fresh partials every step
            kept.append(u if k % 2 else u[1:])    # a view keeps its base alive
            u = u + 0.0                         # dead right away: its buffer is reused
        return u

    dg.jacobian(f, P)
    partials = [d.partials for d in kept]
    for i in range(len(partials)):
        for j in range(i):
            assert not np.shares_memory(partials[i], partials[j]), (i, j)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_buffers_are_reused_inside_a_helper_and_dropped_after_it(engine):
    seen = []

    def f(p):
        u = p[0] * np.ones(N) + p[1]
        for _ in range(40):
            u = u * p[2] + p[3] * u
            seen.append(sum(len(b) for b in _buffers._pool.values()))
        return u

    with dg.engine(engine):
        dg.jacobian(f, P)
    # a few buffers serve all steps (the fused engine holds the leaves of pending
    # expressions, which its limit on their size bounds, whatever the steps)
    assert max(seen) <= (4 if engine == "eager" else _fused.MAX_NODES)
    assert _buffers._pool == {} and _buffers.depth() == 0


def test_nested_helpers_keep_the_pool_until_the_outermost_returns():
    depths = []

    def inner(q):
        depths.append(_buffers.depth())
        return diffuse(q, steps=2)

    def outer(p):
        return dg.jacobian(inner, p.value)[0] * p        # an inner helper inside f

    dg.jacobian(outer, P)
    assert depths == [2] and _buffers._pool == {} and _buffers.depth() == 0


def test_one_direction_and_small_partials_come_from_numpy():
    _buffers.begin()
    try:
        for shape in [(N, 1), (100, 4)]:
            _buffers.empty(shape)
        assert _buffers._pool == {}
        _buffers.empty((N, 4))
        assert sum(len(b) for b in _buffers._pool.values()) == 1
    finally:
        _buffers.end()
    assert _buffers._pool == {}


def test_threads_sharing_the_pool_agree_with_the_serial_result():
    with _buffers.use(False):
        want = dg.jacobian(diffuse, P, chunk=2)
    with ThreadPoolExecutor(2) as pool:
        got = dg.jacobian(diffuse, P, chunk=2, executor=pool)
    np.testing.assert_array_equal(got, want)


def test_a_forked_child_starts_with_a_free_pool():
    import os
    if not hasattr(os, "fork"):
        pytest.skip("no os.fork here")
    _buffers.begin()
    _buffers._lock.acquire()              # as if another thread were inside the pool
    try:
        pid = os.fork()
        if pid == 0:                      # the child: the pool must work at once
            ok = not _buffers._lock.locked() and _buffers.depth() == 0 and \
                _buffers._pool == {}
            if ok:
                _buffers.begin()
                _buffers.empty((N, 4))
                _buffers.end()
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        _buffers._lock.release()
        _buffers.end()
    assert os.waitstatus_to_exitcode(status) == 0


def _loose_bytes():
    return sum(size * len(b) for size, b in _buffers._loose.items()) * 8


def test_outside_a_helper_a_bounded_pool_reuses_dead_results():
    # u = u * c + u outside any helper: each result's partials come from the loose
    # pool; live results never share memory, dead ones are taken again
    tag = dg.dual.new_tag()
    u = dg.Dual(np.linspace(0.0, 1.0, N), np.ones((N, 4)), tag=tag)
    c = dg.Dual(np.full(N, 0.5), np.full((N, 4), 0.25), tag=tag)
    with _buffers.use(False):
        want = u
        for _ in range(10):
            want = want * c + want
    kept, v = [], u
    for k in range(10):
        v = v * c + v
        if k % 3 == 0:
            kept.append(v)
    np.testing.assert_array_equal(v.partials, want.partials)
    for i in range(len(kept)):
        assert not np.shares_memory(kept[i].partials, v.partials) or kept[i] is v
        for j in range(i):
            assert not np.shares_memory(kept[i].partials, kept[j].partials)
    sizes = {k: len(b) for k, b in _buffers._loose.items()}
    assert sizes and all(count <= _buffers.LOOSE_PER_SIZE for count in sizes.values())
    assert _loose_bytes() <= _buffers.LOOSE_BYTES


def test_the_loose_pool_stays_under_its_byte_limit(monkeypatch):
    monkeypatch.setattr(_buffers, "LOOSE_BYTES", 3 * N * 4 * 8)
    monkeypatch.setattr(_buffers, "_loose", {})
    for rows in (N, N + 1, N + 2, N + 3, N + 4):
        for _ in range(3):
            _buffers.empty((rows, 4))          # each dies at once: free for the next
        assert _loose_bytes() <= _buffers.LOOSE_BYTES
    held = [_buffers.empty((N + 5, 4)) for _ in range(6)]    # busy ones are never dropped
    assert len({id(h.base) for h in held}) == 6
    assert _loose_bytes() <= _buffers.LOOSE_BYTES


def test_a_new_size_beside_busy_buffers_over_the_byte_limit(monkeypatch):
    """A size the loose pool has no room for while busy buffers fill it: a plain new
    array (the pool's bookkeeping raised KeyError: ``_room`` dropped the new size's
    empty entry, then ``empty`` deleted it again)."""
    monkeypatch.setattr(_buffers, "LOOSE_BYTES", 3 * N * 4 * 8)
    monkeypatch.setattr(_buffers, "_loose", {})
    busy = _buffers.empty((2 * N, 4))                    # 2/3 of the limit, held
    fresh = _buffers.empty((2 * N + 1, 4))               # no room beside it
    assert fresh.shape == (2 * N + 1, 4) and not np.shares_memory(busy, fresh)
    assert _loose_bytes() <= _buffers.LOOSE_BYTES
    del fresh
    again = _buffers.empty((N, 4))                       # room again: pooled
    assert again.shape == (N, 4) and _loose_bytes() <= _buffers.LOOSE_BYTES


def test_a_helper_call_takes_back_the_previous_calls_free_buffers(monkeypatch):
    # an optimizer's next gradient: the buffers the last call let go are taken again
    # (no fresh pages), never one a result still holds, within the loose pool's bounds
    monkeypatch.setattr(_buffers, "_loose", {})
    _buffers.begin()
    try:
        kept = _buffers.empty((N, 4))          # a result the caller keeps
        free = _buffers.empty((N, 4))
        free_id = id(free.base)                # (holding the base would keep it busy)
        del free
    finally:
        _buffers.end()
    assert _buffers._pool == {}
    assert sum(len(b) for b in _buffers._loose.values()) == 1      # only the free one
    _buffers.begin()
    try:
        again = _buffers.empty((N, 4))
        other = _buffers.empty((N, 4))
        assert id(again.base) == free_id
        assert not np.shares_memory(again, kept) and not np.shares_memory(other, kept)
        assert not np.shares_memory(again, other)
        assert _buffers._loose.get(N * 4, []) == []     # the scope holds it now
    finally:
        _buffers.end()
    assert _loose_bytes() <= _buffers.LOOSE_BYTES
    sizes = {k: len(b) for k, b in _buffers._loose.items()}
    assert all(count <= _buffers.LOOSE_PER_SIZE for count in sizes.values())


def test_repeated_gradients_reusing_buffers_give_the_same_numbers():
    y = np.random.default_rng(3).normal(1.0, 2.0, 3 * N)

    def nll(p):
        z = (y - p[0]) / p[1]
        return np.sum(0.5 * z ** 2 + np.log(p[1]))

    p = np.array([0.5, 1.5])
    want = np.array([np.sum(-(y - 0.5) / 1.5 ** 2), np.sum(-(y - 0.5) ** 2 / 1.5 ** 3 + 1 / 1.5)])
    first = dg.gradient(nll, p)
    for _ in range(4):
        np.testing.assert_array_equal(dg.gradient(nll, p), first)
    np.testing.assert_allclose(first, want, rtol=1e-12)
