"""The per-request context handed to every route handler."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .config import SimConfig, Token
from .store import Store
from .wire import Response, clean_input, message


@dataclass
class Ctx:
    store: Store
    config: SimConfig
    base_url: str
    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, Any]
    raw_body: bytes
    content_type: str
    token: Token | None = None
    _parsed: Any = field(default=None, repr=False)
    _parsed_done: bool = field(default=False, repr=False)

    @property
    def team_id(self) -> int:
        assert self.token is not None and self.token.team_id is not None
        return self.token.team_id

    @property
    def can_read_sensitive(self) -> bool:
        return self.token is not None and self.token.can_read_sensitive

    @property
    def is_json(self) -> bool:
        # Laravel's isJson(): the Content-Type mentions /json or +json.
        return "/json" in self.content_type or "+json" in self.content_type

    def parsed_json(self) -> Any:
        if not self._parsed_done:
            self._parsed_done = True
            try:
                self._parsed = json.loads(self.raw_body.decode() or "null")
            except (ValueError, UnicodeDecodeError):
                self._parsed = None
        return self._parsed

    def body(self) -> dict[str, Any]:
        """The JSON object body, cleaned like Laravel's input middleware; {} for anything else."""
        parsed = self.parsed_json() if self.is_json else None
        return clean_input(parsed) if isinstance(parsed, dict) else {}

    def all(self) -> dict[str, Any]:
        """`$request->all()`: query string and JSON body merged, the body winning."""
        return {**clean_input(self.query), **self.body()}

    def has(self, name: str) -> bool:
        return name in self.all()

    def input(self, name: str, default: Any = None) -> Any:
        value = self.all().get(name, default)
        return default if value is None else value

    def json_precheck(self) -> Response | None:
        """Coolify's validateIncomingRequest(): JSON content type, a truthy JSON value, not `{}`."""
        if not self.is_json:
            return message(400, "Invalid request.", error="Content-Type must be application/json.")
        parsed = self.parsed_json()
        # PHP's json_decode: `[]`, `0`, `""`, `false` and `null` are falsy; `{}` decodes to a (truthy) object.
        if parsed is None or (not parsed and not isinstance(parsed, dict)):
            return message(400, "Invalid request.", error="Invalid JSON.")
        if not parsed:
            return message(400, "Invalid request.", error="Empty JSON.")
        return None
