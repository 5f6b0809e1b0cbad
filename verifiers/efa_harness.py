"""The EFA property harness: the program that runs a candidate EFA inside the sandbox.

It is shipped as ``main.py`` next to the candidate's source (``candidate_efa.txt``, not a
``.py`` file, so it cannot shadow a module) and a job (``efa_job.json``). Plain standard
library (the sandbox has no discolab) and no ``from __future__`` import. It runs
pytest-style property tests (under pytest when the sandbox has it, else by a plain loop)
that only COLLECT RAW DATA: the parameters, texts and answers of seeded samples, the seed
problem, replayed and varied parameters. Every record is one JSON line, prefixed by a
per-run token the host sent on stdin, in ``efa_observations.jsonl``, a file opened before
the candidate is loaded. The host decides every property from those lines; test outcomes
inside the sandbox are error reports only, never verdicts.

Before the candidate is loaded an audit hook is installed that refuses (and records) what
an EFA never needs: opening a file for writing, opening or listing a path outside the work
dir and the Python installation, any ``socket.*`` event, starting processes, ``ctypes``,
``gc`` object walks, tracing hooks and file-system changes. Each method call gets a
per-call time limit (``SIGALRM``), so an infinite loop is reported with its parameters.

Known gap: the candidate shares this process, so a determined candidate can still forge
these records (it would be lying about its own ``solve``); the host recomputes every
verdict, the answer key never enters the sandbox, and single-valuedness is checked in a
second, fresh process.
"""

import copy
import inspect
import json
import os
import random
import signal
import sys
import sysconfig
import time
import types
from fractions import Fraction

CANDIDATE = "candidate_efa.txt"
JOB = "efa_job.json"
OUT = "efa_observations.jsonl"
MAX_TEXT = 4000
MAX_ANSWER = 1000
MAX_PARAMS = 4000
MAX_SHORT = 300
MAX_VIOLATIONS = 20
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
REFUSED = {
    "subprocess.Popen": "starting a process",
    "os.system": "starting a process",
    "os.exec": "starting a process",
    "os.posix_spawn": "starting a process",
    "os.spawn": "starting a process",
    "os.fork": "forking a process",
    "os.forkpty": "forking a process",
    "pty.spawn": "starting a process",
    "os.kill": "signalling a process",
    "os.killpg": "signalling a process",
    "ctypes.dlopen": "loading a C library with ctypes",
    "ctypes.dlsym": "looking up a C symbol with ctypes",
    "ctypes.cdata": "reading raw memory with ctypes",
    "gc.get_objects": "walking the interpreter's objects (gc)",
    "gc.get_referrers": "walking the interpreter's objects (gc)",
    "gc.get_referents": "walking the interpreter's objects (gc)",
    "sys.settrace": "installing a trace function",
    "sys.setprofile": "installing a profile function",
    "os.remove": "deleting a file",
    "os.rename": "renaming a file",
    "os.rmdir": "removing a directory",
    "os.mkdir": "creating a directory",
    "os.truncate": "truncating a file",
    "os.chmod": "changing file permissions",
    "os.link": "creating a link",
    "os.symlink": "creating a link",
    "os.utime": "changing file times",
    "shutil.rmtree": "removing a directory tree",
    "shutil.copyfile": "copying a file",
    "shutil.move": "moving a file",
    "urllib.Request": "network access",
}


class CallTimeout(BaseException):
    """A method call outlived its per-call limit (BaseException: ``except Exception`` misses it)."""


def short(value, cap=MAX_SHORT):
    try:
        text = value if isinstance(value, str) else repr(value)
    except BaseException:
        text = f"<unprintable {type(value).__name__}>"
    return text if len(text) <= cap else text[: cap - 3] + "..."


