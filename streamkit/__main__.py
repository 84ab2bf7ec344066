"""``python -m streamkit``: the command line (see :mod:`streamkit.cli`)."""

from streamkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
