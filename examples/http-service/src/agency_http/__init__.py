"""An example host: agency-core's engine and store behind an HTTP API (see ``README.md``)."""

from agency_http.app import create_app

__all__ = ["create_app"]
