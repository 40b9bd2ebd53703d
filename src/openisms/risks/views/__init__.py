"""Risk management pages, one module per part; ``risks/urls.py`` uses the names below."""

from openisms.risks.views.assessments import (
    assessment_compare,
    assessment_complete,
    assessment_create,
    assessment_detail,
    assessments,
)
from openisms.risks.views.dashboard import dashboard
from openisms.risks.views.library import library, library_create, library_delete, library_edit
from openisms.risks.views.methods import method, method_rescore
from openisms.risks.views.monte_carlo import simulation_page
from openisms.risks.views.register import (
    export,
    register,
    risk_create,
    risk_delete,
    risk_detail,
    risk_edit,
)
from openisms.risks.views.treatment import (
    acceptance_decide,
    acceptance_request,
    acceptance_revoke,
    action_create,
    action_update,
    risk_accept,
    treatment_plan,
)

__all__ = [
    "acceptance_decide",
    "acceptance_request",
    "acceptance_revoke",
    "action_create",
    "action_update",
    "assessment_compare",
    "assessment_complete",
    "assessment_create",
    "assessment_detail",
    "assessments",
    "dashboard",
    "export",
    "library",
    "library_create",
    "library_delete",
    "library_edit",
    "method",
    "method_rescore",
    "register",
    "risk_accept",
    "risk_create",
    "risk_delete",
    "risk_detail",
    "risk_edit",
    "simulation_page",
    "treatment_plan",
]
