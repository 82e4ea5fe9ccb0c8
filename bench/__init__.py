"""Benchmarks with their targets: `python -m bench [names]` (or `make bench`)."""
