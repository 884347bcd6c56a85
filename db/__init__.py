"""The storage layer: SQLAlchemy models, the engine, Alembic migrations and backups."""
