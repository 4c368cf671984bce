"""kamkit: key-account management analytics on transaction logs.

From a transaction log in pandas, kamkit builds the customer archive
(客户档案), scores and tiers customers, follows their lifecycle and estimates
their lifetime value. The numeric work runs in a C++ core.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
