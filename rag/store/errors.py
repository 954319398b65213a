"""The index's clear, user-facing errors (the CLI and the HTTP routes turn them into messages and statuses)."""
from __future__ import annotations


class IndexError_(Exception):
    """Base of the index's clear, user-facing errors."""


class ModelNotFoundError(IndexError_):
    pass


class IndexMismatchError(IndexError_):
    pass


class StoreUnavailableError(IndexError_):
    pass


class BackendMismatchError(IndexMismatchError):
    pass


class IngestLockedError(IndexError_):
    pass


class CorruptIndexError(IndexError_):
    pass
