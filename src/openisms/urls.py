from django.urls import include, path

from openisms.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("openisms.accounts.urls")),
    path("accounts/sso/", include("openisms.orgs.sso")),
    path("", include("openisms.catalog.urls")),
    path("", include("openisms.assets.urls")),
    path("", include("openisms.context.urls")),
    path("", include("openisms.risks.urls")),
    path("", include("openisms.controls.urls")),
    path("", include("openisms.soa.urls")),
    path("", include("openisms.evidence.urls")),
    path("", include("openisms.documents.urls")),
    path("", include("openisms.work.urls")),
    path("", include("openisms.nonconformities.urls")),
    path("", include("openisms.reviews.urls")),
    path("", include("openisms.objectives.urls")),
    path("", include("openisms.oscal.urls")),
    path("", include("openisms.audits.urls")),
    path("", include("openisms.web.urls")),
]
