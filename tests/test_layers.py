"""The layers of docs/architecture.md, as the code has them: each module imports only its
own layer and those below, the renderer imports no model, and no module needs an import
inside a function to get round a cycle."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("articles", "authors", "jekyll", "think_tank")

# Lowest first; a module may import its own layer and those below, never one above.
# Kept in step with the "Layers" section of docs/architecture.md.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "pure functions",
        (
            "articles.validators", "articles.slugs", "articles.markdown", "articles.images",
            "articles.image_sources", "articles.citations", "articles.typesetting",
            "articles.labels",
            "articles.crossref",
            "articles.trees",
        ),
    ),
    ("models", ("articles.querysets", "articles.models", "authors.models")),
    (
        "domain",
        (
            "articles.workflow", "articles.permissions", "articles.roles",
            "articles.notifications", "articles.previews", "articles.services",
            "articles.services.*", "articles.search", "articles.related", "articles.caching",
            "articles.state_watch", "articles.credits", "authors.services", "articles.pdfs",
            "articles.tasks.*",
            "articles.finder",
            "articles.finder_index",
            "articles.desk",
            "articles.addresses",
            "articles.published_files",
            "articles.page_records",
            "articles.listing_records",
            "articles.kept_pages",
            "articles.releases",
            "articles.tasks.doi",
        ),
    ),
    (
        "interface",
        (
            "articles.admin", "articles.admin.*", "articles.views", "articles.feeds",
            "articles.finder_views",
            "articles.taxonomy_views", "authors.filters",
            "articles.sitemaps", "articles.urls", "articles.middleware",
            "articles.context_processors", "articles.templatetags.*", "articles.pdf_views",
            "articles.management.commands.*", "authors.admin", "authors.views", "authors.urls",
            "authors.management.commands.*",
            # the project's own request handling: the admin site Django's admin loads
            # (with its login throttling), middleware, error pages, upload limits
            "think_tank.admin", "think_tank.login_throttling", "think_tank.middleware",
            "think_tank.errors", "think_tank.uploads",
        ),
    ),
    ("removable apps", ("jekyll", "jekyll.*", "subscribers", "subscribers.*")),
    ("project", ("think_tank.urls", "think_tank.wsgi", "think_tank.asgi")),
]  # fmt: skip
# Not in a layer: what Django itself loads before any layer (settings, the app configs,
# whose ready() wires the signals) and the migrations, which run apart from the app.
OUTSIDE_THE_LAYERS = ("*.apps", "*.migrations.*", "think_tank.settings")

# Imports inside a function that are lazy on purpose, never to get round a cycle.
LAZY_ON_PURPOSE = {
    ("articles/apps.py", "ready"): "signals are connected once the app registry is ready",
    ("jekyll/apps.py", "ready"): "signals are connected once the app registry is ready",
}


def our_modules() -> dict[str, Path]:
    """Every module of our apps that has code: name → file."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
                if not _imports_of(path):
                    continue  # an empty package: nothing to place
            found[".".join(parts)] = path
    return found


def _imports_of(path: Path) -> list[ast.AST]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def layer_of(module: str) -> int | None:
    for index, (_name, patterns) in enumerate(LAYERS):
        if any(fnmatch(module, pattern) for pattern in patterns):
            return index
    return None


def layered_modules() -> dict[str, int]:
    modules = {}
    for module in our_modules():
        if any(fnmatch(module, pattern) for pattern in OUTSIDE_THE_LAYERS):
            continue
        modules[module] = layer_of(module)
    return modules


# Runs in a fresh interpreter: imports the modules given one by one and reports, for each,
# which of our modules were loaded by then. With `setup`, Django is set up first, with the
# apps' ready() switched off, so that only what the modules themselves import is loaded.
_PROBE = """
import json, sys
modules, setup = json.loads(sys.argv[1]), sys.argv[2] == "1"
if setup:
    import django
    from django.apps import AppConfig
    create = AppConfig.create
    def quiet(entry):
        config = create(entry)
        config.ready = lambda: None
        return config
    AppConfig.create = staticmethod(quiet)
    django.setup()
import importlib
report = {"": sorted(sys.modules)}
for module in modules:
    importlib.import_module(module)
    report[module] = sorted(sys.modules)
print(json.dumps(report))
"""


def probe(modules: list[str], *, setup: bool) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(modules), "1" if setup else "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_module_of_our_apps_has_a_layer():
    unplaced = sorted(module for module, layer in layered_modules().items() if layer is None)
    assert unplaced == [], (
        "Give these modules a layer (docs/architecture.md, and LAYERS here): " + ", ".join(unplaced)
    )


@pytest.mark.parametrize("layer", range(len(LAYERS)), ids=[name for name, _ in LAYERS])
def test_a_layer_imports_nothing_above_it(layer):
    modules = layered_modules()
    own = sorted(module for module, index in modules.items() if index == layer)
    above = {module for module, index in modules.items() if index is not None and index > layer}
    # The pure functions are imported without Django set up: they need no app registry.
    report = probe(own, setup=layer > 0)
    seen: set[str] = set()
    pulled_in = {}
    for module in ["", *own]:
        loaded = set(report[module]) & above
        for higher in sorted(loaded - seen):
            pulled_in[higher] = module or "setting Django up"
        seen |= loaded
    assert pulled_in == {}, f"{LAYERS[layer][0]} imports layers above it: {pulled_in}"


def test_the_renderer_imports_no_model():
    loaded = probe(["articles.markdown"], setup=False)["articles.markdown"]
    ours = [module for module in loaded if module.split(".")[0] in APPS]
    assert ours == ["articles", "articles.markdown"]
    # No model module at all, ours or Django's: the renderer is text in, text out.
    assert not [module for module in loaded if module.endswith(".models")]
    assert "django.db.models" not in loaded


def test_no_module_imports_our_code_inside_a_function():
    found = []
    for module, path in our_modules().items():
        if ".migrations." in f"{module}.":
            continue  # a migration's RunPython imports what it runs when it runs
        relative = path.relative_to(ROOT).as_posix()
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (relative, function.name) in LAZY_ON_PURPOSE:
                continue
            for node in ast.walk(function):
                if _imports_our_code(node):
                    found.append(f"{relative}:{node.lineno} in {function.name}()")
    assert found == [], (
        "Imports inside functions (move them to the top of the module; if that makes a "
        "cycle, the code is in the wrong layer): " + ", ".join(sorted(set(found)))
    )


def _imports_our_code(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in APPS
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in APPS for alias in node.names)
    return False
