"""Statement-level mutation sites and crossover of statement bodies.

Deletion, insertion from donors and duplicate-and-perturb act on statement lists (a block's
top level or any nested body). They aim for runnable children by cheap, documented heuristics
rather than guarantees: an invalid child now and then is fine, the evaluator fails it.
"""

from __future__ import annotations

import ast
import builtins
import copy
from dataclasses import dataclass

import numpy as np

from discolab.agents.evolution.ast_ops import EXPRESSION_SITES, Apply, Site, pick, walk

MAX_NODES = 80  # a copied statement has at most this many AST nodes
MAX_LINES = 10  # ... and spans at most this many source lines
_COPYABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For)
_JUMPS = (
    ast.Return,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.Break,
    ast.Continue,
    ast.Global,
    ast.Nonlocal,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
_BUILTINS = frozenset(dir(builtins))


def bodies(tree: ast.AST) -> list[list[ast.stmt]]:
    """Every non-empty statement list in the tree (module, def, loop, if/else, try, with...)."""
    found = []
    for node in walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                found.append(value)
    return found


def loads(node: ast.AST) -> set[str]:
    """Names read anywhere under ``node``."""
    return {n.id for n in walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def bound(node: ast.AST) -> set[str]:
    """Names a statement binds in its own scope: stores, def/class names, imports, arguments
    (without looking into nested function or class bodies)."""
    names: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(current.name)
            if current is not node:
                continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            names.add(current.id)
        elif isinstance(current, ast.Import | ast.ImportFrom):
            names |= {a.asname or a.name.split(".")[0] for a in current.names}
        elif isinstance(current, ast.arg):
            names.add(current.arg)
        stack.extend(ast.iter_child_nodes(current))
    return names


def _trivial(stmt: ast.stmt) -> bool:
    """``pass``, a docstring or a bare constant: deleting one changes nothing."""
    return isinstance(stmt, ast.Pass) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    )


def deletable(stmt: ast.stmt, later: set[str], program_loads: set[str]) -> bool:
    """The deletion heuristic. Never delete: a return/global/nonlocal (a function without its
    return is almost always broken), a no-op (pass, docstring), a def/class/import whose name
    is read anywhere in the program (the code outside the block may call it), or a statement
    binding a name that a later statement of the same body reads (``later``), unless the
    statement reads that name itself (``x = x * 0.9``: x stays defined without it)."""
    return _deletable(stmt, later, program_loads, None)


def _deletable(
    stmt: ast.stmt, later: set[str], program_loads: set[str], reads: set[str] | None
) -> bool:
    """:func:`deletable`, given the statement's ``loads`` when they are already known."""
    if isinstance(stmt, ast.Return | ast.Global | ast.Nonlocal) or _trivial(stmt):
        return False
    if isinstance(stmt, _DEFINITIONS):
        return not (bound(stmt) & program_loads)
    if isinstance(stmt, ast.AugAssign):
        return True
    return not ((bound(stmt) - (loads(stmt) if reads is None else reads)) & later)


def delete_sites(tree: ast.Module, program_loads: set[str]) -> list[Site]:
    """One site per deletable statement of a body that keeps at least one statement. For the
    block's top level, "later" also covers the code outside the block (a block inside a
    function may bind what the function returns), approximated by every name the program
    reads."""
    sites = []
    reads: dict[int, set[str]] = {}  # loads of each statement, by id, computed once
    for body in bodies(tree):
        if len(body) < 2:
            continue
        later: set[str] = set(program_loads) if body is tree.body else set()
        for i in range(len(body) - 1, -1, -1):
            stmt = body[i]
            if id(stmt) not in reads:
                reads[id(stmt)] = loads(stmt)
            if _deletable(stmt, later, program_loads, reads[id(stmt)]):
                sites.append(Site(stmt.lineno, _delete(body, i)))
            later |= reads[id(stmt)]
    return sites


def _delete(body: list[ast.stmt], i: int) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        stmt = body.pop(i)
        return f"delete {_head(stmt)!r}"

    return apply


def _head(stmt: ast.stmt) -> str:
    """The first line of a statement, shortened, for descriptions."""
    first = ast.unparse(stmt).splitlines()[0]
    return first if len(first) <= 60 else first[:57] + "..."


def copyable(stmt: ast.stmt) -> bool:
    """A simple, bounded statement that can be pasted into another body: an assignment, a call,
    an if or a for, with no return, yield, break, continue or nested definition in it."""
    if not isinstance(stmt, _COPYABLE) or _trivial(stmt):
        return False
    if isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Call):
        return False
    nodes = list(walk(stmt))
    if len(nodes) > MAX_NODES or any(isinstance(n, _JUMPS) for n in nodes):
        return False
    end = getattr(stmt, "end_lineno", None)
    return (end - stmt.lineno if end else len(ast.unparse(stmt).splitlines()) - 1) < MAX_LINES


