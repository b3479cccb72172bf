"""The pure domain: no Flask, SQLAlchemy, Redis or HTTP. Tested without services."""
