"""OpenISMS: a self-hosted ISMS for ISO/IEC 27001:2022."""

__version__ = "0.1.0"
