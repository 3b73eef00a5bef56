"""Legal (法务部) for agency-core: contracts reviewed before signing, matters that hold records.

Register it with ``Engine(entry_points=["legal"])`` (or install it: the entry point loads it);
keep its state with :class:`agency_legal.store.Legal`.
"""

from agency_legal.entities import ContractSigning, LegalReview, Matter, Verdict, content_digest
from agency_legal.policy import LegalPolicy

__all__ = ["ContractSigning", "LegalPolicy", "LegalReview", "Matter", "Verdict", "content_digest"]