def describe(exc):
    try:
        message = str(exc)
    except BaseException:
        message = "<unprintable>"
    return short(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def python_roots():
    """Directories an import may read: the standard library and site-packages."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths = sysconfig.get_paths()
    roots.update(paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths)
    return tuple(sorted({os.path.realpath(r).rstrip(os.sep) + os.sep for r in roots if r}))


def install_guard(workdir, emit):
    """Refuse and record every operation an EFA never needs (see the module docstring)."""
    work = os.path.realpath(workdir).rstrip(os.sep) + os.sep
    roots = (work, *python_roots())
    count = [0]

    def readable(path):
        real = os.path.realpath(path)
        return real in ("/dev/null", "/dev/urandom") or any(
            (real + os.sep).startswith(root) for root in roots
        )

    def refusal(event, args):
        if event == "open":
            path, mode, flags = (*tuple(args), None, None, None)[:3]
            writing = (isinstance(flags, int) and flags & WRITE_FLAGS) or (
                isinstance(mode, str) and any(c in mode for c in "wax+")
            )
            if isinstance(path, int):
                return f"writing to file descriptor {path}" if writing else None
            name = os.fsdecode(path) if isinstance(path, str | bytes) else short(path)
            if writing:
                return f"opening {short(name, 120)!r} for writing"
            if not readable(name):
                return f"opening {short(name, 120)!r} outside the work dir"
            return None
        if event in ("os.listdir", "os.scandir"):
            path = args[0] if args and args[0] is not None else "."
            name = os.fsdecode(path) if isinstance(path, str | bytes) else None
            if name is not None and not readable(name):
                return f"listing the directory {short(name, 120)!r} outside the work dir"
            return None
        if event.startswith("socket."):
            return f"opening a network socket ({event})"
        if event in REFUSED:
            return f"{REFUSED[event]} ({event})"
        return None

    def hook(event, args):
        what = refusal(event, args)
        if what is None:
            return
        if count[0] < MAX_VIOLATIONS:
            count[0] += 1
            emit({"t": "violation", "what": what, "event": event})
        raise PermissionError(f"refused by the EFA sandbox: {what}")

    sys.addaudithook(hook)


def json_data(value, what):
    """``value`` as plain JSON data (a deep copy), or raise ValueError naming ``what``."""
    try:
        text = json.dumps(value, allow_nan=False, sort_keys=True)
    except BaseException as exc:
        raise ValueError(f"{what} is not plain JSON data: {describe(exc)}") from None
    if len(text) > MAX_PARAMS:
        raise ValueError(f"{what} is longer than {MAX_PARAMS} characters as JSON")
    return json.loads(text)


def encode_answer(value):
    """The raw form of a ``solve`` result: its type and exact text (never its own __str__)."""
    if isinstance(value, bool):
        return {"type": "bool", "text": "True" if value else "False"}
    if isinstance(value, int):
        return {"type": "int", "text": _digits(value)}
    if isinstance(value, Fraction):
        text = f"{_digits(value.numerator)}/{_digits(value.denominator)}"
        return {"type": "Fraction", "text": text}
    if isinstance(value, float):
        return {"type": "float", "text": float.__repr__(value)}
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic):
        return {"type": "sympy", "text": _capped(sympy.sstr(value))}
    return {"type": type(value).__name__[:40], "text": short(value, 80)}


def _digits(number):
    if abs(int(number)).bit_length() > 4 * MAX_ANSWER:
        raise ValueError(f"the answer has more than {MAX_ANSWER} digits")
    return _capped(int.__repr__(int(number)))


def _capped(text):
    if len(text) > MAX_ANSWER:
        raise ValueError(f"the answer's text is longer than {MAX_ANSWER} characters")
    return text


class Runner:
    """Calls the candidate under the per-call limit and writes the records."""

    def __init__(self, emit, per_call):
        self.emit = emit
        self.per_call = per_call
        self.efa = None
        self.cls = None

    def call(self, what, function, *args):
        def expire(signum, frame):
            raise CallTimeout

        signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.per_call)
        try:
            return function(*args)
        except CallTimeout:
            raise TimeoutError(f"{what} did not return within {self.per_call:g} s") from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def instance(self, params, *, render=True, repeat=True):
        """Render and solve ``params``; a record of the text, the answer(s) and any error."""
        out = {"params": params}
        where = "render"
        try:
            if render:
                text = self.call("render", self.efa.render, copy.deepcopy(params))
                if not isinstance(text, str):
                    raise TypeError(f"render returned a {type(text).__name__}, not a str")
                out["text"] = text[:MAX_TEXT]
                out["text_truncated"] = len(text) > MAX_TEXT
            where = "solve"
            out["answer"] = encode_answer(self.call("solve", self.efa.solve, copy.deepcopy(params)))
            if repeat:
                again = self.call("solve", self.efa.solve, copy.deepcopy(params))
                out["answer_again"] = encode_answer(again)
        except BaseException as exc:  # SystemExit in solve is data too
            out["error"] = {"where": where, "exception": describe(exc)}
        return out


def load_candidate(runner, emit):
    with open(CANDIDATE, encoding="utf-8") as fh:
        source = fh.read()
    install_guard(os.getcwd(), emit)  # after pytest's own set-up, before any candidate code
    module = types.ModuleType("candidate_efa")
    module.__file__ = os.path.abspath(CANDIDATE)
    sys.modules["candidate_efa"] = module
    runner.call("import", exec, compile(source, CANDIDATE, "exec"), module.__dict__)
    return module


def name_of(function):
    return str(getattr(function, "__name__", "method"))[:40]


def signature_problem(function, arity):
    if not callable(function):
        return "is not callable"
    try:
        inspect.signature(function).bind(*([None] * arity))
    except TypeError as exc:
        wanted = "(self, params)" if name_of(function) != "sample" else "(self, rng)"
        return f"cannot be called as {name_of(function)}{wanted} ({short(exc, 120)})"
    except ValueError:
        return None  # builtins without a signature: let the calls decide
    return None


def describe_class(cls, info):
    """What the host needs to decide ``extractable``, written into ``info``."""
    for name in ("sample", "render", "solve"):
        raw = inspect.getattr_static(cls, name, None)
        if raw is None:
            info["methods"][name] = "missing"
            continue
        # an instance calls a plain function with self; static and class methods without
        arity = 1 if isinstance(raw, staticmethod | classmethod) else 2
        info["methods"][name] = signature_problem(getattr(cls, name), arity)
    kind = getattr(cls, "answer_kind", None)
    info["answer_kind"] = short(kind, 60)
    info["answer_kind_is_str"] = type(kind) is str
    for key in ("seed_params", "options"):
        try:
            info[key] = json_data(getattr(cls, key, None), key)
        except ValueError as exc:
            info[key + "_error"] = str(exc)


def test_extractable(state):
    """Load the module and describe its EFA class (the host decides what is valid)."""
    runner = state["runner"]
    try:
        module = load_candidate(runner, state["emit"])
    except BaseException as exc:
        state["emit"]({"t": "extract", "loaded": False, "error": describe(exc)})
        raise
    cls = module.__dict__.get("EFA")
    info = {"t": "extract", "loaded": True, "has_class": isinstance(cls, type), "methods": {}}
    if isinstance(cls, type):
        try:
            describe_class(cls, info)
        except BaseException as exc:  # a hostile descriptor or metaclass
            info["error"] = f"inspecting the class raised {describe(exc)}"
        else:
            runner.cls = cls
    state["emit"](info)
    assert runner.cls is not None, "no class named EFA"


def test_executable(state):
    """Build the EFA and run sample/render/solve on seeded samples and the seed params."""
    runner, job, emit = state["runner"], state["job"], state["emit"]
    if runner.cls is None:
        return
    try:
        runner.efa = runner.call("__init__", runner.cls, **job.get("options", {}))
    except BaseException as exc:
        emit({"t": "init", "error": describe(exc)})
        raise
    emit({"t": "init"})
    if job["mode"] == "explore":
        for i in range(job["samples"]):
            rng = random.Random(f"discolab-efa:{job['seed']}:{i}")
            try:
                params = json_data(runner.call("sample", runner.efa.sample, rng), "the sample")
                if not isinstance(params, dict):
                    raise TypeError(f"sample returned a {type(params).__name__}, not a dict")
            except BaseException as exc:
                error = {"where": "sample", "exception": describe(exc)}
                emit({"t": "sample", "i": i, "error": error})
                continue
            emit({"t": "sample", "i": i, **runner.instance(params)})
        seed = getattr(runner.cls, "seed_params", None)
        try:
            seed = json_data(seed, "seed_params")
        except ValueError as exc:
            emit({"t": "seed", "error": {"where": "seed_params", "exception": str(exc)}})
        else:
            emit({"t": "seed", **runner.instance(seed, repeat=False)})
    else:
        for i, params in enumerate(job["params"]):
            emit({"t": "replay", "i": i, **runner.instance(params, render=False, repeat=False)})
        # variants mix parameters of different samples, which an EFA may never have been
        # meant to solve: they get a shorter per-call limit and a total time budget
        runner.per_call = min(runner.per_call, float(job["variant_per_call"]))
        deadline = time.monotonic() + float(job["variant_budget"])
        for i, params in enumerate(job["variants"]):
            if time.monotonic() > deadline:
                emit({"t": "variants_stopped", "i": i})
                break
            emit({"t": "variant", "i": i, **runner.instance(params, repeat=False)})


TESTS = (test_extractable, test_executable)


def run_plain(state):
    for test in TESTS:
        try:
            test(state)
        except BaseException as exc:
            state["emit"]({"t": "test", "name": test.__name__, "outcome": describe(exc)})
            return


def run_pytest(pytest, state):
    """Run :data:`TESTS` under pytest; its outcomes are recorded as error reports only."""

    class Plugin:
        @pytest.fixture
        def state(self):
            return state

        @pytest.hookimpl
        def pytest_runtest_logreport(self, report):
            if report.when == "call" and report.failed:
                text = short(getattr(report, "longreprtext", "") or "failed", MAX_SHORT)
                state["emit"]({"t": "test", "name": report.nodeid, "outcome": text})

    args = ["-q", "-x", "-p", "no:cacheprovider", "-p", "no:faulthandler", "--capture=no"]
    args += ["--rootdir", os.getcwd(), "-o", "python_files=main.py", os.path.abspath(__file__)]
    pytest.main(args, plugins=[Plugin()])


def main():
    token = sys.stdin.readline().strip()
    with open(JOB, encoding="utf-8") as fh:
        job = json.load(fh)
    sys.dont_write_bytecode = True
    random.seed()  # a fork of a preloaded interpreter would share its parent's state
    with open(OUT, "w", encoding="utf-8") as out:
        run(job, token, out)


def run(job, token, out):

    def emit(record):
        out.write(token + " " + json.dumps(record, sort_keys=True, default=short) + "\n")
        out.flush()

    emit({"t": "start", "mode": job["mode"]})
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        import pytest
    except ImportError:
        pytest = None
    state = {"job": job, "emit": emit, "runner": Runner(emit, float(job["per_call"]))}
    if pytest is not None and job.get("pytest", True):
        run_pytest(pytest, state)
    else:
        run_plain(state)
    emit({"t": "done"})


if __name__ == "__main__":
    main()
