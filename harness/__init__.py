"""What the tests and the benchmarks share: audio clips, Wyoming clients, word error rates,
starting servers on free ports, recorded speech, and driving HA's Assist pipeline.

Tests and benchmarks both import from here and never from each other.
"""
