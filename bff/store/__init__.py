"""Persistence: SQLAlchemy models, named queries (``bff.store.queries``), PII encryption, migrations.

``Session`` is re-exported so that services can name the type of the unit of work they are given
without importing SQLAlchemy themselves.
"""

from sqlalchemy.orm import Session

__all__ = ["Session"]
