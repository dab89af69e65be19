"""Reading the manual's content files: `structure.toml` and one Markdown file per section and language.

The format (see the contract in the notes): parts in order, chapters in order inside their part,
section slugs in order inside their chapter; `<lang>/<chapter>/<section>.md` starts with
`# Title` followed by the body. English exists for every section; a missing fr/es file means
"not translated". The loader only reads and checks: `demo.seed_manual` writes to the database.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ecommunity.manual.models import LANGUAGES, SLUG_PATTERN

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SLUG = re.compile(SLUG_PATTERN)


class ContentError(ValueError):
    """The content files do not follow the format; the message names the file and the problem."""


@dataclass
class SectionText:
    title: str
    body: str


@dataclass
class SectionContent:
    slug: str
    texts: dict[str, SectionText]  # by language; "en" always present


@dataclass
class ChapterContent:
    slug: str
    titles: dict[str, str]
    summaries: dict[str, str]
    sections: list[SectionContent] = field(default_factory=list)


@dataclass
class PartContent:
    slug: str
    titles: dict[str, str]
    chapters: list[ChapterContent] = field(default_factory=list)


def split_title(text: str, path: Path | str = "") -> SectionText:
    """A section file's `# Title` line and the body after it."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    first, _, rest = text.lstrip("\n").partition("\n")
    match = re.match(r"^#\s+(.+?)\s*#*\s*$", first)
    if not match:
        raise ContentError(f"{path}: the file must start with '# Section title'")
    return SectionText(match.group(1).strip(), rest.strip() + "\n" if rest.strip() else "")


def _languages(value, where: str, required: bool = True) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not str(value.get("en", "")).strip():
        raise ContentError(f"{where}: needs at least an English text (en = \"...\")")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise ContentError(f"{where}: unknown languages {sorted(unknown)}")
    return {language: str(text).strip() for language, text in value.items()}


def _slug(value, where: str) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise ContentError(f"{where}: slug {value!r} must be lowercase letters, digits and hyphens")
    return value


def load_content(directory: Path | str = CONTENT_DIR) -> list[PartContent]:
    """Read and check every content file; raises ContentError on the first problem."""
    directory = Path(directory)
    structure_path = directory / "structure.toml"
    try:
        structure = tomllib.loads(structure_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{structure_path}: {error}") from error
    parts, part_slugs, chapter_slugs = [], set(), set()
    for part_data in structure.get("parts", []):
        slug = _slug(part_data.get("slug"), f"{structure_path}: part")
        if slug in part_slugs:
            raise ContentError(f"{structure_path}: part {slug} appears twice")
        part_slugs.add(slug)
        part = PartContent(slug, _languages(part_data.get("title"), f"part {slug} title"))
        for chapter_data in part_data.get("chapters", []):
            chapter_slug = _slug(chapter_data.get("slug"), f"part {slug}: chapter")
            if chapter_slug in chapter_slugs:
                raise ContentError(f"{structure_path}: chapter {chapter_slug} appears twice")
            chapter_slugs.add(chapter_slug)
            chapter = ChapterContent(
                chapter_slug, _languages(chapter_data.get("title"), f"chapter {chapter_slug} title"),
                _languages(chapter_data.get("summary"), f"chapter {chapter_slug} summary", required=False),
            )
            section_slugs = chapter_data.get("sections", [])
            if len(set(section_slugs)) != len(section_slugs):
                raise ContentError(f"{structure_path}: chapter {chapter_slug} lists a section twice")
            for section_slug in section_slugs:
                _slug(section_slug, f"chapter {chapter_slug}: section")
                chapter.sections.append(SectionContent(section_slug, _texts(directory, chapter_slug, section_slug)))
            part.chapters.append(chapter)
        parts.append(part)
    return parts


def _texts(directory: Path, chapter_slug: str, section_slug: str) -> dict[str, SectionText]:
    texts = {}
    for language in LANGUAGES:
        path = directory / language / chapter_slug / f"{section_slug}.md"
        if not path.is_file():
            if language == "en":
                raise ContentError(f"{path}: missing (every section needs its English file)")
            continue
        try:
            texts[language] = split_title(path.read_text(encoding="utf-8"), path)
        except UnicodeDecodeError as error:
            raise ContentError(f"{path}: not UTF-8") from error
    return texts
