"""``python -m streamkit``: the command line (see :mod:`streamkit._cli`)."""

from streamkit._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
