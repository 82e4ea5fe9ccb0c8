"""Read a report into plain text: pasted text, .txt, .docx, .pdf and saved HTML pages."""

from __future__ import annotations

import io
from pathlib import Path

from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationFailed

SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm")
# Tags whose end is the end of a line of text (so paragraphs do not run together).
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "blockquote",
    "header",
    "footer",
    "title",
)


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030", "big5"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def html_text(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_after("\n")
    text = soup.get_text()
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def read_bytes(data: bytes, filename: str) -> str:
    """The text of an uploaded or local file, by its suffix."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".docx":
            return docx_text(data)
        if suffix == ".pdf":
            return pdf_text(data)
        if suffix in (".html", ".htm"):
            return html_text(data)
    except Exception as error:  # any parser failure is the file's fault
        raise ValidationFailed(
            {"file": [_("The file could not be read: %(error)s") % {"error": error}]}
        ) from error
    if suffix in ("", ".txt", ".text", ".md", ".csv"):
        return decode_text(data)
    raise ValidationFailed({"file": [_("Unsupported file type %(suffix)s.") % {"suffix": suffix}]})


def read_path(path: Path) -> str:
    return read_bytes(path.read_bytes(), path.name)
