"""The OpenAPI schema names each model by its class name, one namespace for every router:
two routers' schemas of the same name would be documented as one of them (GET /me was
documented with recognition's MeOut before this test). Every schema class of the API
modules has its own name."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from config.api import api

ROOT = Path(__file__).resolve().parents[2]


def test_schema_class_names_are_unique_across_the_api_modules():
    modules = [*ROOT.glob("portevoix/*/api.py"), *ROOT.glob("portevoix/*/api/*.py")]
    assert len(modules) > 8
    where: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.bases:
                where[node.name].append(str(module.relative_to(ROOT)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert twice == {}


def test_me_and_recognition_me_are_documented_with_their_own_schemas():
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "organization" in schemas["MeOut"]["properties"]
    assert "spendable" in schemas["RecognitionMeOut"]["properties"]
