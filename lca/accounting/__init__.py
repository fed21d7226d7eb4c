"""lca/accounting."""
