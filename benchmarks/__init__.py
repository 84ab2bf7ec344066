"""streamkit's benchmarks: ``python -m benchmarks <name>``, one module ``bench_<name>.py`` each.

They live outside ``tests/`` and are never collected by pytest. Run them from the
repository root, so that ``streamkit`` is imported from the working tree.
"""
