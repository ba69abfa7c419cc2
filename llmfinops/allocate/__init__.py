"""Allocation: which cost center each usage row belongs to (first cut: ordered rules, first match wins)."""
