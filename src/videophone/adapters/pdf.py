"""PDF rendering with ReportLab (R-06 agreement; later bills R-22 and orders R-21).

Chinese text uses ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1), so no font file is
needed: the PDF viewer supplies the glyphs.  :func:`render_document_pdf` lays out a small vocabulary
of blocks (:data:`PdfBlock`); the agreement is one client of it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from videophone.identity.domain.agreement import AgreementDocument
from videophone.identity.domain.agreement import Paragraph as AgreementParagraph

FONT = "STSong-Light"
PAGE_SIZE = A4
MARGIN = 20 * mm


# -- blocks --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfHeading:
    text: str


@dataclass(frozen=True)
class PdfParagraph:
    text: str
    indent: bool = False  # a sub-item, e.g. "(1) …" under a numbered clause


@dataclass(frozen=True)
class PdfKeyValues:
    """Label/value rows (a party, a bill header); ``title`` is shown above them when given."""

    rows: tuple[tuple[str, str], ...]
    title: str = ""


@dataclass(frozen=True)
class PdfTable:
    """A table with a header row (bill lines, order items); ``align_right`` lists numeric columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    col_widths: tuple[float, ...] | None = None  # fractions of the text width; equal when None
    align_right: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PdfColumns:
    """Key-value groups side by side (e.g. the two parties' signature blocks)."""

    columns: tuple[PdfKeyValues, ...]


PdfBlock = PdfHeading | PdfParagraph | PdfKeyValues | PdfTable | PdfColumns


# -- styles --------------------------------------------------------------------------------------------

_font_registered = False


def _register_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=14),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=6),
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, leftIndent=2 * 10.5),
        "cell": ParagraphStyle("cell", parent=base, spaceAfter=0, leading=15),
        "cell_label": ParagraphStyle(
            "cell_label", parent=base, spaceAfter=0, leading=15, textColor=colors.HexColor("#444444")
        ),
        "cell_head": ParagraphStyle("cell_head", parent=base, spaceAfter=0, leading=15),
        "group_title": ParagraphStyle("group_title", parent=base, fontSize=11.5, spaceAfter=3),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _key_values_parts(block: PdfKeyValues, width: float, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    label_width = min(width * 0.38, 46 * mm)
    data = [[_p(k, st["cell_label"]), _p(v, st["cell"])] for k, v in block.rows]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    parts: list[Flowable] = []
    if block.title:
        parts.append(_p(block.title, st["group_title"]))
    parts.append(table)
    return parts


def _key_values(block: PdfKeyValues, width: float, st: dict[str, ParagraphStyle]) -> Flowable:
    return KeepTogether([*_key_values_parts(block, width, st), Spacer(1, 6)])


def _table(block: PdfTable, width: float, st: dict[str, ParagraphStyle]) -> Flowable:
    ncols = len(block.header)
    fractions = block.col_widths or tuple(1 / ncols for _ in range(ncols))
    right = ParagraphStyle("cell_right", parent=st["cell"], alignment=TA_RIGHT)
    data: list[list[Any]] = [[_p(h, st["cell_head"]) for h in block.header]]
    for row in block.rows:
        data.append([_p(c, right if i in block.align_right else st["cell"]) for i, c in enumerate(row)])
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
            ]
        )
    )
    return table


def _columns(block: PdfColumns, width: float, st: dict[str, ParagraphStyle]) -> Flowable:
    n = max(len(block.columns), 1)
    gap = 8 * mm
    col_width = (width - gap * (n - 1)) / n
    cells: list[Any] = []
    widths: list[float] = []
    for i, column in enumerate(block.columns):
        if i:
            cells.append("")
            widths.append(gap)
        cells.append(_key_values_parts(column, col_width, st))
        widths.append(col_width)
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether([table])


def _draw_page_number(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(PAGE_SIZE[0] / 2, 10 * mm, f"第 {canvas.getPageNumber()} 页")
    canvas.restoreState()


def render_document_pdf(title: str, blocks: Sequence[PdfBlock], *, author: str = "", subject: str = "") -> bytes:
    """An A4 PDF: ``title`` centred at the top, then ``blocks``; "第 N 页" at the foot of each page."""
    _register_font()
    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="videophone",
    )
    width = float(doc.width)
    story: list[Flowable] = [_p(title, st["title"])]
    for block in blocks:
        if isinstance(block, PdfHeading):
            story.append(_p(block.text, st["heading"]))
        elif isinstance(block, PdfParagraph):
            story.append(_p(block.text, st["indent"] if block.indent else st["body"]))
        elif isinstance(block, PdfKeyValues):
            story.append(_key_values(block, width, st))
        elif isinstance(block, PdfTable):
            story.append(_table(block, width, st))
        else:
            story.append(_columns(block, width, st))
    doc.build(story, onFirstPage=_draw_page_number, onLaterPages=_draw_page_number)
    return buffer.getvalue()


# -- the agreement -------------------------------------------------------------------------------------


def _split_label(text: str) -> tuple[str, str]:
    label, sep, value = text.partition("：")
    return (label, value) if sep else ("", text)


def _groups(paragraphs: Sequence[AgreementParagraph]) -> list[list[tuple[str, str]]]:
    """Split a run of party/signature lines into one group per party (a line starting 甲方/乙方)."""
    groups: list[list[tuple[str, str]]] = []
    for p in paragraphs:
        if not groups or p.text.startswith(("甲方", "乙方")):
            groups.append([])
        groups[-1].append(_split_label(p.text))
    return groups


def agreement_blocks(doc: AgreementDocument) -> list[PdfBlock]:
    """The agreement's paragraphs as PDF blocks (the title is rendered by the page itself)."""
    blocks: list[PdfBlock] = []
    paragraphs = list(doc.paragraphs)
    i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        if p.kind in ("party", "signature"):
            j = i
            while j < len(paragraphs) and paragraphs[j].kind == p.kind:
                j += 1
            groups = _groups(paragraphs[i:j])
            if p.kind == "party":
                blocks.extend(PdfKeyValues(rows=tuple(g)) for g in groups)
            else:
                blocks.append(PdfColumns(columns=tuple(PdfKeyValues(rows=tuple(g)) for g in groups)))
            i = j
            continue
        if p.kind == "heading":
            blocks.append(PdfHeading(p.text))
        elif p.kind == "text":
            blocks.append(PdfParagraph(p.text, indent=p.text.startswith("(")))
        # the title paragraph is the page title
        i += 1
    return blocks


def render_agreement_pdf(doc: AgreementDocument) -> bytes:
    """The agreement as an A4 PDF, ready to print and sign; the operator is the PDF's author."""
    return render_document_pdf(
        doc.title,
        agreement_blocks(doc),
        author=doc.issuer,
        subject=f"{doc.title}（第{doc.version}版）",
    )
