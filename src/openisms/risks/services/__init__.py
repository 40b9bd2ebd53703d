"""Writes for risk assessment and treatment. Each is atomic and records its audit event.

The parts live in their own modules (methods, library, register, treatment, assessments);
this package re-exports them, so callers keep writing ``services.risk_update(...)``.
"""

from openisms.risks.fields import RANGE_KEYS, RISK_FIELDS, RISK_RULE
from openisms.risks.services.acceptance import (
    ACCEPTANCE_FLOW,
    acceptance_revoke,
    may_decide,
    needs_acceptance,
    risk_accept,
    risk_acceptance_approve,
    risk_acceptance_reject,
    risk_acceptance_request,
)
from openisms.risks.services.assessments import assessment_complete, assessment_create
from openisms.risks.services.common import CONTROL_FRAMEWORK, _compute, _risk_snapshot
from openisms.risks.services.library import (
    LIBRARY,
    library_item_delete,
    library_item_save,
    library_load,
)
from openisms.risks.services.method import risk_method_update, risk_module_setup, risk_rescore
from openisms.risks.services.register import (
    can_edit_risk,
    risk_create,
    risk_delete,
    risk_update,
    validate_quant,
)
from openisms.risks.services.treatment import action_save

__all__ = [
    "ACCEPTANCE_FLOW",
    "CONTROL_FRAMEWORK",
    "LIBRARY",
    "RANGE_KEYS",
    "RISK_FIELDS",
    "RISK_RULE",
    "_compute",
    "_risk_snapshot",
    "acceptance_revoke",
    "action_save",
    "assessment_complete",
    "assessment_create",
    "can_edit_risk",
    "library_item_delete",
    "library_item_save",
    "library_load",
    "may_decide",
    "needs_acceptance",
    "risk_accept",
    "risk_acceptance_approve",
    "risk_acceptance_reject",
    "risk_acceptance_request",
    "risk_create",
    "risk_delete",
    "risk_method_update",
    "risk_module_setup",
    "risk_rescore",
    "risk_update",
    "validate_quant",
]
