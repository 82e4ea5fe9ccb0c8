"""One router for the whole API; each app registers its viewsets in its own api.py."""

from rest_framework.routers import DefaultRouter

from bangfu.cases import api as cases_api
from bangfu.core import api as core_api
from bangfu.funds import api as funds_api
from bangfu.households import api as households_api
from bangfu.indicators import api as indicators_api
from bangfu.ingest import api as ingest_api
from bangfu.pairings import api as pairings_api
from bangfu.projects import api as projects_api
from bangfu.regions import api as regions_api

router = DefaultRouter()
for module in (
    regions_api,
    pairings_api,
    funds_api,
    projects_api,
    households_api,
    indicators_api,
    ingest_api,
    cases_api,
    core_api,
):
    module.register(router)
