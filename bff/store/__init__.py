"""Persistence: SQLAlchemy models, repositories, PII encryption, Alembic migrations."""
