"""The safe expression parser: untrusted formula text in, checked sympy and numpy forms out.

Candidate formulas come from agents and language models, so they are treated as hostile. The
text is length-checked, parsed with ``ast.parse(mode="eval")`` only, and walked once against a
whitelist (``expression_rules``). The same walk builds the sympy expression and a tree of numpy
closures directly from the checked nodes, so candidate text never reaches ``eval``, ``exec``,
``compile``, ``sympify``, ``parse_expr`` or ``lambdify``.

Caps keep every accepted formula cheap: length before parsing, nesting depth (a flat chain
``a + b + c`` counts as one level, as it does in sympy), node count, literal magnitude, and
constant exponents (``9**9**9**9`` is refused from the innermost power outwards, never
computed). Every constant subexpression is folded on floats first and must stay finite, so
sympy only ever sees numbers of ordinary size.
"""

from __future__ import annotations

import ast
import copy
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from discolab.errors import ExpressionError, VerificationError
from discolab.verifiers import expression_rules as rules

logger = logging.getLogger(__name__)

Env = dict[str, np.ndarray | float]
Closure = Callable[[Env], np.ndarray | float]


@dataclass(frozen=True)
class ParsedExpression:
    """A formula that passed the whitelist, in symbolic and executable form.

    Attributes:
        source: the formula text as given (stripped of surrounding whitespace).
        expr: the sympy expression, for display, export and structural analysis.
        variables: the task inputs the formula uses, in the task's order.
        parameters: the free parameters it uses, sorted ``C, C1, C2, ...``.
        complexity: number of checked syntax nodes (literals, names, operators, calls), the
            size measure of Pareto tables.
        exponent_parameters: free parameters that occur inside a ``**`` exponent; a formula
            that leaves its exponents to the fit has not stated a law's structure.
        tree: the checked syntax tree, for structural analysis (treat it as read-only).
    """

    source: str
    expr: sympy.Expr
    variables: tuple[str, ...]
    parameters: tuple[str, ...]
    complexity: int
    exponent_parameters: tuple[str, ...]
    _closure: Closure = field(repr=False, compare=False)
    tree: ast.Expression = field(repr=False, compare=False)

    def evaluate(
        self, columns: Mapping[str, object], params: Mapping[str, float] | None = None
    ) -> np.ndarray:
        """Evaluate on input columns; the result is a float array of the inputs' shape.

        Floating-point problems (overflow, division by zero, domain errors) give ``inf`` or
        ``nan`` entries rather than exceptions; scoring code treats those as failures.

        Raises:
            VerificationError: a used input has no column, columns do not broadcast, or a
                free parameter has no value.
        """
        return self.bind(columns)(params)

    def bind(
        self, columns: Mapping[str, object]
    ) -> Callable[[Mapping[str, float] | None], np.ndarray]:
        """A fast evaluator ``params -> outputs`` for fixed input columns (used by fitting).

        The columns are checked and converted once; see :meth:`evaluate` for the semantics.
        """
        arrays: dict[str, np.ndarray] = {}
        try:
            for name, column in columns.items():
                arrays[name] = np.asarray(column, dtype=float)
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        except (TypeError, ValueError) as exc:
            raise VerificationError(f"input columns cannot be evaluated: {exc}") from None
        inputs: Env = {}
        for name in self.variables:
            if name not in arrays:
                raise VerificationError(f"no input column {name!r} for formula {self.source!r}")
            inputs[name] = arrays[name]
        closure, parameters = self._closure, self.parameters

        def run(params: Mapping[str, float] | None) -> np.ndarray:
            env = dict(inputs)
            for name in parameters:
                env[name] = _parameter_value(name, params)
            with np.errstate(all="ignore"):
                out = np.asarray(closure(env), dtype=float)
                return np.array(np.broadcast_to(out, shape), dtype=float)

        return run

    def to_latex(self) -> str:
        """The formula in LaTeX (via sympy)."""
        return sympy.latex(self.expr)

    def substitute(self, params: Mapping[str, float]) -> str:
        """The formula in Python syntax with the given parameter values written in."""
        values = {name: _parameter_value(name, params) for name in self.parameters}
        for name, value in values.items():
            if not math.isfinite(value):
                raise VerificationError(f"parameter {name}={value!r} is not finite")
        tree = _Inline(values).visit(copy.deepcopy(self.tree))
        return ast.unparse(ast.fix_missing_locations(tree))


class _Inline(ast.NodeTransformer):
    """Replaces parameter names with their values (negative values as unary minus)."""

    def __init__(self, values: Mapping[str, float]) -> None:
        self.values = values

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        operand = node.operand
        if isinstance(node.op, ast.USub) and isinstance(operand, ast.Name):
            value = self.values.get(operand.id)
            if value is not None and value < 0:
                return ast.Constant(-value)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id not in self.values:
            return node
        value = self.values[node.id]
        number = ast.Constant(abs(value))
        return ast.UnaryOp(ast.USub(), number) if value < 0 else number


