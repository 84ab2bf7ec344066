"""``python -m benchmarks <name> [--quick] [--seed N] [--write]``, or ``all``.

Every module ``benchmarks/bench_<name>.py`` is a subcommand. It has a docstring
(its help), may have ``add_arguments(parser)``, and has ``main(args) -> str``
returning its results as Markdown. ``--write`` replaces that benchmark's section
of ``benchmarks/RESULTS.md`` (between ``<!-- <name>:begin -->`` and
``<!-- <name>:end -->``), keeping the other sections. ``all`` runs every
benchmark in turn with the same options (CI runs ``all --quick`` once, to see
that none is broken; it asserts nothing about time).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import pkgutil
import platform
import re
import shlex
import sys
from pathlib import Path

import benchmarks

RESULTS = Path(__file__).with_name("RESULTS.md")
DESCRIPTION = "Run one of streamkit's benchmarks and print its results as Markdown."
TITLE = "# Benchmark results\n\nWritten by `python -m benchmarks <name> --write`.\n"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> str:
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{today}, {python}, {platform.system()} {platform.machine()}, CPU: {cpu_model()}"


def write_section(name: str, body: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    section = f"{begin}\n{body.strip()}\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else TITLE
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def modules() -> dict[str, object]:
    """Every benchmark module, by name."""
    return {
        info.name[6:]: importlib.import_module(f"benchmarks.{info.name}")
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    }


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quick", action="store_true", help="smaller input, fewer repetitions")
    common.add_argument("--seed", type=int, default=0, help="seed of the generated input")
    common.add_argument("--write", action="store_true", help=f"update {RESULTS.name}")
    top = argparse.ArgumentParser(prog="python -m benchmarks", description=DESCRIPTION)
    commands = top.add_subparsers(dest="name", required=True, metavar="BENCHMARK")
    for name, module in modules().items():
        summary = (module.__doc__ or "").strip().split("\n")[0]
        sub = commands.add_parser(name, parents=[common], help=summary)
        if hasattr(module, "add_arguments"):
            module.add_arguments(sub)
        sub.set_defaults(main=module.main)  # type: ignore[attr-defined]
    commands.add_parser("all", parents=[common], help="every benchmark in turn")
    return top


def run(name: str, argv: list[str]) -> None:
    """Run benchmark *name* with *argv* (its options) and print, or write, its section."""
    args = parser().parse_args([name, *argv])
    results: str = args.main(args)
    command = shlex.join(["python", "-m", "benchmarks", name, *argv])
    body = f"## {name}\n\n`{command}`\n\n{environment()}\n\n{results}\n"
    print(body, flush=True)
    if args.write:
        write_section(name, body)
        print(f"wrote the {name} section of {RESULTS}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    options = argv[1:]
    names = list(modules()) if args.name == "all" else [args.name]
    for name in names:
        run(name, options)


if __name__ == "__main__":
    main()
