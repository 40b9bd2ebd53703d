"""Panels that a higher layer adds to a lower layer's detail pages.

Why a registry: a risk page and an SoA row show the evidence and tasks linked to them, but
``risks`` and ``soa`` sit below ``evidence`` and ``work`` in the layer contract and may not
import them. The composition layer (``openisms.web``) registers a context provider for a named
panel in its ``AppConfig.ready``; a page asks for the panel by name and passes its object.
A page whose panel has no provider simply shows nothing there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PanelProvider = Callable[..., dict[str, Any]]

_providers: dict[str, PanelProvider] = {}


def register(name: str, provider: PanelProvider) -> None:
    """Register (or replace) the context provider of panel ``name``."""
    _providers[name] = provider


def panel_context(name: str, actor: Any, **target: Any) -> dict[str, Any]:
    """Template context for panel ``name`` about ``target`` (empty when none is registered)."""
    provider = _providers.get(name)
    return provider(actor, **target) if provider is not None else {}
