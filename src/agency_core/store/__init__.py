"""Durable state on SQLAlchemy 2.0: the only package of agency-core that imports SQLAlchemy."""
