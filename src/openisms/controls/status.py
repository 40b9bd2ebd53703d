"""One status from the statuses of the several controls that meet one requirement."""

from __future__ import annotations

from collections.abc import Iterable

from openisms.controls.models import ControlStatus

RANK = {
    ControlStatus.NOT_STARTED: 0,
    ControlStatus.PLANNED: 1,
    ControlStatus.PARTIALLY_IMPLEMENTED: 2,
    ControlStatus.IMPLEMENTED: 3,
}


def combined_status(statuses: Iterable[str]) -> str | None:
    """Implemented when every control is; partially implemented when at least one is at least
    partially implemented; planned when at least one is planned; otherwise not started.
    None when there is no control at all."""
    ranks = [RANK[ControlStatus(s)] for s in statuses]
    if not ranks:
        return None
    if min(ranks) == 3:
        return ControlStatus.IMPLEMENTED
    if max(ranks) >= 2:
        return ControlStatus.PARTIALLY_IMPLEMENTED
    if max(ranks) == 1:
        return ControlStatus.PLANNED
    return ControlStatus.NOT_STARTED
