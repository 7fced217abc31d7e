"""Store backends, looked up by name."""

from app.stores.base import Collection, Filters, Rows, Store, Where, date_number, matches

__all__ = ["Collection", "Filters", "Rows", "Store", "Where", "date_number", "matches"]
