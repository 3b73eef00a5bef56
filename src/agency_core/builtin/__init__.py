"""The bundled plugins for the four core rule families: fees, approvals, segregation, retention.

Each is a module registered under its own name; block one (``Engine(block=[...])``) to replace it.
"""
