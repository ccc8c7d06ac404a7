"""Benchmarks that print figures (never pass/fail tests); results go in docs/benchmarks.md."""
