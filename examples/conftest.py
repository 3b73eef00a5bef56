"""The examples' tests in the project's shared venv.

examples/firm-plugin is left out: it replaces a bundled plugin, so it is installed and tested in
a venv of its own (`make firm-plugin-test`), as a firm's CI would.
"""

collect_ignore = ["firm-plugin"]
