"""Vector-store backends."""

from app.stores.base import Filters, VectorStore, date_number

__all__ = ["Filters", "VectorStore", "date_number"]
