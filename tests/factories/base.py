"""The base of every model factory: rows go through the app's own SQLAlchemy session.

Rows are written with the models of ``bff.store.models``, so their encrypted columns (ID
numbers, mobiles, answers, certificate contents) are sealed by the same column types as the
app's own writes. Each factory flushes as it builds and commits when a row and its
post-generation rows are complete: the API reads on other connections, which see only
committed rows.
"""

from __future__ import annotations

from typing import Any

from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from bff.extensions import db


def app_session() -> Session:
    """The session of the current app context: the one the views of a test client share."""
    return db.session


class StoreFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = app_session
        sqlalchemy_session_persistence = "flush"

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            app_session().commit()
