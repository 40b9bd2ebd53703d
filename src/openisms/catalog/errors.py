"""The one error the catalogue's data-file loaders raise."""


class CatalogError(Exception):
    """A data file is malformed or cannot be loaded; the message names the file and the item."""
