"""gplearn's ``SymbolicRegressor`` as a baseline: same data, budget and judge as the built-in.

:mod:`baselines` runs it beside the built-in proposer and Operon on the same calibration data
(see there). How gplearn is fitted (its best honest shot; every choice uses only the data):

* ``--space log`` (default): gplearn fits ``z = log|y| - mean(log|y|)`` on ``log(x)`` for
  positive log-scale inputs (raw ``x`` for the others), so power laws become sums and integer
  exponents come out exactly from ``add``/``sub``; the model is ``exp(P)`` times the scale,
  with ``log(x)`` substituted for the inputs. ``--space raw`` fits ``y / median|y|``.
* The model's fitted constants become free parameters by the rule of :mod:`sr_formulas`
  (``--constants free``, default), so the project's judge refits them like any submission's;
  ``--constants literal`` keeps gplearn's numbers (only the overall scale ``C`` is free).
* gplearn's protected operators are written out faithfully: ``sqrt(x)`` and ``log(x)`` become
  ``sqrt(abs(x))`` and ``log(abs(x))`` unless the argument is provably positive; ``div`` and
  ``inv`` become plain division (gplearn returns 1 or 0 below |0.001|).
* The run stops at ``--generations`` or the per-task ``--time-limit``, whichever comes first.

Run: ``.venv/bin/python bench/gplearn_baseline.py --per-group 1`` (``--help`` for options);
it is ``bench/baselines.py --methods builtin,gplearn``. Needs ``pip install -e .[bench]``.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import sympy
from baselines import BaselineMissing, Budget, TaskData, best_try, data_error, design, spaces_for
from sr_formulas import ExportError, Node, free_constants, to_sympy

MISSING_GPLEARN = (
    "gplearn is not installed; the baseline needs it (and scikit-learn): "
    "pip install -e .[bench]   (or: pip install 'gplearn>=0.4.2')"
)
FUNCTION_SET = ("add", "sub", "mul", "div", "sqrt", "log", "exp", "neg", "inv", "sin", "cos")
POPULATION = 2000
GENERATIONS = 40
TOURNAMENT = 20
PARSIMONY = 0.001
CONST_RANGE = (-2.0, 2.0)


class GplearnMissing(BaselineMissing):
    """gplearn (or scikit-learn) cannot be imported."""


def load_gplearn() -> Any:
    """The ``gplearn.genetic`` module, or :class:`GplearnMissing` with the install command."""
    try:
        import gplearn.genetic
    except ImportError as exc:
        raise GplearnMissing(f"{MISSING_GPLEARN} [{exc}]") from None
    return gplearn.genetic


# -- gplearn program text -> tree -> formula ---------------------------------------------------


_TOKEN = re.compile(r"\s*(?:([A-Za-z_]\w*)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(.))")


def parse_program(text: str) -> Node:
    """Parse gplearn's printed program (``add(mul(X0, X1), 0.5)``) into a tree.

    Raises:
        ValueError: the text is not a program in gplearn's prefix notation.
    """
    tokens = [m.groups() for m in _TOKEN.finditer(text.strip())]
    pos = 0

    def node() -> Node:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"program {text!r} ends early")
        name, number, other = tokens[pos]
        pos += 1
        if number is not None:
            return Node("const", value=float(number))
        if name is None:
            raise ValueError(f"unexpected {other!r} in program {text!r}")
        if pos < len(tokens) and tokens[pos][2] == "(":
            pos += 1
            args = [node()]
            while pos < len(tokens) and tokens[pos][2] == ",":
                pos += 1
                args.append(node())
            if pos >= len(tokens) or tokens[pos][2] != ")":
                raise ValueError(f"missing ')' after {name}( in program {text!r}")
            pos += 1
            return Node(name, tuple(args))
        feature = re.fullmatch(r"X(\d+)", name)
        if feature is None:
            raise ValueError(f"unknown feature {name!r} in program {text!r}")
        return Node("var", feature=int(feature.group(1)))

    tree = node()
    if pos != len(tokens):
        raise ValueError(f"trailing text after position {pos} in program {text!r}")
    return tree


_ARITY = {"add": 2, "sub": 2, "mul": 2, "div": 2, "sqrt": 1, "log": 1, "exp": 1, "neg": 1}
_ARITY |= {"inv": 1, "sin": 1, "cos": 1, "tan": 1, "abs": 1}
_LEVEL = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3}


def program_to_formula(
    program: str,
    names: Sequence[str],
    *,
    log_inputs: Collection[str] = (),
    positive: Collection[str] = (),
    log_output: bool = False,
    scale: bool = False,
) -> str:
    """A discolab formula (Python syntax) equal to gplearn's program on the declared inputs.

    Args:
        program: gplearn's printed program; features are ``X0, X1, ...`` in ``names`` order.
        names: the task's input names.
        log_inputs: inputs that were given to gplearn as ``log(x)``.
        positive: inputs whose range is positive (lets ``sqrt``/``log`` skip the ``abs``).
        log_output: the program predicts ``log|y|``; the formula is ``exp(program)``.
        scale: multiply by a free parameter ``C`` (the verifier refits the overall scale).

    Raises:
        ValueError: unknown function, wrong arity or a feature index outside ``names``.
    """
    tree = parse_program(program)

    def render(n: Node) -> tuple[str, int, bool]:  # text, precedence level, known positive
        if n.name == "const":
            v = float(n.value or 0.0)
            return (repr(v), 4 if v >= 0 else 3, v > 0)
        if n.name == "var":
            if n.feature is None or n.feature >= len(names):
                raise ValueError(f"unknown feature X{n.feature}; inputs are {list(names)}")
            name = names[n.feature]
            if name in log_inputs:
                return (f"log({name})", 4, False)
            return (name, 4, name in positive)
        if _ARITY.get(n.name) != len(n.args):
            raise ValueError(f"unknown function {n.name}/{len(n.args)} in program {program!r}")
        parts = [render(a) for a in n.args]
        (a, la, pa), (b, lb, pb) = parts[0], parts[-1]
        if n.name in ("sqrt", "log"):
            return (f"{n.name}({a if pa else f'abs({a})'})", 4, n.name == "sqrt")
        if n.name in ("exp", "sin", "cos", "tan", "abs"):
            return (f"{n.name}({a})", 4, n.name in ("exp", "abs"))
        if n.name == "neg":
            return (f"-{a if la > 2 and not a.startswith('-') else f'({a})'}", 3, False)
        if n.name == "inv":
            return (f"1/{a if la > 3 else f'({a})'}", 2, pa)
        level = _LEVEL[n.name]
        left = a if la >= level else f"({a})"
        keep = lb > level or (lb == level and n.name in ("add", "mul"))
        right = b if keep and not b.startswith("-") else f"({b})"
        symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[n.name]
        pos_ = pa and pb and n.name != "sub"
        return (f"{left} {symbol} {right}", level, pos_)

    text, level, _ = render(tree)
    if log_output:
        text, level = f"exp({text})", 4
    if scale:
        text = f"C*{text if level >= 2 else f'({text})'}"
    return text


def _protected_exp(x: np.ndarray) -> np.ndarray:
    return np.exp(np.clip(x, -700.0, 100.0))


def _program_text(program: Sequence[Any]) -> str:
    """gplearn's prefix program list printed like ``str(program)``, at full float precision."""
    terminals, out = [0], ""
    for i, item in enumerate(program):
        if hasattr(item, "arity"):
            terminals.append(item.arity)
            out += f"{item.name}("
            continue
        out += f"X{int(item)}" if isinstance(item, int | np.integer) else repr(float(item))
        terminals[-1] -= 1
        while terminals[-1] == 0:
            terminals.pop()
            terminals[-1] -= 1
            out += ")"
        if i != len(program) - 1:
            out += ", "
    return out


