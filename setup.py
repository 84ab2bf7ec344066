"""The optional compiled tokenizer: built where a C compiler works, skipped where not.

Everything else about the package is in ``pyproject.toml``.  When the
extension cannot be built (no compiler, ``CC=false``, missing headers) the
build says so in one warning and goes on: ``streamkit.SSEDecoder`` is then the
pure-Python decoder, which behaves the same.
"""

from __future__ import annotations

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """``build_ext`` that never fails the install: a failed build leaves pure Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler at all, or the platform has none set up
            self._skipped(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._skipped(exc)

    def _skipped(self, exc: Exception) -> None:
        self.warn(
            f"streamkit: the compiled tokenizer was not built ({exc}); "
            "the pure-Python one will be used"
        )


setup(
    ext_modules=[Extension("streamkit._csse", ["streamkit/_csse.c"], optional=True)],
    cmdclass={"build_ext": OptionalBuildExt},
)
