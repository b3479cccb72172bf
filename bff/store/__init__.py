"""Persistence: SQLAlchemy models, named queries (``bff.store.queries``), PII encryption, migrations.

``Session`` and ``Connection`` are re-exported so that services can name the type of the unit of
work (or of the autocommit connection of the busiest reads) they are given without importing
SQLAlchemy themselves.
"""

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

__all__ = ["Connection", "Session"]