def _parameter_value(name: str, params: Mapping[str, float] | None) -> float:
    if params is None or name not in params:
        raise VerificationError(f"free parameter {name!r} has no value; fit it first")
    try:
        return float(params[name])
    except (TypeError, ValueError):
        raise VerificationError(f"parameter {name}={params[name]!r} is not a number") from None


@dataclass(frozen=True)
class _Limits:
    max_depth: int
    max_nodes: int
    max_exponent: float


@dataclass(frozen=True)
class _Node:
    """A checked subtree: its sympy form, its evaluator, and its float value if constant."""

    expr: sympy.Expr
    closure: Closure
    value: float | None


def _constant_node(expr: sympy.Expr, value: float) -> _Node:
    return _Node(expr, lambda env: value, value)


class _Checker:
    """One walk over the tree: whitelist, caps, constant folding, sympy and closures."""

    def __init__(self, text: str, variables: Sequence[str], limits: _Limits) -> None:
        self.text = text
        self.variables = tuple(dict.fromkeys(variables))
        self.limits = limits
        self.nodes = 0
        self.used_variables: set[str] = set()
        self.used_parameters: set[str] = set()
        self.exponent_parameters: set[str] = set()
        self._exponent_level = 0
        self._symbols: dict[str, sympy.Symbol] = {}

    def visit(self, node: ast.AST, depth: int) -> _Node:
        if depth > self.limits.max_depth:
            raise ExpressionError(
                f"formula is nested more than {self.limits.max_depth} levels deep; "
                "simplify it or split repeated factors"
            )
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise ExpressionError(
                f"formula has more than {self.limits.max_nodes} terms and operators; "
                "propose a simpler law"
            )
        if isinstance(node, ast.Constant):
            return self._literal(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise ExpressionError(rules.forbidden_node_message(node, self.text))

    # -- leaves -------------------------------------------------------------------------------

    def _literal(self, node: ast.Constant) -> _Node:
        value = node.value
        piece = rules.snippet(self.text, node)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(rules.constant_message(value, piece))
        if isinstance(value, float) and not math.isfinite(value):
            raise ExpressionError(f"literal {piece} is not a finite number")
        if abs(value) > rules.MAX_LITERAL:
            raise ExpressionError(
                f"literal {piece} is larger than {rules.MAX_LITERAL:g}; use a free parameter C "
                "for an unknown constant"
            )
        if isinstance(value, int) and abs(value) < 10**15:
            return _constant_node(sympy.Integer(value), float(value))
        return _constant_node(sympy.Float(float(value)), float(value))

    def _symbol(self, name: str) -> sympy.Symbol:
        if name not in self._symbols:
            self._symbols[name] = sympy.Symbol(name, real=True)
        return self._symbols[name]

    def _name(self, node: ast.Name) -> _Node:
        name = node.id
        rules.check_identifier_is_plain(name)
        if name in self.variables:
            self.used_variables.add(name)
            return _Node(self._symbol(name), lambda env: env[name], None)
        if name in rules.CONSTANTS:
            symbolic, value = rules.CONSTANTS[name]
            return _constant_node(symbolic, value)
        if rules.PARAMETER_PATTERN.match(name):
            self.used_parameters.add(name)
            if self._exponent_level:
                self.exponent_parameters.add(name)
            return _Node(self._symbol(name), lambda env: env[name], None)
        raise ExpressionError(rules.unknown_name_message(name, self.variables))

    # -- operators ----------------------------------------------------------------------------

    def _child_depth(self, parent: ast.BinOp, child: ast.AST, depth: int) -> int:
        family = rules.CHAIN_FAMILY.get(type(parent.op))
        if (
            family is not None
            and isinstance(child, ast.BinOp)
            and rules.CHAIN_FAMILY.get(type(child.op)) == family
        ):
            return depth
        return depth + 1

    def _binary(self, node: ast.BinOp, depth: int) -> _Node:
        op_type = type(node.op)
        if op_type not in rules.BINARY_OPERATORS:
            raise ExpressionError(rules.operator_message(node.op))
        left = self.visit(node.left, self._child_depth(node, node.left, depth))
        if op_type is ast.Pow:
            self._exponent_level += 1
            try:
                right = self.visit(node.right, depth + 1)
            finally:
                self._exponent_level -= 1
            if right.value is not None and abs(right.value) > self.limits.max_exponent:
                piece = rules.snippet(self.text, node.right)
                shown = piece if piece == f"{right.value:g}" else f"{piece} = {right.value:.6g}"
                raise ExpressionError(
                    f"constant exponent {shown} is too large in "
                    f"'{rules.snippet(self.text, node)}'; constant exponents must be within "
                    f"±{self.limits.max_exponent:g}"
                )
        else:
            right = self.visit(node.right, self._child_depth(node, node.right, depth))
        binary = rules.BINARY_OPERATORS[op_type]
        symbolic = binary.symbolic(left.expr, right.expr)
        if left.value is not None and right.value is not None:
            value = self._fold(lambda: rules.fold_binary(op_type, left.value, right.value), node)
            return _constant_node(symbolic, value)
        numeric = binary.vectorised
        lf, rf = left.closure, right.closure
        return _Node(symbolic, lambda env: numeric(lf(env), rf(env)), None)

    def _unary(self, node: ast.UnaryOp, depth: int) -> _Node:
        if isinstance(node.op, ast.UAdd):
            return self.visit(node.operand, depth + 1)
        if not isinstance(node.op, ast.USub):
            symbol = "not" if isinstance(node.op, ast.Not) else "~"
            raise ExpressionError(
                f"unary '{symbol}' is not allowed in '{rules.snippet(self.text, node)}'; "
                "only + and - signs are"
            )
        inner = self.visit(node.operand, depth + 1)
        if inner.value is not None:
            return _constant_node(-inner.expr, -inner.value)
        f = inner.closure
        return _Node(-inner.expr, lambda env: np.negative(f(env)), None)

    def _call(self, node: ast.Call, depth: int) -> _Node:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise ExpressionError(rules.forbidden_node_message(func, self.text))
            raise ExpressionError(
                f"only direct calls of {', '.join(rules.FUNCTIONS)} are allowed, "
                f"not '{rules.snippet(self.text, node)}'"
            )
        name = func.id
        if name not in rules.FUNCTIONS:
            raise ExpressionError(rules.unknown_function_message(name))
        if node.keywords:
            raise ExpressionError(f"keyword arguments are not allowed in {name}(...)")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ExpressionError(f"'*' unpacking is not allowed in {name}(...)")
        if len(node.args) != 1:
            raise ExpressionError(
                f"{name} takes exactly one argument, got {len(node.args)} in "
                f"'{rules.snippet(self.text, node)}'"
            )
        function = rules.FUNCTIONS[name]
        inner = self.visit(node.args[0], depth + 1)
        if inner.value is not None:
            value = self._fold(lambda: function.scalar(inner.value), node)
            return _constant_node(function.symbolic(inner.expr), value)
        f, vectorised = inner.closure, function.vectorised
        return _Node(function.symbolic(inner.expr), lambda env: vectorised(f(env)), None)

    def _fold(self, compute: Callable[[], float], node: ast.AST) -> float:
        """Value of a constant subexpression; it must be a finite real number."""
        piece = rules.snippet(self.text, node)
        try:
            value = float(compute())
        except ZeroDivisionError:
            raise ExpressionError(f"constant '{piece}' divides by zero") from None
        except OverflowError:
            raise ExpressionError(f"constant '{piece}' overflows") from None
        except (ValueError, TypeError):
            raise ExpressionError(f"constant '{piece}' is not a real number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"constant '{piece}' is not finite")
        return value


def parse_expression(
    text: str,
    variables: Sequence[str],
    *,
    max_length: int = 400,
    max_depth: int = 25,
    max_nodes: int = 150,
    max_exponent: float = 10.0,
) -> ParsedExpression:
    """Check a Python-syntax formula against the whitelist and build its parsed form.

    Allowed: int and float literals, the task's input names, free parameters ``C, C1, ...``,
    ``pi``, ``+ - * / **``, unary ``+ -``, and one-argument calls of ``exp, log, sqrt, sin, cos,
    tan, asin, acos, atan, abs``.

    Raises:
        ExpressionError: anything else, or a cap exceeded; the message names the offending
            piece and suggests a fix.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"a formula is a string, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ExpressionError("the formula is empty; write an expression such as 'C*m1*m2/r**2'")
    if len(source) > max_length:
        raise ExpressionError(
            f"formula is {len(source)} characters long; the limit is {max_length}"
        )
    tree = rules.parse_tree(source)
    checker = _Checker(source, variables, _Limits(max_depth, max_nodes, max_exponent))
    try:
        root = checker.visit(tree.body, 1)
    except RecursionError:
        raise ExpressionError("formula is nested too deeply; simplify it") from None
    used = checker.used_variables
    order = rules.parameter_sort_key
    parsed = ParsedExpression(
        source=source,
        expr=root.expr,
        variables=tuple(v for v in checker.variables if v in used),
        parameters=tuple(sorted(checker.used_parameters, key=order)),
        complexity=checker.nodes,
        exponent_parameters=tuple(sorted(checker.exponent_parameters, key=order)),
        _closure=root.closure,
        tree=tree,
    )
    logger.debug("parsed %r (complexity %d)", source, parsed.complexity)
    return parsed
