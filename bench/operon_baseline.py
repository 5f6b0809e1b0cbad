"""Operon (``pyoperon``, a C++ symbolic regression engine) as a baseline beside gplearn.

:mod:`baselines` runs it on the same calibration data, time cap and judge as the built-in
proposer and gplearn. Choices, the same as gplearn's where both have them:

* The same spaces (``--space log``, default: ``log|y|`` centred on ``log x`` for positive
  log-scale inputs; ``raw``: ``y / median|y|``) and the same function set (``+ - * /``,
  ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``). Operon's ``log`` and ``sqrt`` are plain (not
  protected), so they are exported as they are.
* Operon fits the numeric constants of every program by Levenberg–Marquardt and scales each
  input by a weight; the final model (with Operon's linear scaling ``a + b·f``) is walked node
  by node into a tree and its constants become free parameters by the rule of
  :mod:`sr_formulas` (``--constants literal`` keeps Operon's numbers instead).
* Budget: ``--population`` individuals (1000), ``--generations`` generations (1000), at
  most :data:`MAX_EVALUATIONS` fitness evaluations, programs of at most :data:`MAX_LENGTH`
  nodes and the per-task ``--time-limit``, one thread, seeded. The model is chosen from the
  Pareto front by minimum description length (Operon's default), which prefers short models.

Run: ``.venv/bin/python bench/operon_baseline.py --per-group 1`` (``--help`` for options); it
is ``bench/baselines.py --methods builtin,operon``. Needs ``pip install -e .[bench]``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from baselines import BaselineMissing, Budget, TaskData, best_try, data_error, design, spaces_for
from sr_formulas import ExportError, Node, formula_text, free_constants, to_sympy

MISSING_OPERON = "pyoperon is not installed; the baseline needs it: pip install -e .[bench]"
SYMBOLS = "add,sub,mul,div,constant,variable,exp,log,sqrt,sin,cos"
POPULATION = 1000
GENERATIONS = 1000
MAX_EVALUATIONS = 200_000
MAX_LENGTH = 30

_NODES = {
    "Add": "add",
    "Sub": "sub",
    "Mul": "mul",
    "Div": "div",
    "Exp": "exp",
    "Log": "log",
    "Sqrt": "sqrt",
    "Sin": "sin",
    "Cos": "cos",
    "Tan": "tan",
    "Square": "square",
    "Pow": "pow",
    "Abs": "abs",
}


class OperonMissing(BaselineMissing):
    """pyoperon cannot be imported."""


def load_operon() -> Any:
    """The ``pyoperon.sklearn`` module, or :class:`OperonMissing` with the install command."""
    try:
        import pyoperon.sklearn
    except ImportError as exc:
        raise OperonMissing(f"{MISSING_OPERON} [{exc}]") from None
    return pyoperon.sklearn


def tree_of(nodes: Sequence[Any], features: Sequence[int]) -> Node:
    """An Operon model's postfix node list as a tree.

    Operon stores a tree in postfix order with a node's first argument right before it, so a
    stack pops the arguments first to last. ``features`` maps each variable node's hash to
    its input index (the position of the hash in ``features``).

    Raises:
        ExportError: an unknown node type, a variable of an unknown input, a malformed list.
    """
    index = {h: i for i, h in enumerate(features)}
    stack: list[Node] = []
    for node in nodes:
        kind = str(node.Type).rsplit(".", 1)[-1]
        if kind == "Constant":
            stack.append(Node("const", value=float(node.Value)))
        elif kind == "Variable":
            if node.HashValue not in index:
                raise ExportError(f"variable hash {node.HashValue} is not an input")
            stack.append(Node("var", value=float(node.Value), feature=index[node.HashValue]))
        elif kind in _NODES:
            if len(stack) < node.Arity:
                raise ExportError(f"node {kind} lacks arguments in the postfix list")
            args = tuple(stack.pop() for _ in range(node.Arity))
            stack.append(Node(_NODES[kind], args))
        else:
            raise ExportError(f"Operon node type {kind!r} has no formula")
    if len(stack) != 1:
        raise ExportError(f"postfix list leaves {len(stack)} trees, not one")
    return stack[0]


def export(
    tree: Node, data: TaskData, space: str, log_inputs: set[str], scale: float, free: bool
) -> tuple[str, int]:
    """The formula of a fitted model and its number of free parameters (see gplearn's)."""
    names = data.spec.input_names
    model = to_sympy(tree, names, positive=data.positive, log_inputs=log_inputs)
    factor = math.exp(scale) if space == "log" else scale
    expr = sympy.Float(factor) * (sympy.exp(model) if space == "log" else model)
    if space == "log" and np.all(data.y < 0):
        expr = -expr
    if free:
        return free_constants(expr)
    return formula_text(sympy.Symbol("C") * expr), 1


def fit_operon(data: TaskData, budget: Budget, seed: int) -> dict:
    """Fit Operon on the task's data; the formula, its data error, model and timings."""
    sklearn = load_operon()
    spaces = spaces_for(data, budget.space)
    tries = []
    for space in spaces:
        X, target, log_inputs, scale = design(data, space)
        start = time.perf_counter()
        model = sklearn.SymbolicRegressor(
            allowed_symbols=SYMBOLS,
            population_size=budget.population or POPULATION,
            generations=budget.generations or GENERATIONS,
            max_evaluations=MAX_EVALUATIONS,
            max_length=MAX_LENGTH,
            max_time=max(1, int(budget.time_limit_s / len(spaces))),
            n_threads=1,
            random_state=seed,
        )
        model.fit(X, target)
        features = list(model.variables_)
        tree = tree_of(model.model_.Nodes, features)
        text = model.get_model_string(model.model_, 6, list(data.spec.input_names))
        try:
            formula, count = export(
                tree, data, space, log_inputs, scale, budget.constants == "free"
            )
        except ExportError as exc:
            formula, count = export(tree, data, space, log_inputs, scale, False)
            text = f"{text}  [kept literal: {exc}]"
        tries.append(
            {
                "space": space,
                "formula": formula,
                "parameters": count,
                "model": text,
                "generations": int(model.stats_.get("generations", 0)),
                "evaluations": int(model.stats_.get("evaluation_count", 0)),
                "seconds": time.perf_counter() - start,
                "data_rmsle": data_error(formula, data, seed),
            }
        )
    return best_try(tries)


def main(argv: Sequence[str] | None = None) -> int:
    """``bench/baselines.py --methods builtin,operon`` (exits 2 when pyoperon is missing)."""
    from baselines import main as run

    try:
        load_operon()
    except OperonMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--methods" or a.startswith("--methods=") for a in args):
        args = ["--methods", "builtin,operon", *args]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
