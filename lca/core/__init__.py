"""lca/core."""
