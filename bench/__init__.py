"""Reproducible benchmarks against peer frameworks: ``python -m bench`` (``make bench``) prints one table.

Each scenario starts a fresh Bot API stand-in (``sandbox.Sandbox`` with the same added latency
for every peer) in the benchmark's own process, runs the peer under test in a separate subprocess,
drives the load through the sandbox's control API (acting as users) and measures at the stand-in.
"""
