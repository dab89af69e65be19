"""Demo documents for the training library, written at seed time (no binary file is committed).

The texts are short notes written from public facts about CMS; one of them is made into a small
PDF by `simple_pdf`, which the tests use too. Idempotent: a document whose title exists is skipped.
"""

import textwrap

from ecommunity.accounts.models import User
from ecommunity.extensions import db
from ecommunity.library.models import LibraryDocument
from ecommunity.library.services import DocumentData, add_document


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(title: str, paragraphs: list[str], lines_per_page: int = 46) -> bytes:
    """A small valid PDF with a text layer (Helvetica, Latin-1 text), one or more A4 pages."""
    lines = [title, ""]
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, 88) or [""])
        lines.append("")
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    objects: list[bytes] = []
    page_ids = [4 + 2 * n for n in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{n} 0 R" for n in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for page_lines in pages:
        commands = ["BT", "/F1 11 Tf", "14 TL", "56 790 Td"]
        for line in page_lines:
            commands.append(f"({_escape(line)}) Tj T*")
        commands.append("ET")
        stream = "\n".join(commands).encode("latin-1", "replace")
        content_id = len(objects) + 2
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {content_id} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


NFP_CHECKLIST = """# Checklist for a new National Focal Point

A short list of what to do in your first months as the National Focal Point (NFP) of CMS or
of one of its instruments.

## In the first weeks

- Make sure the secretariat has received the official letter that appoints you.
- Read the text of the Convention and the list of species on Appendix I and Appendix II.
- Find out which Agreements and Memoranda of Understanding (MOUs) your country takes part in,
  and who the focal points for them are.

## Before the next meeting

- Check the deadline of the next national report: reports feed each Conference of the Parties.
- Agree on the delegation and ask the foreign ministry for credentials in good time.
- Study the agenda and the draft resolutions with your national colleagues.
"""

COP_NOTE = """Notes on the Conference of the Parties

The Conference of the Parties (COP) is the decision-making body of CMS and meets every three
years. The Standing Committee acts between meetings and the Scientific Council gives advice.

Any Party may propose that a species is listed on Appendix I or Appendix II. A listing needs a
two-thirds majority of the Parties present and voting, and enters into force 90 days after the
meeting, unless a Party enters a reservation.

The fourteenth meeting (COP14) was held in Samarkand, Uzbekistan, from 12 to 17 February 2024
under the theme "Nature knows no borders". It adopted the Samarkand Strategic Plan for
Migratory Species 2024-2032.
"""

GUIDE_FR = """# Intégrer les espèces migratrices dans les SPANB

Le Cadre mondial de la biodiversité de Kunming-Montréal (décembre 2022) est mis en œuvre au
niveau national par les stratégies et plans d'action nationaux pour la biodiversité (SPANB).

La CMS demande aux Parties d'y intégrer les espèces migratrices : inscrire les espèces des
annexes dans les objectifs nationaux, protéger les sites dont elles dépendent tout au long de
leur migration, et associer le correspondant national CMS à la révision du SPANB.
"""

FLYWAYS_PDF = (
    "Flyways Training Kit: summary of the modules",
    [
        "The Flyways Training Kit was developed by the Wings Over Wetlands project and launched in "
        "May 2010. It helps trainers teach the flyway approach to the conservation of migratory "
        "waterbirds and the wetlands they depend on.",
        "Module 1 explains the flyway approach: why birds that cross many countries need those "
        "countries to act together, from breeding grounds to wintering sites.",
        "Module 2 shows how to apply the approach in practice: site networks, monitoring and "
        "cooperation between the Range States of the African-Eurasian Migratory Waterbird "
        "Agreement (AEWA).",
        "Module 3 gathers tools and case studies for trainers. The kit exists in English, French, "
        "Arabic and Russian.",
    ],
)


def seed_library(author: User | None = None) -> int:
    """Add the demo documents that are not there yet; returns how many were added."""
    existing = set(db.session.scalars(db.select(LibraryDocument.title)))
    documents = [
        (DocumentData("Checklist for a new National Focal Point", "en", "guideline", instrument="cms",
                      topic="role-of-nfps", year=2024,
                      description="What to do in your first months as an NFP."),
         "nfp-checklist.md", NFP_CHECKLIST.encode()),
        (DocumentData("Notes on the Conference of the Parties", "en", "cop-document", instrument="cms",
                      topic="meetings-negotiation", year=2024, members_only=True,
                      description="How the COP decides, and what COP14 adopted."),
         "cop-notes.txt", COP_NOTE.encode()),
        (DocumentData("Intégrer les espèces migratrices dans les SPANB", "fr", "guideline", instrument="cms",
                      topic="nbsaps", year=2025,
                      description="Note d'orientation pour les correspondants nationaux."),
         "espèces-migratrices-spanb.md", GUIDE_FR.encode()),
        (DocumentData(FLYWAYS_PDF[0], "en", "training-kit", instrument="aewa", topic="flyways", year=2010,
                      description="The three modules of the Flyways Training Kit in brief."),
         "flyways-training-kit-summary.pdf", simple_pdf(*FLYWAYS_PDF)),
    ]
    added = 0
    for data, filename, content in documents:
        if data.title in existing:
            continue
        add_document(data, filename, content, author)
        added += 1
    return added
