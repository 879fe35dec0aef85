"""Benchmarks: each prints its measurements as ratios against a baseline run in the
same process, because absolute times on a shared 2-core machine mean little."""
