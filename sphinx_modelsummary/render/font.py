"""The diagram's font and the room its text takes, in points.

One place for the sizes that the box sizes (``layout.py``), the frames' label bands
(``layered.py``) and the painting (``diagram.py``) must agree on.
"""

from __future__ import annotations

FONT_SIZE = 9.0
CHAR_WIDTH = 0.63 * FONT_SIZE  # DejaVu Sans Mono advances 0.6 em; bold a little more
LABEL_CHAR_WIDTH = 0.63 * FONT_SIZE * 0.9  # frame labels are drawn at 0.9 of the font size
LINE_HEIGHT = 1.35 * FONT_SIZE
PADDING = 6.0
#: Height of the band at the top of a frame that holds its label.
LABEL_BAND = LINE_HEIGHT + PADDING


def text_box_size(lines: tuple[str, ...]) -> tuple[float, float]:
    """Width and height of a box that holds these lines, padded on every side."""
    width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PADDING
    return width, len(lines) * LINE_HEIGHT + 2 * PADDING


def label_width(label: str) -> float:
    """Width of a frame's label: a line in the smaller label font, unpadded."""
    return len(label) * LABEL_CHAR_WIDTH
