"""The cooperative domain's rules, one module per subject."""
