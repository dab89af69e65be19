"""Where the browser and audit suites find their external tools, and what happens when one is missing.

Locally a missing tool skips the test with the reason; with CI=true it fails it, because on CI a
skipped audit would look like a passed one.
"""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Debian's Chromium, driven by Playwright without its downloaded browsers (`playwright install` is not used).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    """True when the CI variable is set to a true-ish value, as CI services do."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def chromium_path() -> str:
    """The Chromium binary: $CHROMIUM_PATH, else Debian's."""
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def java_path() -> str | None:
    """The java binary on PATH, if any."""
    return shutil.which("java")


def _missing_playwright() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


def _missing_chromium() -> str | None:
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return f"Chromium not found at {path} (apt-get install chromium, or set CHROMIUM_PATH)"
    return None


def _missing_java() -> str | None:
    if java_path() is None:
        return "java not found on PATH (apt-get install default-jre-headless), needed by the Nu HTML checker"
    return None


def _missing_file(path: Path) -> str | None:
    if not path.is_file():
        return f"{path.relative_to(ROOT)} is missing (run npm install in the project root)"
    return None


CHECKS = {
    "playwright": _missing_playwright,
    "chromium": _missing_chromium,
    "java": _missing_java,
    "axe": lambda: _missing_file(AXE_JS),
    "vnu": lambda: _missing_file(VNU_JAR),
}


def require(*tools: str) -> None:
    """Skip the current test when one of `tools` is missing; fail it instead when CI=true."""
    problems = [problem for tool in tools if (problem := CHECKS[tool]())]
    if not problems:
        return
    message = "; ".join(problems)
    if in_ci():
        pytest.fail(f"CI=true, so this cannot be skipped: {message}", pytrace=False)
    pytest.skip(message)
