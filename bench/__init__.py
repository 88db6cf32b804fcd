"""Benchmarks (see README.md here): scripts that print figures beside their floors."""
