"""SQLAlchemy storage: models, engine, unit of work, repositories, Alembic migrations."""
