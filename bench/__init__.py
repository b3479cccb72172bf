"""Benchmarks: `make bench`. Each prints its figures as ratios to a bare-Flask baseline run in the same process."""
