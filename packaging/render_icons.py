"""Renders the desktop icon from the package's app.svg with Qt (QSvgRenderer): the
line drawn in white on a rounded square of the light theme's accent colour, as
OUT/gradient-playground.svg and OUT/gradient-playground-SIZE.png at the hicolor sizes,
plus gradient-playground.ico (Windows) and .icns (macOS).

    python packaging/render_icons.py OUT_FOLDER

(The window's own icon is drawn by gui/resources.py from the same SVG.)
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QByteArray, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "playground" / "resources" / "icons" / "app.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ACCENT = "#2563eb"  # theme.LIGHT's accent


def desktop_svg(source: str) -> str:
    """The app.svg drawing, white, inset on a rounded accent square (24x24 units)."""
    inner = re.sub(r"^<svg[^>]*>|</svg>\s*$", "", source.strip())
    inner = inner.replace("currentColor", "#ffffff")
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
            f'<rect x="1" y="1" width="22" height="22" rx="5" fill="{ACCENT}"/>'
            '<g transform="translate(3.6 3.6) scale(0.7)" fill="none" stroke="#ffffff" '
            'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
            f"{inner}</g></svg>")


def main(out: Path) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    out.mkdir(parents=True, exist_ok=True)
    text = desktop_svg(SOURCE.read_text(encoding="utf-8"))
    (out / "gradient-playground.svg").write_text(text, encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(text.encode()))
    if not renderer.isValid():
        print("render_icons: the composed SVG is not valid", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(out / f"gradient-playground-{size}.png")):
            print(f"render_icons: cannot write the {size} px icon", file=sys.stderr)
            return 1
        if size == 256:  # Windows' .ico (the .exe and the installer), Qt's qico plugin
            image.save(str(out / "gradient-playground.ico"))
        if size == 512:  # macOS' .icns (the .app), Qt's qicns plugin
            image.save(str(out / "gradient-playground.icns"))
    print(f"render_icons: {len(SIZES)} sizes in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) == 2 else ROOT / "packaging" / "build"
                  / "icons"))
