"""Label validation and the label-selector language of list endpoints and firewall `label_selector`s."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.simulators.hcloud.errors import invalid_input

_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY_NAME = re.compile(f"^{_NAME}$")
_VALUE = re.compile(f"^({_NAME})?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_RESERVED_PREFIX = "hetzner.cloud"

Labels = dict[str, str]
Matcher = Callable[[Mapping[str, str]], bool]


def label_problem(key: str, value: Any) -> str | None:
    """Why a label is invalid, or None."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        return f"label key prefix {prefix!r} is not a DNS subdomain"
    if prefix == _RESERVED_PREFIX:
        return f"label key prefix {prefix!r} is reserved"
    if not _KEY_NAME.match(name):
        return f"label key {key!r} is invalid"
    if not isinstance(value, str) or not _VALUE.match(value):
        return f"label value {value!r} for key {key!r} is invalid"
    return None


def validated_labels(raw: Any, field: str = "labels") -> Labels:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise invalid_input(field, "labels must be an object")
    for key, value in raw.items():
        problem = label_problem(key, value)
        if problem:
            raise invalid_input(field, problem)
    return dict(raw)


def _split_terms(selector: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current.strip())
            current = ""
        else:
            current += char
    terms.append(current.strip())
    return [term for term in terms if term]


_SET_TERM = re.compile(r"^(?P<key>[^\s!=(),]+)\s+(?P<op>in|notin)\s+\((?P<values>[^)]*)\)$")
_CMP_TERM = re.compile(r"^(?P<key>[^\s!=(),]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s!=(),]*)$")
_KEY_TERM = re.compile(r"^(?P<neg>!?)\s*(?P<key>[^\s!=(),]+)$")


def _term_matcher(term: str) -> Matcher:
    if found := _SET_TERM.match(term):
        key, op = found["key"], found["op"]
        values = {value.strip() for value in found["values"].split(",") if value.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if found := _CMP_TERM.match(term):
        key, op, value = found["key"], found["op"], found["value"]
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if found := _KEY_TERM.match(term):
        key, negated = found["key"], bool(found["neg"])
        return lambda labels: (key in labels) != negated
    raise invalid_input("label_selector", f"invalid label selector term {term!r}")


def selector_matcher(selector: str) -> Matcher:
    """A predicate over a label map; terms separated by commas must all hold."""
    matchers = [_term_matcher(term) for term in _split_terms(selector)]
    return lambda labels: all(matcher(labels) for matcher in matchers)
