"""Draw Portevoix's app icons (a megaphone, a "porte-voix") into static/icons/.

One drawing, two renderings: the same shapes are written as an SVG and painted with Pillow
into the PNGs that the web app manifest, the iOS home screen and push notifications need.
The PNGs are committed (a few kilobytes each) so that `collectstatic` needs no build step;
run this script again after changing the drawing and commit what it writes:

    PYTHONPATH=. .venv/bin/python scripts/make_icons.py

tests/core/test_pwa.py checks that the committed files are what this script draws.
"""

from __future__ import annotations

import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "static" / "icons"

# The top bar's colour (static/css/app.css, .topbar) and the accent's lighter sibling.
NAVY = "#0f2747"
WHITE = "#ffffff"
SKY = "#7fb2ff"
# Pillow paints at this multiple and scales down: smooth edges without an SVG renderer.
SUPERSAMPLE = 4

# The glyph, in a 512 x 512 box; its bounding box is centred on (GLYPH_X, 256).
HORN = [(140, 214), (318, 130), (318, 382), (140, 298)]
BACK = (104, 214, 148, 298)  # the mouthpiece: a rounded rectangle
HANDLE = [(170, 292), (214, 292), (236, 384), (192, 384)]
CENTRE = (318, 256)
ARCS = [(62, 22), (112, 22)]  # (radius, stroke width) of the sound waves
ARC_SWEEP = 38  # degrees either side of the horizontal
GLYPH_X = 272  # drawn at (256, 256): x from 104 to 441


@dataclass(frozen=True)
class Variant:
    """One icon: `scale` shrinks the glyph around the centre, `radius` rounds the corners
    of the background (0: full bleed, as a maskable icon must be), `background` None leaves
    it transparent and `mono` paints the glyph alone in white (a notification badge)."""

    name: str
    size: int
    scale: float = 0.86
    radius: int = 96
    background: str | None = NAVY
    mono: bool = False


PNGS = [
    Variant("icon-192.png", 192),
    Variant("icon-512.png", 512),
    # Maskable: the platform crops to a circle or a squircle; the glyph stays inside the
    # central 80 % "safe zone" (radius 0.4), and the background fills every corner.
    Variant("icon-maskable-512.png", 512, scale=0.74, radius=0),
    Variant("apple-touch-icon.png", 180, radius=0),
    Variant("badge-96.png", 96, scale=1.0, radius=0, background=None, mono=True),
]


def _place(point: tuple[float, float], scale: float) -> tuple[float, float]:
    x, y = point
    return (256 + (x - GLYPH_X) * scale, 256 + (y - 256) * scale)


def svg(scale: float = 0.86, radius: int = 96) -> str:
    """The drawing as SVG (viewBox 512), the same shapes as `png`."""

    def pts(points: list[tuple[int, int]]) -> str:
        return " ".join(f"{x:g},{y:g}" for x, y in (_place(p, scale) for p in points))

    bx0, by0 = _place(BACK[:2], scale)
    bx1, by1 = _place(BACK[2:], scale)
    cx, cy = _place(CENTRE, scale)
    arcs = []
    for r, width in ARCS:
        rad = r * scale
        dx = rad * math.cos(math.radians(ARC_SWEEP))
        dy = rad * math.sin(math.radians(ARC_SWEEP))
        arcs.append(
            f'<path d="M{cx + dx:.1f} {cy - dy:.1f}A{rad:.1f} {rad:.1f} 0 0 1 '
            f'{cx + dx:.1f} {cy + dy:.1f}" fill="none" stroke="{SKY}" '
            f'stroke-width="{width * scale:.1f}" stroke-linecap="round"/>'
        )
    return "\n".join(
        [
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" '
            'role="img" aria-label="Portevoix">',
            f'<rect width="512" height="512" rx="{radius}" fill="{NAVY}"/>',
            f'<polygon points="{pts(HANDLE)}" fill="{SKY}"/>',
            f'<rect x="{bx0:g}" y="{by0:g}" width="{bx1 - bx0:g}" height="{by1 - by0:g}" '
            f'rx="{10 * scale:g}" fill="{WHITE}"/>',
            f'<polygon points="{pts(HORN)}" fill="{WHITE}"/>',
            *arcs,
            "</svg>",
            "",
        ]
    )


def png(variant: Variant) -> bytes:
    """The drawing painted at `variant.size` pixels, as PNG bytes (deterministic)."""
    big = variant.size * SUPERSAMPLE
    k = big / 512

    def at(point: tuple[float, float]) -> tuple[float, float]:
        x, y = _place(point, variant.scale)
        return (x * k, y * k)

    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if variant.background:
        draw.rounded_rectangle(
            (0, 0, big - 1, big - 1), radius=variant.radius * k, fill=variant.background
        )
    glyph, accent = (WHITE, WHITE) if variant.mono else (WHITE, SKY)
    draw.polygon([at(p) for p in HANDLE], fill=accent)
    draw.rounded_rectangle(
        (*at(BACK[:2]), *at(BACK[2:])), radius=10 * variant.scale * k, fill=glyph
    )
    draw.polygon([at(p) for p in HORN], fill=glyph)
    cx, cy = at(CENTRE)
    for r, width in ARCS:
        rad = r * variant.scale * k
        stroke = width * variant.scale * k
        box = (
            cx - rad - stroke / 2,
            cy - rad - stroke / 2,
            cx + rad + stroke / 2,
            cy + rad + stroke / 2,
        )
        draw.arc(box, -ARC_SWEEP, ARC_SWEEP, fill=accent, width=round(stroke))
        for angle in (-ARC_SWEEP, ARC_SWEEP):  # round caps, as the SVG's stroke-linecap
            ex = cx + rad * math.cos(math.radians(angle))
            ey = cy + rad * math.sin(math.radians(angle))
            draw.ellipse(
                (ex - stroke / 2, ey - stroke / 2, ex + stroke / 2, ey + stroke / 2), fill=accent
            )
    small = image.resize((variant.size, variant.size), Image.Resampling.LANCZOS)
    if variant.background and variant.radius == 0:
        small = small.convert("RGB")  # opaque: iOS and maskable icons want no transparency
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def files() -> dict[str, bytes]:
    """Every icon file by name, as this script draws it."""
    drawn = {"icon.svg": svg().encode()}
    drawn.update({variant.name: png(variant) for variant in PNGS})
    return drawn


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in files().items():
        (OUT / name).write_bytes(content)
        print(f"static/icons/{name}: {len(content)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
