"""Builds the C core (../CSources/CV2G) into v2gkit/libv2g.so with the system's C compiler: no Python C API, no
download. The package loads it with ctypes."""
import os
import re
import shlex
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = sorted((ROOT / "CSources" / "CV2G").glob("*.c"))
VERSION = re.search(r'#define V2G_VERSION_STRING "([^"]+)"', (ROOT / "include" / "v2g" / "v2g_common.h").read_text()).group(1)


class BuildLibrary(build_ext):
    """Compiles the C core as one shared library beside the package's modules (what `make lib` builds)."""

    def run(self):
        if not SOURCES:
            raise RuntimeError(f"no C sources under {ROOT / 'CSources' / 'CV2G'}: install from a V2GKit checkout")
        target = Path(self.build_lib) / "v2gkit" / "libv2g.so"
        target.parent.mkdir(parents=True, exist_ok=True)
        cc = shlex.split(os.environ.get("CC", "cc"))
        flags = ["-std=c11", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-DV2G_BUILDING_LIBRARY",
                 f"-I{ROOT / 'include'}", f"-I{ROOT / 'CSources' / 'CV2G'}"]
        command = cc + flags + [str(s) for s in SOURCES] + ["-o", str(target), "-lm"]
        self.announce(" ".join(command), level=2)
        subprocess.run(command, check=True)
        if self.inplace:
            (HERE / "v2gkit" / "libv2g.so").write_bytes(target.read_bytes())
        self._built = [str(target)]

    def get_outputs(self):
        return getattr(self, "_built", [])


setup(version=VERSION,
      # A placeholder the custom command builds: it makes the wheel platform-specific.
      ext_modules=[Extension("v2gkit.libv2g", sources=[])],
      cmdclass={"build_ext": BuildLibrary})
