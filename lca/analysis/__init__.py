"""lca/analysis."""
