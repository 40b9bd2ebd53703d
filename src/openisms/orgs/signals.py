"""What organisation writes tell the layers above (which orgs may not import).

``organization_created`` is sent inside ``organization_create``'s transaction with ``org`` and
``actor`` (the creating user, or None): domain apps set up what every organisation has from
its first moment (the SoA's framework tracked, the default risk method), so no read has to.
"""

from __future__ import annotations

from django.dispatch import Signal

organization_created = Signal()

# Sent with ``org`` and ``actor`` when the organisation's PII role (controller, processor or
# both) changed: privacy frameworks apply their controls for the role.
organization_pii_role_changed = Signal()
