"""The Nu HTML checker (vnu.jar), run once over many saved pages."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.support.tools import VNU_JAR, java_path


@dataclass(frozen=True)
class HtmlError:
    file: Path
    line: int | None
    message: str
    extract: str


def _highlight(message: dict, context: int = 40) -> str:
    """The part of the extract the checker points at, with a little context, on one line."""
    extract = message.get("extract", "")
    start, length = message.get("hiliteStart"), message.get("hiliteLength")
    if start is not None and length is not None:
        extract = extract[max(0, start - context): start + length + context]
    return " ".join(extract.split())


def html_errors(files: list[Path]) -> list[HtmlError]:
    """Errors (not warnings) the checker finds in `files`; raises when its output cannot be read."""
    if not files:
        return []
    command = [java_path() or "java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only",
               "--exit-zero-always", "--no-langdetect", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"vnu.jar did not print JSON (exit {result.returncode}): {result.stderr[:2000]}"
        ) from error
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        url = message.get("url", "")
        errors.append(HtmlError(
            file=Path(unquote(urlsplit(url).path)) if url else Path("?"),
            line=message.get("lastLine") or message.get("firstLine"),
            message=message.get("message", ""),
            extract=_highlight(message),
        ))
    return errors
