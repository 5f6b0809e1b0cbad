"""The offline AST mutator: every operator yields a valid, distinct child that changes only the
EVOLVE-BLOCKs, by the documented amounts, deterministically; bad programs never raise."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from mutation_programs import CIRCLES, NESTED, TOP, TWO_BLOCKS

from discolab.agents.edits import layout, validate
from discolab.agents.evolution.ast_ops import CALL_FAMILIES, perturb_float, perturb_int
from discolab.agents.evolution.mutations import (
    DEFAULT_WEIGHTS,
    OPERATORS,
    Mutation,
    crossover,
    mutate,
    mutate_many,
)
from discolab.agents.evolution.statements import bodies

VARIANT = CIRCLES.replace("ring = 0.35", "ring = 0.4").replace("0.999", "0.99")


def block_tree(program: str, index: int = 0) -> ast.Module:
    """A program's block, dedented and parsed."""
    text = layout(program).blocks[index]
    lines = [x for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    return ast.parse("\n".join(x[indent:] for x in text.splitlines()))


def numbers(program: str) -> list[float]:
    """The numeric literals of the first block (``-c`` read as one negative literal)."""
    tree = block_tree(program)
    negated = {
        id(n.operand)
        for n in ast.walk(tree)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            found.append(-node.value if id(node) in negated else node.value)
    return found


def simple_statements(program: str) -> Counter[str]:
    """The first block's simple statements (not if/for/def), counted by their text."""
    compound = (ast.If, ast.For, ast.While, ast.With, ast.FunctionDef, ast.Try)
    return Counter(
        ast.unparse(s)
        for s in ast.walk(block_tree(program))
        if isinstance(s, ast.stmt) and not isinstance(s, compound)
    )


def assert_valid_child(parent: str, result: Mutation) -> str:
    """The child parses, keeps every marker and all outside code, and differs in meaning."""
    assert result.ok, result.description
    child = result.program
    assert validate(parent, child).ok
    assert layout(child).outside == layout(parent).outside
    ast.parse(child)
    changed = [
        i
        for i, (a, b) in enumerate(zip(layout(parent).blocks, layout(child).blocks, strict=True))
        if ast.dump(block_tree(parent, i)) != ast.dump(block_tree(child, i)) or a != b
    ]
    assert changed, "the child equals the parent"
    assert ast.dump(ast.parse(child)) != ast.dump(ast.parse(parent))
    return child


@pytest.mark.parametrize("operator", OPERATORS)
def test_each_operator_makes_a_valid_distinct_child(operator: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(10):
        result = mutate(CIRCLES, rng, donors=[VARIANT, TOP], operators=[operator])
        child = assert_valid_child(CIRCLES, result)
        assert result.operator == operator and result.description
        block = layout(child).blocks[0]
        assert all(x.startswith("    ") for x in block.splitlines() if x.strip())


def test_constant_description_names_values_and_line() -> None:
    result = mutate(TOP, np.random.default_rng(0), operators=["constant"])
    match = re.fullmatch(r"constant 0\.1 -> (\S+) at line 6", result.description)
    assert match, result.description
    assert f"base = {match.group(1)}" in result.program


def test_blocks_nested_in_methods_keep_their_indentation() -> None:
    rng = np.random.default_rng(3)
    for _ in range(60):
        result = mutate(NESTED, rng, donors=[TOP])
        child = assert_valid_child(NESTED, result)
        block = layout(child).blocks[0]
        assert all(x.startswith("        ") for x in block.splitlines() if x.strip())
        assert child.endswith("        # EVOLVE-BLOCK-END\n        return out\n")


def test_tab_indented_blocks_and_names_read_after_the_block() -> None:
    program = "def f(n):\n\t# EVOLVE-BLOCK-START\n\tx = 0.5  # half\n\ty = x * n\n"
    program += "\t# EVOLVE-BLOCK-END\n\treturn y\n"
    rng = np.random.default_rng(0)
    for _ in range(30):
        child = assert_valid_child(program, mutate(program, rng))
        assert all(x.startswith("\t") for x in layout(child).blocks[0].splitlines())
        assert "y =" in child  # y is returned after the block: never deleted


def test_multiline_strings_keep_their_value() -> None:
    program = 'def f():\n    # EVOLVE-BLOCK-START\n    msg = """two\nlines"""\n    w = 0.3\n'
    program += "    # EVOLVE-BLOCK-END\n    return msg, w\n"
    child = mutate(program, np.random.default_rng(0), operators=["constant"]).program
    assert "'two\\nlines'" in child or '"""two\nlines"""' in child


def test_an_empty_block_has_nothing_to_mutate_without_donors() -> None:
    program = "x = 1\n# EVOLVE-BLOCK-START\n# EVOLVE-BLOCK-END\n"
    result = mutate(program, np.random.default_rng(0))
    assert not result.ok and "nothing to mutate" in result.description
    donor = "# EVOLVE-BLOCK-START\ny = 2.5\n# EVOLVE-BLOCK-END\n"
    assert_valid_child(program, mutate(program, np.random.default_rng(0), donors=[donor]))


def test_comments_are_lost_only_in_the_changed_block() -> None:
    program = TWO_BLOCKS.replace("WIDTH = 0.25\n", "WIDTH = 0.25  # keep me\n")
    program = program.replace("    return np.sin(xs)", "    # gone\n    return np.sin(xs)")
    result = mutate(program, np.random.default_rng(0), operators=["call_swap"])
    assert "# keep me" in result.program and "# gone" not in result.program
    assert "np.cos(xs)" in result.program


def test_only_one_block_changes_and_the_others_stay_byte_identical() -> None:
    rng = np.random.default_rng(5)
    for _ in range(40):
        child = assert_valid_child(TWO_BLOCKS, mutate(TWO_BLOCKS, rng))
        same = [
            a == b for a, b in zip(layout(TWO_BLOCKS).blocks, layout(child).blocks, strict=True)
        ]
        assert same.count(False) == 1


def test_floats_move_by_the_documented_amounts() -> None:
    rng = np.random.default_rng(11)
    new = np.array([perturb_float(0.35, rng) for _ in range(4000)])
    assert np.all(new != 0.35)
    flips = np.isclose(new, -0.35)
    assert 0.02 < flips.mean() < 0.09  # 5 % sign flips
    ratio = np.log(new[new > 0] / 0.35)
    assert abs(np.median(ratio)) < 0.02  # unbiased
    assert 0.7 < np.mean(np.abs(ratio) < 0.4) < 0.95  # mostly a ~20 % relative step
    assert np.mean(np.abs(ratio) > 1.0) > 0.01  # occasionally a large jump
    zero = np.array([perturb_float(0.0, rng) for _ in range(2000)])
    assert np.all(zero != 0) and 0.08 < np.std(zero) < 0.12  # N(0, 0.1) from zero


def test_ints_step_by_one_or_two_and_keep_their_sign_class() -> None:
    rng = np.random.default_rng(2)
    for x in (0, 1, 2, 3, 5, -1, -4):
        new = np.array([perturb_int(x, rng) for _ in range(500)])
        assert np.all(new != x) and np.all(np.abs(new - x) <= 2)
        assert np.all(new >= 1) if x >= 1 else (np.all(new >= 0) if x == 0 else np.all(new <= -1))
    big = np.array([perturb_int(100, rng) for _ in range(500)])
    assert np.all(big >= 1) and np.mean(np.abs(big - 100) > 2) > 0.1  # sometimes relative


def test_mutated_ints_never_drop_below_one() -> None:
    program = TOP.replace("base = 0.1", "base = 1\n    for _ in range(1):\n        base += 2")
    rng = np.random.default_rng(4)
    for _ in range(200):
        child = mutate(program, rng, operators=["constant"]).program
        assert min(numbers(child)) >= 1


def test_bools_are_never_perturbed() -> None:
    program = TOP.replace("base = 0.1", "flag = True\n    base = 0.1 if flag else False")
    rng = np.random.default_rng(1)
    for _ in range(100):
        child = mutate(program, rng, operators=["constant"]).program
        assert "flag = True" in child and "else False" in child
    only_bools = TOP.replace("base = 0.1", "base = True")
    assert not mutate(only_bools, rng, operators=["constant"]).ok


def test_calls_swap_only_within_their_family() -> None:
    program = TOP.replace(
        "base = 0.1",
        "base = np.sin(0.1) + sin(0.2) + np.linalg.norm([1]) + math.sqrt(2) + mine.cos(3)",
    )
    families = {name: set(family) for family in CALL_FAMILIES for name in family}
    rng = np.random.default_rng(9)
    seen = set()
    for _ in range(100):
        result = mutate(program, rng, operators=["call_swap"])
        old, new = re.fullmatch(r"call (\S+) -> (\S+) at line \d+", result.description).groups()
        assert new in families[old] and new != old
        assert "sin(0.2)" in result.program and "np.linalg.norm" in result.program
        assert "mine.cos(3)" in result.program
        seen.add((old, new))
    assert {("np.sin", "np.cos"), ("math.sqrt", "math.log1p")} <= seen


def test_comparisons_and_operators_swap_by_their_tables() -> None:
    rng = np.random.default_rng(6)
    ops = {mutate(CIRCLES, rng, operators=["compare_swap"]).description[:13] for _ in range(60)}
    assert ops <= {"compare > -> ", "compare < -> "} and ops
    program = TOP.replace("base = 0.1", "base = 0.1 + 0.2 * 3.0")
    swaps = {
        mutate(program, rng, operators=["operator_swap"]).description.split(" at")[0]
        for _ in range(60)
    }
    assert swaps == {"operator + -> -", "operator * -> /"}  # [base] * n is repetition: left alone


def test_deletion_keeps_bodies_non_empty_and_definitions_in_place() -> None:
    rng = np.random.default_rng(8)
    for _ in range(150):
        result = mutate(CIRCLES, rng, operators=["delete"])
        tree = block_tree(assert_valid_child(CIRCLES, result))
        assert all(len(body) >= 1 for body in bodies(tree))
        # never the first binding of a name read later in its body
        for name in ("ring =", "inner =", "centers = np.zeros", "radii = np.minimum.reduce"):
            assert name in result.program
    only_return = TOP.replace('    """Equal radii."""\n    base = 0.1\n    out = [base] * n\n', "")
    only_return = only_return.replace("return out", "return [0.1] * n")
    assert not mutate(only_return, rng, operators=["delete"]).ok


def test_insertion_copies_donor_statements_preferring_known_names() -> None:
    donor = TOP.replace("base = 0.1", "base = 0.1\n    ring = ring * 1.25\n    zz = qq + 1")
    donor_lines = simple_statements(donor)
    rng = np.random.default_rng(12)
    inserted: list[str] = []
    for _ in range(100):
        result = mutate(CIRCLES, rng, donors=[donor], operators=["insert"])
        child = assert_valid_child(CIRCLES, result)
        added = simple_statements(child) - simple_statements(CIRCLES)
        assert sum(added.values()) == 1 and set(added) <= set(donor_lines)
        inserted += added
        if "ring = ring * 1.25" in added:  # lands after the block binds ring
            code = ast.unparse(block_tree(child))
            assert code.index("ring = 0.35") < code.index("ring = ring * 1.25")
    assert inserted.count("ring = ring * 1.25") > 10 * max(1, inserted.count("zz = qq + 1"))


def test_without_donors_insert_becomes_duplicate_and_perturb() -> None:
    rng = np.random.default_rng(13)
    result = mutate(TOP, rng, operators=["insert", "duplicate"])
    assert result.operator == "duplicate" and result.description.startswith("duplicate ")
    assert len(block_tree(result.program).body[0].body) == 5
    alone = mutate(TOP, rng, operators=["insert"])  # nothing to insert, no fallback
    assert not alone.ok and "need donor programs" in alone.description


def test_crossover_mixes_statements_of_both_parents() -> None:
    first = TOP.replace("base = 0.1", "a = 1.5\n    b = 2.5\n    c = 3.5\n    base = 0.1")
    second = first.replace("1.5", "-1.5").replace("2.5", "-2.5").replace("3.5", "-3.5")
    second = second.replace("0.1", "-0.1")
    mixed = 0
    for seed in range(30):
        child = assert_valid_child(first, crossover(first, second, np.random.default_rng(seed)))
        values = numbers(child)
        assert len(values) == 4
        mixed += any(v > 0 for v in values) and any(v < 0 for v in values)
    assert mixed == 30  # distinct from both parents, so always a real mix
    renamed = second.replace("def score(n):", "def other(n):")
    for seed in range(5):
        child = crossover(first, renamed, np.random.default_rng(seed)).program
        assert layout(child).outside == layout(first).outside  # outside from the first parent


def test_crossover_splices_blocks_of_different_structure() -> None:
    result = crossover(CIRCLES, NESTED, np.random.default_rng(1))
    child = assert_valid_child(CIRCLES, result)
    assert "splice" in result.description
    assert layout(child).outside == layout(CIRCLES).outside


def test_crossover_of_identical_parents_has_no_child() -> None:
    result = crossover(TOP, TOP, np.random.default_rng(0))
    assert not result.ok and "the same" in result.description


def test_same_seed_same_child() -> None:
    for run in (
        lambda seed: mutate(CIRCLES, np.random.default_rng(seed), donors=[VARIANT]),
        lambda seed: crossover(CIRCLES, VARIANT, np.random.default_rng(seed)),
        lambda seed: mutate_many(CIRCLES, np.random.default_rng(seed), [VARIANT], steps=3),
    ):
        assert [run(s) for s in range(5)] == [run(s) for s in range(5)]
    assert len({mutate(CIRCLES, np.random.default_rng(s)).program for s in range(20)}) > 10


def test_children_do_not_depend_on_the_hash_seed() -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import numpy as np\n"
        "from mutation_programs import CIRCLES, TOP\n"
        "from discolab.agents.evolution.mutations import mutate_many\n"
        "print(mutate_many(CIRCLES, np.random.default_rng(5), [TOP, CIRCLES], steps=8))\n"
    )
    support = str(Path(__file__).parents[2] / "support")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, support],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1 and "Mutation(program=" in outputs.pop()


def test_mutate_many_applies_successive_steps() -> None:
    result = mutate_many(CIRCLES, np.random.default_rng(3), steps=4)
    assert_valid_child(CIRCLES, result)
    assert len(result.operator.split("+")) == 4 and result.description.count("; ") == 3
    with pytest.raises(ValueError, match="steps"):
        mutate_many(CIRCLES, np.random.default_rng(3), steps=0)


@pytest.mark.parametrize(
    ("program", "needle"),
    [
        ("x = 1\n", "no EVOLVE-BLOCK"),
        (TOP.replace("# EVOLVE-BLOCK-END\n", ""), "without a matching"),
        (TOP.replace("return out", "return out +"), "does not parse"),
        ("", "no EVOLVE-BLOCK"),
        ("# EVOLVE-BLOCK-START\nx = 1\0\n# EVOLVE-BLOCK-END\n", "does not parse"),
        ("# EVOLVE-BLOCK-START\nx = " + "(" * 300 + ")" * 300 + "\n# EVOLVE-BLOCK-END\n", "parse"),
    ],
)
def test_bad_programs_give_no_child_and_a_reason(program: str, needle: str) -> None:
    result = mutate(program, np.random.default_rng(0), donors=["garbage (", program])
    assert result.program is None and result.operator == "none" and needle in result.description
    assert not crossover(program, TOP, np.random.default_rng(0)).ok
    assert not crossover(TOP, program, np.random.default_rng(0)).ok


def test_pathologically_deep_code_gives_no_child_instead_of_raising() -> None:
    deep = "# EVOLVE-BLOCK-START\nx = " + "-" * 400 + "1.5\n# EVOLVE-BLOCK-END\n"
    for seed in range(3):
        result = mutate(deep, np.random.default_rng(seed), donors=[deep.replace("1.5", "2")])
        assert isinstance(result, Mutation)


def test_a_block_without_constants_falls_back_to_other_operators() -> None:
    program = TOP.replace("base = 0.1", "base = np.sqrt(n)\n    base = base + n")
    rng = np.random.default_rng(0)
    ops = {mutate(program, rng).operator for _ in range(40)}
    assert "constant" not in ops and len(ops) >= 3


def test_unknown_operators_and_negative_weights_are_rejected() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown operator"):
        mutate(TOP, rng, operators=["shuffle"])
    with pytest.raises(ValueError, match="unknown operator"):
        mutate(TOP, rng, weights={"shuffle": 1.0})
    with pytest.raises(ValueError, match=">= 0"):
        mutate(TOP, rng, weights={"constant": -1.0})
    assert set(DEFAULT_WEIGHTS) == set(OPERATORS)
    assert max(DEFAULT_WEIGHTS, key=DEFAULT_WEIGHTS.get) == "constant"


def test_fuzz_500_mutations_of_a_circle_packing_program() -> None:
    rng = np.random.default_rng(2024)
    outside = layout(CIRCLES).outside
    distinct = 0
    current = CIRCLES
    for step in range(500):
        parent = CIRCLES if step % 2 else current
        result = mutate(parent, rng, donors=[VARIANT, current] if step % 3 else [])
        assert result.ok, result.description
        ast.parse(result.program)
        assert layout(result.program).outside == outside
        distinct += ast.dump(ast.parse(result.program)) != ast.dump(ast.parse(parent))
        current = result.program if step % 5 else CIRCLES
    assert distinct == 500
