"""OSCAL: read, validate and resolve NIST's Open Security Controls Assessment Language documents
(catalogs and profiles, JSON, YAML or XML), import them as frameworks, and write our own content
and an organisation's state as OSCAL (catalog, SSP, assessment results, mapping collection).

The reading, validation and resolution modules (``documents``, ``xml``, ``validate``,
``resolve``, ``flatten``) are plain Python with no database access; ``services`` and
``exports`` use the domain apps.
"""
