"""The catalog's rules, one module per subject."""
