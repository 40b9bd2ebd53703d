"""What an asset write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

from typing import TypedDict

from openisms.accounts.models import User
from openisms.assets.models import Asset
from openisms.orgs.access import EditRule


class AssetChanges(TypedDict, total=False):
    name: str
    type: str
    description: str
    owner: str | User | None  # a member's e-mail (or the member)
    custodian: str | User | None
    location: str
    classification: str
    confidentiality: int
    integrity: int
    availability: int
    tags: list[str] | str  # a list, or one text separated by ';'
    depends_on: list[int] | list[Asset]


FIELDS = tuple(AssetChanges.__annotations__)

# An asset's owner looks after the whole record, so every field is theirs to change.
ASSET_RULE = EditRule(noun="asset", assignee_fields=frozenset(FIELDS))
