"""`make bench`: figures for speed and API economy, printed and written to .bench/results.json.

Each benchmark module exposes `run() -> dict[str, float]` of flat figure names that carry their
unit (`init_ms.NetsuiteWebhook`, `artifact_mb.SharedLayer`, ...). `python -m bench [name ...]`
runs them all (or the named ones) and merges the figures into the results file, so later
benchmarks add to it rather than replace it.
"""
