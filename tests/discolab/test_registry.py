"""Registry behaviour: versioned ids, duplicates, did-you-mean."""

import pytest

from discolab.errors import DiscolabError, UnknownIdError
from discolab.registry import Registry, suggest


def test_make_builds_with_options() -> None:
    reg: Registry[dict] = Registry("thing")
    reg.register("demo/box-v1", lambda **kw: dict(kw), "a box")
    assert reg.make("demo/box-v1", size=3) == {"size": 3}
    assert "demo/box-v1" in reg
    assert reg.ids() == ["demo/box-v1"]


@pytest.mark.parametrize("bad", ["box", "demo/box", "Demo/Box-v1", "demo/box-1"])
def test_unversioned_ids_are_refused(bad: str) -> None:
    reg: Registry[dict] = Registry("thing")
    with pytest.raises(DiscolabError, match="not versioned"):
        reg.register(bad, dict)


def test_duplicate_ids_are_refused() -> None:
    reg: Registry[dict] = Registry("thing")
    reg.register("demo/box-v1", dict)
    with pytest.raises(DiscolabError, match="already registered"):
        reg.register("demo/box-v1", dict)


def test_unknown_id_suggests_the_closest() -> None:
    reg: Registry[dict] = Registry("environment")
    reg.register("newton/gravity-v1", dict)
    reg.register("newton/coulomb-v1", dict)
    with pytest.raises(UnknownIdError) as info:
        reg.get("newton/gravty-v1")
    message = str(info.value)
    assert "unknown environment id 'newton/gravty-v1'" in message
    assert "did you mean 'newton/gravity-v1'" in message
    assert info.value.exit_code == 2


def test_suggest() -> None:
    assert suggest("shfit", ["shift", "noise"]) == " (did you mean 'shift'?)"
    assert suggest("zzz", ["shift", "noise"]) == ""
