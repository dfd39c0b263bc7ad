"""The arrows point one way: storefront and admin → domains; ordering → sourcing → search → catalog →
cooperatives → accounts → core. A domain never imports one above it (that would be a cycle waiting to happen), and
no domain imports the storefront."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "marketplace"

# Lower layers first; a package may import its own layer's package and any below it.
LAYERS = {
    "core": 0, "extensions": 0, "config": 0,
    "accounts": 1,
    "cooperatives": 2,
    "catalog": 3,
    "search": 4,
    "sourcing": 5,
    "ordering": 6,
    "ledger": 7,
    "payments": 8,
    "procurement": 9,
    "admin": 10, "storefront": 10, "main": 10,
}
# The app factory, commands and demo data wire everything.
WIRING = {"__init__", "cli", "demo", "demo_catalog", "demo_orders", "demo_procurement", "bench_data"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("marketplace."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("marketplace."))
    return names


def package_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_every_package_has_a_layer():
    packages = {package_of(path) for path in PACKAGE.rglob("*.py")} - WIRING
    assert packages <= set(LAYERS), f"give these a layer: {packages - set(LAYERS)}"


def test_imports_only_point_down_the_layers():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        package = package_of(path)
        if package in WIRING:
            continue
        for imported in imported_packages(path) - {package}:
            below = LAYERS.get(imported, 99) < LAYERS[package] or LAYERS[package] == LAYERS.get(imported) == 0
            if not below:
                wrong.append(f"{path.relative_to(PACKAGE)} imports marketplace.{imported}")
    assert wrong == []


def test_no_domain_imports_the_storefront():
    for path in PACKAGE.rglob("*.py"):
        if package_of(path) not in WIRING | {"storefront"}:
            assert "storefront" not in imported_packages(path), path
