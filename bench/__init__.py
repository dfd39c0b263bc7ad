"""Load and scale measurements: `make bench` (see docs/PERFORMANCE.md)."""
