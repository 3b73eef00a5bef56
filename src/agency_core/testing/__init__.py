"""Testing kit for plugin authors: Hypothesis strategies and the conformance suite.

* :mod:`agency_core.testing.strategies`: strategies for every entity and request, valid by
  construction, and strategies for invalid input (bad money, unknown currencies, broken policies);
* :mod:`agency_core.testing.conformance`: the invariants every policy plugin must keep, checked
  with Hypothesis (``conformance.check(plugins=[...])``);
* :mod:`agency_core.testing.pytest_plugin`: ``pytest --agency-conformance=my_plugin``.

Hypothesis is a test dependency (``agency-core[test]``): this package imports it only in those
submodules, so ``import agency_core.testing`` stays cheap.
"""
