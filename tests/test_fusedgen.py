"""backend._fusedgen: kernel files named so that two generators never share one."""

from dualgrad.backend import _fusedgen


def test_another_generator_text_gets_another_file_name(monkeypatch):
    key = ("a structure", 4)
    name = _fusedgen._name(key)
    assert name == _fusedgen._name(key) and name.startswith("dualgrad_fused_")
    monkeypatch.setattr(_fusedgen, "_generator", "an edited generator")
    assert _fusedgen._name(key) != name
    monkeypatch.setattr(_fusedgen, "GENERATION", _fusedgen.GENERATION + 1)
    assert len({_fusedgen._name(key), name}) == 2


def test_a_scalar_duals_row_and_the_accumulated_row_are_read_once():
    """The slicing heat step's kernel (``u[1:-1] += kappa * lap + ...``: two scalar
    duals' rows, ``acc`` added into in place, a ring of the rows behind): each row's
    direction ``k`` is read once, before the loop over the rows (the kernel writes no
    row: LLVM, not knowing that, read them again every element), and the unrolled
    path adds to the ``acc`` element it loaded instead of loading it again after the
    stores."""
    import re
    nodes = (((("c", 0), ("l", 0)),), (("1", ("l", 1)), ("-", ("t", 0))),
             (("1", ("t", 1)), ("1", ("l", 2))), ((("a", 0), ("l", 3)), (("c", 1), ("t", 2))),
             ((("a", 1), ("l", 4)), (("c", 2), ("l", 0))), (("-", ("l", 0)),),
             ((("a", 2), ("t", 4)), (("a", 3), ("t", 5))), (("1", ("t", 3)), ("1", ("t", 6))))
    key = _fusedgen.structure(4, ("m", "m", "b1", "r", "r"), nodes, 3, 4, 1, (2,), False)
    text = _fusedgen.source(key)
    body = text[text.index("def fused("):]
    loop = body.index("    for ")
    for j in (3, 4):
        for k in range(4):
            reads = [m.start() for m in re.finditer(rf"\bL{j}\[{k}\]", body)]
            assert len(reads) == 1 and reads[0] < loop, (j, k, reads)
    assert re.search(r"acc\[i, \d\] = acc\[i, \d\]", body) is None
    assert len(re.findall(r"acc\[i, 0\] = y_0 \+ t7_0", body)) == 3
