"""The shape of the code, checked: small files and functions, domains that never import the API
and never reach each other through importlib or getattr."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60
SOURCES = sorted(
    path
    for folder in ("api", "domains")
    for path in (ROOT / folder).rglob("*.py")
    if "data" not in path.relative_to(ROOT).parts
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_files_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_FILE_LINES, (
        f"{_name(path)} has {lines} lines (at most {MAX_FILE_LINES}): split it by use case."
    )


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_functions_stay_short(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({(node.end_lineno or node.lineno) - node.lineno + 1} lines)"
        for node in _functions(tree)
        if (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{_name(path)}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if p.relative_to(ROOT).parts[0] == "domains"], ids=_name
)
def test_domains_never_import_the_api_nor_reach_each_other_dynamically(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            if name == "api" or name.startswith("api."):
                problems.append(f"imports {name} (domains never import api/)")
            if name == "importlib" or name.startswith("importlib."):
                problems.append("imports importlib (wire a protocol in api/registry.py instead)")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"__import__"}
        ):
            problems.append("calls __import__")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in _imported_modules(tree)
        ):
            problems.append(f"getattr on the module {node.args[0].id}")
    assert not problems, f"{_name(path)}: " + "; ".join(problems)


def _imported_modules(tree: ast.AST) -> set[str]:
    """Local names bound to modules of other domains (``import domains.x.y as z``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("domains."):
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def test_the_architecture_test_sees_the_sources() -> None:
    # Guards against a glob that silently matches nothing.
    assert any(_name(p) == "domains/kernel/errors.py" for p in SOURCES)
    assert len(SOURCES) > 50