def export(
    program: str, data: TaskData, space: str, log_inputs: Collection[str], scale: float, free: bool
) -> tuple[str, int]:
    """The formula of a fitted program and its number of free parameters.

    ``free``: constants become parameters (:func:`sr_formulas.free_constants`), the scale
    included; otherwise gplearn's numbers stay and only the overall scale ``C`` is free.
    """
    names = data.spec.input_names
    sign = "-" if space == "log" and np.all(data.y < 0) else ""
    if not free:
        formula = program_to_formula(
            program,
            names,
            log_inputs=log_inputs,
            positive=data.positive,
            log_output=space == "log",
            scale=True,
        )
        return f"{sign}{formula}", 1
    model = to_sympy(
        parse_program(program), names, positive=data.positive, log_inputs=log_inputs, protected=True
    )
    factor = math.exp(scale) if space == "log" else scale
    expr = sympy.Float(factor) * (sympy.exp(model) if space == "log" else model)
    formula, count = free_constants(-expr if sign else expr)
    return formula, count


def fit_gplearn(data: TaskData, budget: Budget, seed: int) -> dict:
    """Fit gplearn on the task's data; the formula, its data error, program and timings."""
    genetic = load_gplearn()
    from gplearn.functions import make_function

    functions = [
        make_function(function=_protected_exp, name="exp", arity=1) if f == "exp" else f
        for f in FUNCTION_SET
    ]
    spaces = spaces_for(data, budget.space)
    tries = []
    for space in spaces:
        X, target, log_inputs, scale = design(data, space)
        model = genetic.SymbolicRegressor(
            population_size=budget.population or POPULATION,
            generations=1,
            tournament_size=TOURNAMENT,
            const_range=CONST_RANGE,
            function_set=functions,
            metric="mse",
            parsimony_coefficient=PARSIMONY,
            warm_start=True,
            random_state=seed,
        )
        start, limit = time.perf_counter(), budget.time_limit_s / len(spaces)
        for generation in range(1, (budget.generations or GENERATIONS) + 1):
            model.set_params(generations=generation)
            model.fit(X, target)
            if (
                time.perf_counter() - start > limit
                or model.run_details_["best_fitness"][-1] < 1e-20
            ):
                break
        program = _program_text(model._program.program)
        try:
            formula, count = export(
                program, data, space, log_inputs, scale, budget.constants == "free"
            )
        except ExportError as exc:
            formula, count = export(program, data, space, log_inputs, scale, False)
            program = f"{program}  [kept literal: {exc}]"
        tries.append(
            {
                "space": space,
                "formula": formula,
                "parameters": count,
                "program": program,
                "generations": generation,
                "seconds": time.perf_counter() - start,
                "data_rmsle": data_error(formula, data, seed),
            }
        )
    return best_try(tries)


def main(argv: Sequence[str] | None = None) -> int:
    """``bench/baselines.py --methods builtin,gplearn`` (exits 2 when gplearn is missing)."""
    from baselines import main as run

    try:
        load_gplearn()
    except GplearnMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--methods" or a.startswith("--methods=") for a in args):
        args = ["--methods", "builtin,gplearn", *args]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
