"""Operon's model walk, gplearn's free-constant export and the hostile-submission builder.

Nothing here imports gplearn or pyoperon: Operon nodes are stand-ins with the attributes the
walk reads, so the tests run without the ``bench`` extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest

from discolab.verifiers.expressions import parse_expression


@dataclass
class FakeNode:
    Type: str
    Arity: int = 0
    Value: float = 1.0
    HashValue: int = 0


def _operon_nodes() -> list[FakeNode]:
    """Postfix list of ``0.5 + 2.0 * ((1.0*x0) / (3.0*x1))``: first argument right before."""
    return [
        FakeNode("NodeType.Variable", Value=3.0, HashValue=22),
        FakeNode("NodeType.Variable", Value=1.0, HashValue=11),
        FakeNode("NodeType.Div", 2),
        FakeNode("NodeType.Constant", Value=2.0),
        FakeNode("NodeType.Mul", 2),
        FakeNode("NodeType.Constant", Value=0.5),
        FakeNode("NodeType.Add", 2),
    ]


@pytest.fixture(scope="module")
def operon(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("operon_baseline")


def _data(y: np.ndarray, names: tuple[str, ...] = ("a", "b")) -> SimpleNamespace:
    spec = SimpleNamespace(input_names=list(names))
    return SimpleNamespace(spec=spec, y=y, positive=frozenset(names))


def test_operon_postfix_list_becomes_the_model_tree(operon: ModuleType) -> None:
    tree = operon.tree_of(_operon_nodes(), [11, 22])
    assert tree.name == "add" and tree.args[0].value == 0.5
    scale, quotient = tree.args[1].args
    assert scale.value == 2.0
    numerator, denominator = quotient.args
    assert (numerator.feature, denominator.feature, denominator.value) == (0, 1, 3.0)
    formula, count = operon.export(tree, _data(np.ones(3)), "raw", set(), 1.0, True)
    assert (formula, count) == ("C + C1*a/b", 2)
    literal, one = operon.export(tree, _data(np.ones(3)), "raw", set(), 1.0, False)
    assert one == 1 and parse_expression(literal, ["a", "b"]).parameters == ("C",)


def test_operon_log_space_model_is_exponentiated_with_log_inputs(operon: ModuleType) -> None:
    tree = operon.tree_of(_operon_nodes(), [11, 22])
    # exp(0.5 + 2*log(a)/(3*log(b))): the offset merges into the scale, the weight is freed
    formula, count = operon.export(tree, _data(np.full(3, -2.0)), "log", {"a", "b"}, 0.0, True)
    assert (formula, count) == ("C*exp(C1*log(a)/log(b))", 2)


@pytest.mark.parametrize(
    ("nodes", "needle"),
    [
        ([FakeNode("NodeType.Aq", 2)], "Aq"),
        ([FakeNode("NodeType.Variable", HashValue=99)], "hash 99"),
        ([FakeNode("NodeType.Add", 2)], "lacks arguments"),
        ([FakeNode("NodeType.Constant"), FakeNode("NodeType.Constant")], "2 trees"),
    ],
)
def test_bad_operon_models_are_refused(operon: ModuleType, nodes: list, needle: str) -> None:
    sr = operon.ExportError
    with pytest.raises(sr, match=needle):
        operon.tree_of(nodes, [11])


def test_gplearn_free_export_frees_its_constants(bench_module: Callable[[str], ModuleType]) -> None:
    gp = bench_module("gplearn_baseline")
    data = _data(np.ones(4), ("m1", "m2", "r"))
    program = "sub(add(X0, X1), add(X2, mul(0.31, X2)))"  # log F = log m1 + log m2 - 1.31 log r
    formula, count = gp.export(program, data, "log", {"m1", "m2", "r"}, 0.0, True)
    assert (formula, count) == ("C*m1*m2/r**1.31", 1)
    program = "add(X0, mul(0.3, sin(X2)))"  # a coefficient inside a function is freed
    formula, count = gp.export(program, data, "log", {"m1", "m2", "r"}, 0.0, True)
    assert (formula, count) == ("C*m1*exp(C1*sin(log(r)))", 2)
    literal, one = gp.export(program, data, "log", {"m1", "m2", "r"}, 0.0, False)
    assert one == 1 and literal.startswith("C*exp(")


def test_hostile_lines_are_the_advertised_size(bench_module: Callable[[str], ModuleType]) -> None:
    hostile = bench_module("hostile_scoring")
    for names in (["m1", "m2", "r"], ["theta1", "n1", "n2"], ["gamma", "T", "M"], ["x"]):
        line = hostile.many_parameters(names)
        assert len(line) == hostile.LINE_LENGTH == 384
        assert len(parse_expression(line, names).parameters) == hostile.FREE_PARAMETERS == 36
        for kind in ("log-series", "deep-nesting", "nested-powers", "nan", "huge-exponents"):
            parse_expression(hostile.KINDS[kind](names), names)  # hard to score, yet legal
