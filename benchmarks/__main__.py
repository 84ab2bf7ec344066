"""``python -m benchmarks <name> [--quick] [--seed N] [--write]``.

Every module ``benchmarks/bench_<name>.py`` is a subcommand. It has a docstring
(its help), may have ``add_arguments(parser)``, and has ``main(args) -> str``
returning its results as Markdown. ``--write`` replaces that benchmark's section
of ``benchmarks/RESULTS.md`` (between ``<!-- <name>:begin -->`` and
``<!-- <name>:end -->``), keeping the other sections.
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


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quick", action="store_true", help="smaller input, fewer repetitions")
    common.add_argument("--seed", type=int, default=0, help="seed of the generated input")
    common.add_argument("--write", action="store_true", help=f"update {RESULTS.name}")
    top = argparse.ArgumentParser(prog="python -m benchmarks", description=DESCRIPTION)
    commands = top.add_subparsers(dest="name", required=True, metavar="BENCHMARK")
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            summary = (module.__doc__ or "").strip().split("\n")[0]
            sub = commands.add_parser(info.name[6:], parents=[common], help=summary)
            if hasattr(module, "add_arguments"):
                module.add_arguments(sub)
            sub.set_defaults(main=module.main)
    return top


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    results: str = args.main(args)
    command = shlex.join(["python", "-m", "benchmarks", *argv])
    body = f"## {args.name}\n\n`{command}`\n\n{environment()}\n\n{results}\n"
    print(body)
    if args.write:
        write_section(args.name, body)
        print(f"wrote the {args.name} section of {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
