"""credgraph's performance harness: a synthetic registry corpus and benchmarks against baselines.

Run everything with ``python -m benchmarks`` (see ``benchmarks/__main__.py``); each area is a
module ``bench_<area>.py`` with ``run(corpus, repeat) -> rows``. ``benchmarks.corpus`` generates
the registry-shaped corpus they share; ``benchmarks.targets`` holds the issue's targets.
"""
