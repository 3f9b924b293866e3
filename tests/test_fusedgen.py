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
