"""Sourcing rules: the supplier directory, shortlists, comparison and exports."""
