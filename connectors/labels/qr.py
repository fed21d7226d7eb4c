"""QR code to the public label page (segno, SVG data URI: no raster step)."""

from __future__ import annotations

import segno


def qr_data_uri(url: str, scale: int = 3) -> str:
    """A ``data:image/svg+xml`` URI of a QR code (error correction M) encoding ``url``."""
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)


def qr_svg_path(url: str, size: float) -> tuple[str, float]:
    """(SVG ``<g>`` with the QR modules as rects, drawn ``size`` wide) for inline embedding."""
    qr = segno.make(url, error="m")
    matrix = list(qr.matrix_iter(border=2))
    n = len(matrix)
    cell = size / n
    rects = "".join(
        f'<rect x="{x * cell:.3f}" y="{y * cell:.3f}" width="{cell:.3f}" height="{cell:.3f}"/>'
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    return f'<g fill="#000">{rects}</g>', cell
