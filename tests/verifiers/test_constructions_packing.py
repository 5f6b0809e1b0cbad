"""Circle packing verifiers: tight packings pass, every known cheat fails with a reason."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.packing import (
    measure_packing,
    parse_rect_packing,
    parse_square_packing,
)
from discolab.verifiers.constructions.reading import InvalidConstruction, NonFinite, read_lenient

SQUARE_26 = "programs/circle-packing-26-v1"
RECT_21 = "programs/circle-packing-rect-21-v1"


def four_tangent() -> dict:
    """Four circles of radius 1/4 touching each other and two walls each: slack 0."""
    return {
        "centers": [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]],
        "radii": [0.25] * 4,
    }


def grid_26() -> dict:
    """A tight 26-circle packing in exact binary fractions: a 4 x 4 grid of r = 1/8 and ten
    circles of radius 0 in a corner."""
    centers = [[0.125 + 0.25 * i, 0.125 + 0.25 * j] for i in range(4) for j in range(4)]
    return {"centers": [*centers, *[[0.0, 0.0]] * 10], "radii": [0.125] * 16 + [0.0] * 10}


def test_a_tangent_packing_with_zero_slack_is_valid() -> None:
    measured = measure_packing(parse_square_packing(four_tangent(), 4))
    assert measured.value == 1.0
    assert measured.metrics["worst_slack"] == 0.0
    assert measured.behaviour == 0.0


def test_the_problem_scores_a_hand_made_grid() -> None:
    verdict = make_problem(SQUARE_26).score(grid_26())
    assert verdict.valid, verdict.error
    assert verdict.value == 2.0
    assert verdict.fitness == verdict.value
    assert verdict.metrics["worst_slack"] == 0.0 and verdict.behaviour == 1.0


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d["centers"][0].__setitem__(0, 0.25 - 1e-12), "circle 0 is not inside"),
        (lambda d: d["centers"][1].__setitem__(0, 0.75 + 1e-12), "circle 1 is not inside"),
        (lambda d: d["centers"][2].__setitem__(1, 0.75 + 1e-12), "circle 2 is not inside"),
        (lambda d: d["centers"][1].__setitem__(0, 0.75 - 1e-12), "circles 0 and 1 overlap"),
        (lambda d: d["radii"].__setitem__(3, -0.0625), "negative radius"),
    ],
)
def test_a_violation_of_1e_12_fails_naming_the_circle(edit, needle: str) -> None:
    data = four_tangent()
    edit(data)
    with pytest.raises(InvalidConstruction, match=needle):
        measure_packing(parse_square_packing(data, 4))


def test_overlap_by_1e_12_in_the_26_problem_fails() -> None:
    data = grid_26()
    data["radii"][5] = 0.125 + 1e-12  # an inner circle touching four neighbours
    verdict = make_problem(SQUARE_26).score(data)
    assert not verdict.valid and verdict.stage == "full"
    assert "overlap" in verdict.error and "circles 1 and 5" in verdict.error


def _bad(path: tuple, value: object) -> dict:
    data = copy.deepcopy(grid_26())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (_bad(("radii", 0), float("nan")), "radii\\[0\\]"),
        (_bad(("radii", 0), float("inf")), "radii\\[0\\]"),
        (_bad(("centers", 3, 1), float("-inf")), "centers\\[3\\]\\[1\\]"),
        (_bad(("radii", 0), NonFinite("NaN")), "NaN, not a finite number"),
        (_bad(("centers", 0, 0), NonFinite("Infinity")), "Infinity"),
        (_bad(("radii", 0), "1+2j"), "str"),
        (_bad(("radii", 0), complex(1, 2)), "complex"),
        (_bad(("radii", 0), [0.1]), "list"),
        (_bad(("radii", 0), {"re": 0.1}), "dict"),
        (_bad(("radii", 0), True), "bool"),
        (_bad(("centers", 0, 0), False), "bool"),
        (_bad(("radii", 0), None), "NoneType"),
        (_bad(("radii", 0), 10**400), "too large"),
        (_bad(("centers",), grid_26()["centers"][:-1]), "25 rows"),
        (_bad(("radii",), [0.125] * 25), "25 entries"),
        (_bad(("centers", 0), [0.1, 0.1, 0.1]), "centers\\[0\\] has 3 entries"),
        (_bad(("centers", 0), [0.1]), "centers\\[0\\] has 1 entries"),
        (_bad(("centers",), "[[0.1, 0.1]]"), "list of 26 rows"),
        (_bad(("extra",), 1), "unknown key 'extra'"),
    ],
)
def test_junk_values_and_wrong_shapes_fail_at_the_shape_stage(data: dict, needle: str) -> None:
    verdict = make_problem(SQUARE_26).score(data)
    assert not verdict.valid and verdict.stage == "shape"
    assert verdict.error is not None
    assert re.search(needle, verdict.error), verdict.error


def test_nan_in_a_file_is_refused_by_the_strict_reader() -> None:
    from discolab.verifiers.constructions.reading import read_construction

    data, error = read_construction(b'{"centers": [[0.5, 0.5]], "radii": [NaN]}')
    assert data is None and "NaN" in error
    kept = read_lenient(b'{"radii": [NaN]}')
    assert kept == {"radii": [NonFinite("NaN")]}


def rect_data(width: float, height: float) -> dict:
    r = min(width, height) / 4
    centers = [[r, r], [3 * r, r]] + [[0.0, 0.0]] * 19
    return {"width": width, "height": height, "centers": centers, "radii": [r, r] + [0.0] * 19}


def test_the_rectangle_may_use_the_whole_perimeter_exactly() -> None:
    parsed = parse_rect_packing(rect_data(0.5, 1.5), 21, 2)
    measured = measure_packing(parsed)
    assert measured.value == 0.25
    assert measured.metrics["worst_slack"] == 0.0


@pytest.mark.parametrize(
    ("width", "height", "needle"),
    [
        (0.5, math.nextafter(1.5, 2), "exceeds 2"),
        (0.2, 1.8, "exceeds 2"),  # 0.2 + 1.8 == 2.0 in floats, but exceeds 2 exactly
        (0.0, 2.0, "positive"),
        (-0.5, 2.5, "positive"),
    ],
)
def test_a_rectangle_too_large_or_degenerate_fails(
    width: float, height: float, needle: str
) -> None:
    verdict = make_problem(RECT_21).score(rect_data(width, height))
    assert not verdict.valid and needle in verdict.error


def test_containment_uses_the_rectangle_width() -> None:
    data = rect_data(0.5, 1.5)
    data["centers"][1][0] = 0.5  # beyond width - r
    verdict = make_problem(RECT_21).score(data)
    assert not verdict.valid and "circle 1 is not inside" in verdict.error


def test_worst_slack_is_the_smallest_margin() -> None:
    data = four_tangent()
    data["radii"] = [0.2] * 4
    measured = measure_packing(parse_square_packing(data, 4))
    assert measured.metrics["worst_slack"] == pytest.approx(0.05)
    assert np.isclose(measured.value, 0.8)


def _run(program: str, tmp_path) -> dict:
    import json
    import subprocess
    import sys

    (tmp_path / "main.py").write_text(program)
    subprocess.run([sys.executable, "main.py"], cwd=tmp_path, check=True, timeout=60)
    return json.loads((tmp_path / "construction.json").read_text())


def test_the_26_seed_is_weak_and_one_knob_lifts_it_well_above_two(tmp_path) -> None:
    problem = make_problem(SQUARE_26)
    seed = problem.seed_program()
    weak = problem.score(_run(seed, tmp_path))
    assert weak.valid and weak.value <= 2.0
    assert "MARGIN = 0.2 " in seed
    tuned = problem.score(_run(seed.replace("MARGIN = 0.2 ", "MARGIN = 0.1 "), tmp_path))
    assert tuned.valid and tuned.value > 2.4
