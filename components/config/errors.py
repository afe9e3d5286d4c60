"""Turns pydantic's validation errors into one line per problem, each naming the config key.

A location such as `("penpal:services", 1, "port")` becomes `penpal:services[1].port`; the field's
`Doc` says what it expects. Secret values are never repeated; an unknown key gets a "did you mean".
"""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from components.config.schema import NOT_JSON, RULE, RULES, Doc, StackInput


@dataclass(frozen=True)
class Problem:
    """One line of a ConfigError; `order` sorts problems into the order of the keys in StackInput."""

    order: tuple[int, ...]
    text: str


def top_level_order(key: str) -> int:
    """Position of a top-level key in StackInput (unknown keys first: a typo explains other problems)."""
    for index, field in enumerate(StackInput.model_fields.values()):
        if field.alias == key:
            return index
    return -1


def missing_hint(key: str, doc: Doc) -> str:
    if doc.hint:
        return doc.hint
    return f"pulumi config set {'--secret ' if doc.secret else ''}{key} <value>"


@dataclass(frozen=True)
class _Place:
    """Where a location points: its config key, the innermost Doc, and the model that holds it."""

    path: str
    doc: Doc | None
    secret: bool
    annotation: Any


def _docs(metadata: Any) -> list[Doc]:
    return [item for item in metadata if isinstance(item, Doc)]


def _unwrap(annotation: Any) -> tuple[Any, list[Doc]]:
    """Strips Annotated and `X | None`, collecting Docs on the way."""
    docs: list[Doc] = []
    while True:
        if get_origin(annotation) is Annotated:
            args = get_args(annotation)
            docs += _docs(args[1:])
            annotation = args[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation, docs
            annotation = members[0]
        else:
            return annotation, docs


def _field(model: type[BaseModel], alias: str) -> tuple[Any, list[Doc]] | None:
    for name, field in model.model_fields.items():
        if (field.alias or name) == alias:
            annotation, docs = _unwrap(field.annotation)
            return annotation, _docs(field.metadata) + docs
    return None


def _place(loc: tuple[int | str, ...]) -> _Place:
    annotation: Any = StackInput
    path = ""
    doc: Doc | None = None
    secret = False
    for step in loc:
        found: tuple[Any, list[Doc]] | None = None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(step, str):
            found = _field(annotation, step)
            path = step if not path else f"{path}.{step}"
        elif get_origin(annotation) is list and isinstance(step, int):
            found = _unwrap(get_args(annotation)[0])
            path = f"{path}[{step}]"
        elif get_origin(annotation) is dict and isinstance(step, str):
            found = _unwrap(get_args(annotation)[1])
            path = f"{path}.{step}"
        else:
            path = f"{path}.{step}" if isinstance(step, str) else f"{path}[{step}]"
        if found is None:
            annotation = None
            continue
        annotation, docs = found
        if docs:
            doc = docs[-1]
            secret = secret or doc.secret
    return _Place(path=path, doc=doc, secret=secret, annotation=annotation)


def _sort_order(loc: tuple[int | str, ...], kind: int) -> tuple[int, ...]:
    top = top_level_order(str(loc[0])) if loc else len(StackInput.model_fields)
    item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return (top, item, kind)


def _key_order(key: str) -> tuple[int, ...]:
    """The order of a problem named by its full key, e.g. `penpal:services[2].repo`."""
    top, _, rest = key.partition("[")
    top = top.split(".")[0]
    index = int(rest.split("]")[0]) if rest else -1
    return (top_level_order(top), index, 1)


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    key = str(loc[-1])
    parent = _place(loc[:-1])
    model = parent.annotation if loc[:-1] else StackInput
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return f"{parent.path}: unknown key {key!r}"
    allowed = [field.alias or name for name, field in model.model_fields.items()]
    if not loc[:-1]:
        # Top level: only our own namespace is checked; provider keys (hcloud:, github:, ...) are theirs.
        namespace, _, name = key.partition(":")
        names = [alias.partition(":")[2] for alias in allowed if alias.startswith(f"{namespace}:")]
        match = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        suggestion = f"; did you mean {namespace}:{match[0]}?" if match else ""
        return f"{key}: unknown key{suggestion} (every key is listed in docs/config.md)"
    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    suggestion = f"; did you mean {match[0]!r}?" if match else ""
    return f"{parent.path}: unknown key {key!r}{suggestion} (allowed: {', '.join(allowed)})"


def _one(error: ErrorDetails) -> list[Problem]:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == RULES:
        return rule_problems(ctx["problems"])
    if kind == "extra_forbidden":
        return [Problem(order=_sort_order(loc, 0), text=_unknown_key(loc))]
    if loc and loc[-1] == "[key]":
        # A dict key's own problem (e.g. a reserved env var name) is reported on the dict.
        loc = loc[:-2]
    place = _place(loc)
    order = _sort_order(loc, 1)
    if kind == RULE:
        return [Problem(order=order, text=f"{place.path}: {ctx['message']}")]
    doc = place.doc or Doc("a valid value")
    if kind == "missing":
        text = f"{place.path} is required ({doc.required})"
        # A missing top-level key also says how to set it.
        return [Problem(order=order, text=f"{text}: {missing_hint(place.path, doc)}" if len(loc) == 1 else text)]
    if place.secret:
        # The value is secret: describe the form only, on the top-level key, never echo it.
        return [Problem(order=(order[0], -1, 1), text=f"{loc[0]}: expected {doc.expected}")]
    got = "text that is not JSON" if kind == NOT_JSON else repr(error["input"])
    return [Problem(order=order, text=f"{place.path}: expected {doc.expected}, got {got}")]


def rule_problems(problems: list[tuple[str, str]]) -> list[Problem]:
    """Problems of the rules across keys, each `(full key, message)`."""
    return [Problem(order=_key_order(key), text=f"{key}: {message}") for key, message in problems]


def problems_of(errors: list[ErrorDetails]) -> list[Problem]:
    """Every error as a Problem, duplicates removed (e.g. several bad values inside one secret)."""
    result: list[Problem] = []
    seen: set[str] = set()
    for error in errors:
        for problem in _one(error):
            if problem.text not in seen:
                seen.add(problem.text)
                result.append(problem)
    return result
