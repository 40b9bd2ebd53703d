"""The risk module's API. The modules register their routes on one router, in this order
(the order of the OpenAPI document)."""

from openisms.risks.api import acceptance, method, register
from openisms.risks.api._router import router

__all__ = ["acceptance", "method", "register", "router"]