def donor_statements(trees: list[ast.Module]) -> list[ast.stmt]:
    """The copyable statements of donor blocks, each distinct text once, in a fixed order."""
    seen: dict[str, ast.stmt] = {}
    for tree in trees:
        for body in bodies(tree):
            for stmt in body:
                if copyable(stmt):
                    seen.setdefault(ast.unparse(stmt), stmt)
    return list(seen.values())


def defined_names(tree: ast.AST) -> set[str]:
    """Every name bound anywhere in a program (any scope) plus the builtins."""
    names = set(_BUILTINS)
    # The union of ``bound`` over every statement, argument and comprehension: every binding
    # node lies under one of them, so one pass over the tree collects the same names.
    for node in walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


AVAILABLE_WEIGHT = 1.0  # a donor statement whose read names all exist in the child
MISSING_WEIGHT = 0.02  # ... and one reading a name the child never defines


@dataclass(frozen=True)
class Donors:
    """Statements to insert and the child's names they should read.

    Attributes:
        statements: the donors' copyable statements (see :func:`donor_statements`).
        names: the names the child defines (see :func:`defined_names`).
        reads: :func:`needs` of each statement when precomputed (the statements do not
            change), or empty to compute them on use.
    """

    statements: tuple[ast.stmt, ...]
    names: frozenset[str]
    reads: tuple[frozenset[str], ...] = ()

    def needs(self) -> tuple[frozenset[str], ...]:
        """:func:`needs` of each statement."""
        return self.reads or tuple(frozenset(needs(s)) for s in self.statements)

    def weights(self) -> np.ndarray:
        """Prefer statements whose read names exist in the child."""
        return np.array(
            [AVAILABLE_WEIGHT if n <= self.names else MISSING_WEIGHT for n in self.needs()]
        )


def needs(stmt: ast.stmt) -> set[str]:
    """The names a copyable statement reads before it could have bound them itself: all reads
    of an assignment or call (``x = x * 2`` needs x; ``x += 1`` too), and for an if or a for
    the reads of its test or iterable plus the body's reads of names it does not bind."""
    if isinstance(stmt, ast.AugAssign):
        return loads(stmt) | bound(stmt)
    if isinstance(stmt, ast.If | ast.For):
        head = stmt.test if isinstance(stmt, ast.If) else stmt.iter
        return loads(head) | (loads(stmt) - bound(stmt))
    return loads(stmt)


def first_bindings(tree: ast.AST) -> dict[str, int]:
    """The first line on which a block binds each name it binds."""
    lines: dict[str, int] = {}
    for node in walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names = [node.id]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.asname or a.name.split(".")[0] for a in node.names]
        for name in names:
            lines[name] = min(lines.get(name, node.lineno), node.lineno)
    return lines


def insert_sites(tree: ast.Module, donors: Donors) -> list[Site]:
    """One site per (donor statement, position in the child). A statement is drawn by
    :meth:`Donors.weights`, then a position uniformly among those after the first binding, in
    the block, of every block name it reads (all positions, down-weighted, if there is none)."""
    if not donors.statements:
        return []
    first = first_bindings(tree)
    positions = [
        (body, i, body[i - 1].end_lineno + 1 if i else body[0].lineno)
        for body in bodies(tree)
        for i in range(len(body) + 1)
    ] or [(tree.body, 0, 1)]
    sites = []
    reads = donors.needs()
    for stmt, weight, read in zip(donors.statements, donors.weights(), reads, strict=True):
        lines = [first[n] for n in read if n in first]
        last = max(lines, default=None)  # after every first binding = after the latest one
        fits = [p for p in positions if last is None or last < p[2]]
        factor = 1.0 if fits else MISSING_WEIGHT
        for body, i, line in fits or positions:
            share = weight * factor / len(fits or positions)
            sites.append(Site(line, _insert(body, i, stmt), share))
    return sites


