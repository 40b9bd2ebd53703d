"""What catalogue loading tells the layers above.

``framework_loaded`` is sent inside the loader's transaction with ``framework`` and
``created`` (how many requirements the load added): organisations that track the framework
get assessment rows for the new requirements there and then, so no read has to create them.
"""

from __future__ import annotations

from django.dispatch import Signal

framework_loaded = Signal()
