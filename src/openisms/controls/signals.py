"""What the control register tells the layers above it.

``controls_changed`` is sent inside the writing service's transaction with ``actor`` and
``requirement_ids`` (the requirements whose set of controls, or whose controls' status, owner,
target date or implementation changed). The SoA keeps its rows in step through it without the
register importing the SoA (which sits above it in the layer contract).
"""

from __future__ import annotations

from django.dispatch import Signal

controls_changed = Signal()
