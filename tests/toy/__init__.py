"""A small plugin that uses every extension point, for the core's own tests."""
