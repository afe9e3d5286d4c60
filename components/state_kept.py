"""The base of the dynamic providers whose resource no API can read back (a health check, a registry login).

A refresh keeps what the state holds; `diff` compares the input keys a provider lists, and a change of
one of its `replace_on` keys replaces the resource, deleting the old one first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import DiffResult, ReadResult, ResourceProvider


class StateKeptProvider(ResourceProvider):
    """Holds no data (instances are pickled by reference into Pulumi state): the class lists the keys."""

    # The pickled provider stays a secret in state, like every other provider here.
    serialize_as_secret_always = True
    compared: ClassVar[tuple[str, ...]] = ()
    """Input keys whose change is a diff (the old outputs carry them back)."""
    replace_on: ClassVar[tuple[str, ...]] = ()
    """Those of `compared` whose change needs a new resource instead of an update."""

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in self.compared if olds.get(key) != news.get(key)]
        replaces = [key for key in self.replace_on if key in changed]
        return DiffResult(changes=bool(changed), replaces=replaces, stables=[], delete_before_replace=bool(replaces))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # Nothing outside the state to read: a refresh keeps what the last create/update stored.
        return ReadResult(id_, dict(props))