def _insert(body: list[ast.stmt], i: int, stmt: ast.stmt) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        body.insert(i, copy.deepcopy(stmt))
        return f"insert donor statement {_head(stmt)!r}"

    return apply


def duplicate_sites(tree: ast.AST) -> list[Site]:
    """One site per copyable statement: copy it, perturb the copy, paste it later in its body."""
    return [
        Site(stmt.lineno, _duplicate(body, i))
        for body in bodies(tree)
        for i, stmt in enumerate(body)
        if copyable(stmt)
    ]


def _duplicate(body: list[ast.stmt], i: int) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        twin = ast.Module(body=[copy.deepcopy(body[i])], type_ignores=[])
        change = "unchanged"
        for kind in ("constant", "operator_swap", "call_swap", "compare_swap"):
            sites = EXPRESSION_SITES[kind](twin)
            if sites:
                change = pick(sites, rng).apply(rng)
                break
        at = int(rng.integers(i + 1, len(body) + 1))
        body.insert(at, twin.body[0])
        return f"duplicate {_head(body[i])!r} ({change})"

    return apply


def _signature(stmt: ast.stmt) -> tuple[str, str]:
    """What must match for two statements to be exchangeable: their kind and what they bind
    (a def's name and arguments, an assignment's targets)."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return type(stmt).__name__, f"{stmt.name}({ast.unparse(stmt.args)})"
    if isinstance(stmt, ast.ClassDef):
        return "ClassDef", stmt.name
    if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return type(stmt).__name__, ",".join(ast.unparse(t) for t in targets)
    return type(stmt).__name__, ""


def cross_bodies(
    first: list[ast.stmt],
    second: list[ast.stmt],
    rng: np.random.Generator,
    *,
    copies: bool = True,
    dumps: dict[int, str] | None = None,
) -> tuple[list[ast.stmt], str]:
    """Mix two statement lists. With the same structure (same kinds, same bound names) each
    statement comes from either parent with probability 1/2, and two matching defs are
    crossed inside their bodies; otherwise a prefix of one list is spliced to a suffix of the
    other. Returns copies, so neither parent tree is changed; with ``copies=False`` the result
    shares the parents' statements (only a crossed def's head is copied, shallowly), which is
    enough for a caller that only reads it. ``dumps`` memoises ``ast.dump`` by node id across
    calls on the same, unchanged trees."""
    dup = copy.deepcopy if copies else _same
    memo: dict[int, str] = {} if dumps is None else dumps
    if [_signature(s) for s in first] == [_signature(s) for s in second]:
        mixed: list[ast.stmt] = []
        taken, inner = 0, []
        for a, b in zip(first, second, strict=True):
            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef) and dump_once(
                a, memo
            ) != dump_once(b, memo):
                chosen = a if rng.random() < 0.5 else b
                head = copy.deepcopy(chosen) if copies else copy.copy(chosen)
                head.body, note = cross_bodies(a.body, b.body, rng, copies=copies, dumps=memo)
                mixed.append(head)
                inner.append(f"in {a.name}: {note}")
            elif rng.random() < 0.5:
                mixed.append(dup(a))
            else:
                mixed.append(dup(b))
                taken += 1
        plain = len(first) - len(inner)
        notes = [f"{taken} of {plain} statements from the second parent"] if plain else []
        return mixed, "; ".join(notes + inner)
    if rng.random() < 0.5:
        head, tail, names = first, second, ("first", "second")
    else:
        head, tail, names = second, first, ("second", "first")
    k = int(rng.integers(1, len(head) + 1)) if len(head) > 1 else 1
    j = int(rng.integers(0, len(tail))) if tail else 0
    spliced = [dup(s) for s in head[:k] + tail[j:]]
    return spliced, (
        f"splice of {k} leading statements of the {names[0]} parent"
        f" and {len(tail) - j} trailing of the {names[1]}"
    )


def _same(stmt: ast.stmt) -> ast.stmt:
    return stmt


def dump_once(node: ast.AST, memo: dict[int, str]) -> str:
    """``ast.dump(node)``, computed once per node id in ``memo``."""
    key = id(node)
    if key not in memo:
        memo[key] = ast.dump(node)
    return memo[key]
