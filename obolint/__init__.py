"""obolint: finds credentials leaking into AI agents, prompts, tools, browsers and services."""

from __future__ import annotations

__version__ = "0.1.0"
