"""Our content and an organisation's state as OSCAL 1.2 documents (JSON-ready dicts).

- :func:`catalog_document`: a framework of the catalogue as an OSCAL catalog;
- :func:`ssp_document`: the organisation's ISMS as a system security plan;
- :func:`assessment_results_document`: its requirement assessments (the SoA) as assessment
  results;
- :func:`mapping_document`: a mapping set as a mapping collection.

Each is deterministic: exporting unchanged data twice gives the same document, byte for byte
once serialised. The modules behind them share ``common`` (ids, uuids, metadata) and
``org_parts`` (parties, roles, evidence resources).
"""

from __future__ import annotations

from openisms.oscal.catalog_export import catalog_document
from openisms.oscal.mapping_export import mapping_document
from openisms.oscal.results_export import assessment_results_document
from openisms.oscal.ssp_export import ssp_document

__all__ = [
    "assessment_results_document",
    "catalog_document",
    "mapping_document",
    "ssp_document",
]
