"""Test support: everything an object graph lets a caller reach by walking it.

Used by the spy proposer test (tests/agents/test_context_spy.py) to prove that a proposer's
context leads to no hidden truth. The walk follows what a curious proposer could follow with
plain attribute access: instance attributes (``vars()``, ``__slots__``, dataclass fields and
any other non-dunder name ``dir()`` lists, properties included), container items (dict keys
and values, sequences, sets), a bound method's ``__self__`` and ``__func__``, a function's
closure cells, defaults and ``__wrapped__``. It does not follow a function's ``__globals__``,
modules or classes: from there every object of the process is reachable, so that door is
closed by not handing the proposer anything but data and narrow handles.
"""

from __future__ import annotations

import contextlib
import dataclasses
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

LEAVES = (str, bytes, int, float, complex, bool, type(None), np.generic)
_FUNCTION_LINKS = ("__closure__", "__defaults__", "__kwdefaults__", "__wrapped__")
_SKIPPED = (types.ModuleType, type, types.GetSetDescriptorType)


@dataclass(frozen=True)
class Reached:
    """One object found by the walk and the attribute path that led to it."""

    path: str
    value: Any


def _attribute_names(obj: Any) -> list[str]:
    names: list[str] = []
    if dataclasses.is_dataclass(obj):
        names += [f.name for f in dataclasses.fields(obj)]
    with contextlib.suppress(TypeError):
        names += list(vars(obj))
    for klass in type(obj).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else list(slots)
    with contextlib.suppress(Exception):  # a hostile __dir__ hides nothing from vars()
        names += [n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))]
    return list(dict.fromkeys(n for n in names if n not in ("__dict__", "__weakref__")))


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, np.ndarray):  # items only: views (.T, .base) would never end
        yield from ((f"[{i}]", v) for i, v in enumerate(obj.ravel().tolist()))
        return
    if isinstance(obj, Mapping | types.MappingProxyType):
        for key, value in list(obj.items()):
            yield f"<key {key!r}>", key
            yield f"[{key!r}]", value
    elif isinstance(obj, list | tuple | set | frozenset):
        yield from ((f"[{i}]", v) for i, v in enumerate(obj))
    if isinstance(obj, types.MethodType):
        yield ".__self__", obj.__self__
        yield ".__func__", obj.__func__
        return
    if isinstance(obj, types.BuiltinMethodType):  # a C method: its __self__ is its object
        yield ".__self__", obj.__self__
        return
    if isinstance(obj, types.FunctionType):
        for link in _FUNCTION_LINKS:
            value = getattr(obj, link, None)
            if link == "__closure__" and value:
                for cell, name in zip(value, obj.__code__.co_freevars, strict=False):
                    try:
                        yield f".<cell {name}>", cell.cell_contents
                    except ValueError:  # an empty cell
                        continue
            elif value is not None:
                yield f".{link}", value
        yield from ((f".{name}", value) for name, value in vars(obj).items())
        return
    if isinstance(obj, LEAVES):
        return
    for name in _attribute_names(obj):
        try:
            value = getattr(obj, name)
        except Exception:  # a property that refuses is no leak
            continue
        yield f".{name}", value


def walk(
    root: Any,
    *,
    prune: Callable[[Any], bool] = lambda obj: False,
    max_depth: int = 14,
    limit: int = 2_000_000,
) -> Iterator[Reached]:
    """Every object reachable from ``root`` (breadth first, each object once).

    Args:
        root: where the walk starts (a proposer's context).
        prune: objects reported but not walked into (a store found is a leak already).
        max_depth: longest attribute path followed.
        limit: most objects visited, a guard against an accidentally huge graph.
    """
    seen: set[int] = set()
    alive: list[Any] = []  # keeps temporaries alive so their ids are not reused
    frontier = [("context", root)]
    for depth in range(max_depth + 1):
        following: list[tuple[str, Any]] = []
        for path, obj in frontier:
            if id(obj) in seen or isinstance(obj, _SKIPPED):
                continue
            seen.add(id(obj))
            alive.append(obj)
            if len(alive) > limit:
                raise AssertionError(f"more than {limit} objects reachable from the context")
            yield Reached(path, obj)
            if depth < max_depth and not prune(obj):
                following += [(path + step, child) for step, child in _children(obj)]
        frontier = following
