"""Persistence: SQLAlchemy 2.0 tables, repositories and Alembic migrations (SQLite by default, PostgreSQL).

Nothing above ``services`` touches a session; services never commit (the caller owns the transaction), so a
failed operation leaves nothing half-written.
"""
