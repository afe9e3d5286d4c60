"""Shared type aliases for raw Coolify payloads."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
