"""Check which packages a module imports: by reading its source (AST), and by importing it in a fresh interpreter.

The source check names the line; the import check also catches what a module pulls
in through another one. Used by the purity tests of feeds/adapters and playbooks.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules_under(package_dir: Path) -> list[str]:
    """Return the dotted names of every module in a package directory, its subpackages included."""
    names = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def source_of(module: str) -> Path:
    """Return the file of a dotted module name in this repository."""
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imports_in(module: str) -> list[tuple[int, str]]:
    """Return (line, dotted name) of every import in a module's source, at any depth (functions, TYPE_CHECKING).

    ``from a import b`` gives both "a" and "a.b" (b may be a module).
    """
    path = source_of(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the module's package
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def loaded_by_importing(modules: list[str], roots: tuple[str, ...]) -> dict[str, list[str]]:
    """Import ``modules`` one by one in a fresh interpreter; return, per module, the ``roots`` packages it loaded first."""
    script = (
        "import importlib, json, sys\n"
        f"roots = {list(roots)!r}\n"
        "def loaded():\n"
        "    return {m for m in sys.modules if m.split('.')[0] in roots}\n"
        "seen = loaded()\n"
        "out = {'(interpreter start)': sorted(seen)}\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    now = loaded()\n"
        "    out[name] = sorted(now - seen)\n"
        "    seen = now\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
