"""What organisation changes tell the layers above (which orgs may not import).

What every organisation has from its first moment is created by the starters registered in
``orgs/starters.py``, not through a signal.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``org`` and ``actor`` when the organisation's PII role (controller, processor or
# both) changed: privacy frameworks apply their controls for the role.
organization_pii_role_changed = Signal()
