"""A document's layout as WeasyPrint lays it out: its text boxes, and pictures of its pages.

WeasyPrint's own layout tree (``HTML(...).render()``) says where each line of text lies,
in CSS px (96 per inch), without reading a PDF back.  The pictures draw each text box and
each cell border at its place (Pillow, DejaVu Sans as the documents use): a page as a reader
sees its layout, for a person to look at, where no PDF rasteriser is installed; an image
(a chart, the QR code) is drawn as its crossed frame.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from PIL import Image, ImageDraw, ImageFont
from weasyprint.formatting_structure import boxes

from lims.documents.render import TEMPLATE_DIR

SCALE = 1.5  # pixels of the picture per CSS px: about 144 dpi
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class TextBox:
    text: str
    left: float
    top: float
    right: float
    bottom: float
    font_size: float


def pages(html: str) -> list[weasyprint.Page]:
    document = weasyprint.HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/").render()
    return list(document.pages)


def content_area(page: weasyprint.Page) -> tuple[float, float, float, float]:
    """The page's content box (inside the margins): left, top, right, bottom."""
    box = page._page_box
    left, top = box.content_box_x(), box.content_box_y()
    return left, top, left + box.width, top + box.height


def _body_descendants(page: weasyprint.Page) -> Iterator[boxes.Box]:
    for child in page._page_box.children:
        if not isinstance(
            child, boxes.MarginBox
        ):  # the running header and footer live in the margins
            yield from child.descendants()


def text_boxes(page: weasyprint.Page) -> list[TextBox]:
    """Every line of text on the page outside its margin boxes."""
    return [
        TextBox(
            box.text,
            box.position_x,
            box.position_y,
            box.position_x + box.width,
            box.position_y + box.height,
            box.style["font_size"],
        )
        for box in _body_descendants(page)
        if isinstance(box, boxes.TextBox) and box.text.strip()
    ]


def draw(page: weasyprint.Page, path: Path) -> None:
    """A picture of ``page``: its margins shaded, cell borders, image frames and text at
    their places."""
    width, height = page.width * SCALE, page.height * SCALE
    image = Image.new("RGB", (round(width), round(height)), "white")
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = content_area(page)
    pen.rectangle((0, 0, width, height), fill="#e6e6e6")
    pen.rectangle((left * SCALE, top * SCALE, right * SCALE, bottom * SCALE), fill="white")
    for box in _body_descendants(page):
        if isinstance(box, boxes.TableCellBox | boxes.ReplacedBox):
            x, y = box.border_box_x() * SCALE, box.border_box_y() * SCALE
            w, h = box.border_width() * SCALE, box.border_height() * SCALE
            # An image (chart, QR code, logo) is drawn as its frame, crossed.
            image_box = isinstance(box, boxes.ReplacedBox)
            pen.rectangle((x, y, x + w, y + h), outline="#4a7bb7" if image_box else "#999999")
            if image_box:
                pen.line((x, y, x + w, y + h), fill="#4a7bb7")
                pen.line((x, y + h, x + w, y), fill="#4a7bb7")
    for text in text_boxes(page):
        font = ImageFont.truetype(FONT, max(1, round(text.font_size * SCALE)))
        pen.text((text.left * SCALE, text.top * SCALE), text.text, fill="black", font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
