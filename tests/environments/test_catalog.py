"""The catalog: fresh registries, checked options with clear errors, and the listing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from discolab.environments.catalog import (
    EnvironmentInfo,
    describe_environments,
    environment_registry,
    list_options,
    make_environment,
)
from discolab.environments.physics.gravity import GravityV1
from discolab.errors import ConfigError, UnknownIdError

DOMAINS = (
    *("gravity", "coulomb", "fourier", "ampere", "snell", "decay", "oscillator"),
    *("malus", "sound", "hooke", "bose-einstein", "calorimetry"),
)
IDS = sorted(
    f"newton/{name}{level}-v1" for name in DOMAINS for level in ("", "-simple", "-complex")
)
GRAVITY = "newton/gravity-v1"


def test_registry_is_fresh_on_every_call() -> None:
    first, second = environment_registry(), environment_registry()
    assert first is not second
    assert first.ids() == second.ids() == IDS
    first.register("test/extra-v1", GravityV1)
    assert "test/extra-v1" not in environment_registry()


def test_unknown_id_suggests_the_closest() -> None:
    with pytest.raises(UnknownIdError, match="did you mean 'newton/gravity-v1'"):
        make_environment("newton/gravty-v1")
    with pytest.raises(UnknownIdError, match="newton/coulomb-v1"):
        list_options("newton/nothing-v9")


def test_typo_in_an_option_names_it_and_suggests() -> None:
    with pytest.raises(ConfigError) as info:
        make_environment(GRAVITY, shfit="s1")
    message = str(info.value)
    assert "'shfit'" in message and "did you mean 'shift'?" in message
    assert "seed" in message, "the valid options are listed"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("noise", "high", "a number"),
        ("noise", None, "a number"),
        ("noise", True, "a number"),
        ("budget", 2.5, "an integer"),
        ("budget", True, "an integer"),
        ("budget", "10", "an integer"),
        ("max_batch", 20.0, "an integer"),
        ("seed", 1.5, "an integer"),
        ("seed", False, "an integer"),
        ("shift", 1, "a string"),
        ("shift", ["s1"], "a string"),
    ],
)
def test_wrong_type_names_option_value_and_type(option: str, value: object, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_environment(GRAVITY, **{option: value})
    message = str(info.value)
    assert f"{option}={value!r}" in message and expected in message, message


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("budget", 0, "minimum"),
        ("max_batch", 0, "minimum"),
        ("noise", -0.1, "minimum"),
        ("noise", 1.5, "maximum"),
        ("noise", math.nan, "not finite"),
        ("seed", -1, "minimum"),
    ],
)
def test_out_of_range_option_is_refused(option: str, value: object, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as info:
        make_environment(GRAVITY, **{option: value})
    assert option in str(info.value)


@pytest.mark.parametrize(
    ("shift", "hint"), [("s9", ""), ("S1", "did you mean 's1'?"), ("canonicl", "'canonical'?")]
)
def test_unknown_shift_lists_the_valid_ones(shift: str, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_environment(GRAVITY, shift=shift)
    message = str(info.value)
    assert repr(shift) in message and hint in message
    assert "valid shifts: canonical, s1, s2, s3" in message


def test_direct_construction_refuses_unknown_shift() -> None:
    with pytest.raises(ConfigError, match="valid shifts"):
        GravityV1(shift="v1")


def test_numbers_of_other_types_are_accepted() -> None:
    env = make_environment(GRAVITY, noise=0, budget=np.int64(4), seed=np.int32(3))
    assert (env.noise, env.budget) == (0.0, 4)
    assert isinstance(env.noise, float) and isinstance(env.budget, int)


@pytest.mark.parametrize("seed", [-1, True, 1.5, "0"])
def test_reset_refuses_a_bad_seed(seed: object) -> None:
    env = make_environment(GRAVITY)
    with pytest.raises(ConfigError, match="seed"):
        env.reset(seed=seed)  # type: ignore[arg-type]


def test_list_options_declares_types_and_defaults() -> None:
    options = list_options(GRAVITY)
    assert list(options) == ["shift", "noise", "budget", "max_batch", "variant_seed", "seed"]
    assert {n: o.default for n, o in options.items()} == {
        "shift": "canonical",
        "noise": 0.0,
        "budget": 10,
        "max_batch": 20,
        "variant_seed": 0,
        "seed": 0,
    }
    assert options["shift"].choices[0] == "canonical"
    assert all(o.description for o in options.values())


def test_defaults_build_the_canonical_environment() -> None:
    env = make_environment(GRAVITY)
    assert (env.budget, env.max_batch, env.noise, env.calls_used) == (10, 20, 0.0, 0)
    assert env.ground_truth().formula == "6.674e-11 * m1 * m2 / r**2"


def test_describe_environments_lists_every_id_without_laws() -> None:
    infos = describe_environments()
    assert [i.id for i in infos] == IDS
    for info in infos:
        assert isinstance(info, EnvironmentInfo)
        assert info.title and info.inputs and info.output.unit
        assert info.shifts[0] == "canonical" and len(info.shifts) >= 4
        assert info.defaults["seed"] == 0 and info.defaults["shift"] == "canonical"
        assert [o.name for o in info.options] == list(info.defaults)
        assert "**" not in repr(info), "the listing never shows a formula"
