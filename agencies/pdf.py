"""PDF exports: an A4 document of headings, paragraphs and label-value rows (decision 110).

fpdf2 writes the file in pure Python; the text is set in DejaVu Sans, vendored with its licence in
`static/vendor/dejavu/` and embedded (subset) in each file, so ë, ç and any other letter a name may
hold print as typed on every machine, with no system font. Callers pass text already in the
reader's language and already restricted: this module decides nothing about access.
"""

import logging
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .exports import FileRenderer

__all__ = ["FONT_DIR", "PDF_TYPE", "PdfDocument", "PdfRenderer"]

PDF_TYPE = "application/pdf"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "dejavu"
FAMILY = "DejaVu"
# fontTools logs every glyph it keeps when fpdf2 subsets the font: not worth a line in the logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text}    {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


class PdfDocument:
    """One A4 document. `first_line` (who made it and when) heads the first page."""

    def __init__(self, title: str, *, first_line: str, footer: str = "", language: str = "en") -> None:
        pdf = _Pages(orientation="portrait", unit="mm", format="A4")
        pdf.footer_text = footer
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(title)
        pdf.set_lang(language)
        pdf.set_creator("Ura")
        pdf.alias_nb_pages()
        pdf.add_page()
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(0, 4, first_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        self.pdf = pdf
        self.heading(title, level=1)

    def heading(self, text: str, *, level: int = 2) -> None:
        size = {1: 16, 2: 13, 3: 11}.get(level, 11)
        if level > 1:
            self.pdf.ln(2)
        self.pdf.set_font(FAMILY, "B", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def paragraph(self, text: str, *, size: float = 10, bold: bool = False) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def fields(self, rows: Iterable[tuple[str, str]]) -> None:
        """Label-value rows, the label in bold in a column of its own."""
        width = self.pdf.epw
        for label, value in rows:
            self.pdf.set_font(FAMILY, "B", 9)
            top, page = self.pdf.get_y(), self.pdf.page
            self.pdf.multi_cell(width * 0.32, 4.6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.pdf.set_font(FAMILY, "", 9)
            if self.pdf.page != page:  # the label broke onto a new page: start the row there
                top = self.pdf.t_margin
            self.pdf.set_xy(self.pdf.l_margin + width * 0.34, top)
            self.pdf.multi_cell(width * 0.66, 4.6, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def rule(self) -> None:
        y = self.pdf.get_y() + 1
        self.pdf.set_draw_color(170, 170, 170)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(3)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


class PdfRenderer(FileRenderer):
    """Lets the API answer with a PDF (`Accept: application/pdf`, or `?format=pdf`); the views
    return the file made here as their response."""

    media_type = PDF_TYPE
    format = "pdf"
