"""Web assets of zonegeo maps, read from installed packages, never downloaded.

Leaflet 1.9.3 (JS and CSS, its images inlined as data URIs), jQuery 3.7.1 and
d3 3.5 come from the XStatic packages on PyPI (``xstatic-leaflet``,
``xstatic-jquery``, ``xstatic-d3``); zonegeo's own controls (title, legend,
fullscreen button, distance measure, minimap) and its data-layer factory are
``zonegeo/maps/static/zonegeo.js`` and ``zonegeo.css``.

A map links its third-party assets by the CDN URLs folium and branca use
(:data:`MAP_JS`, :data:`MAP_CSS`, :data:`D3_URL`); :func:`inline_js` and
:func:`inline_css` return the packaged text that replaces a link when a map is
saved self-contained, and :func:`local_file` the file behind a URL (which the
browser tests use to answer CDN requests offline).
"""

from __future__ import annotations

import base64
import functools
import importlib
import re
from importlib import resources
from pathlib import Path

from zonegeo.errors import ValidationError

__all__ = [
    "D3_URL",
    "JQUERY_URL",
    "LEAFLET_CSS_URL",
    "LEAFLET_JS_URL",
    "MAP_CSS",
    "MAP_JS",
    "asset_versions",
    "inline_css",
    "inline_js",
    "known_urls",
    "local_file",
    "script_tag",
    "style_tag",
    "zonegeo_css",
    "zonegeo_js",
]

#: Leaflet as folium 0.20 links it.
LEAFLET_JS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
#: jQuery as folium links it (needed by ``folium.Popup`` and ``keep_in_front``).
JQUERY_URL = "https://code.jquery.com/jquery-3.7.1.min.js"
#: d3 as branca's colour legends link it.
D3_URL = "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"

#: The scripts every zonegeo map links (name, URL), in load order.
MAP_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", LEAFLET_JS_URL),
    ("jquery", JQUERY_URL),
)
#: The style sheets every zonegeo map links (name, URL).
MAP_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", LEAFLET_CSS_URL),)

# URL -> (XStatic module, file inside its data folder). Other URLs of the same
# files that folium or branca versions have used are accepted too.
_FILES: dict[str, tuple[str, str]] = {
    LEAFLET_JS_URL: ("xstatic.pkg.leaflet", "leaflet.js"),
    LEAFLET_CSS_URL: ("xstatic.pkg.leaflet", "leaflet.css"),
    "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js": (
        "xstatic.pkg.leaflet",
        "leaflet.js",
    ),
    "https://unpkg.com/leaflet@1.9.3/dist/leaflet.css": (
        "xstatic.pkg.leaflet",
        "leaflet.css",
    ),
    JQUERY_URL: ("xstatic.pkg.jquery", "jquery.min.js"),
    D3_URL: ("xstatic.pkg.d3", "d3.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.17/d3.min.js": (
        "xstatic.pkg.d3",
        "d3.js",
    ),
}

_PIP = {
    "xstatic.pkg.leaflet": "xstatic-leaflet",
    "xstatic.pkg.jquery": "xstatic-jquery",
    "xstatic.pkg.d3": "xstatic-d3",
}

# Leaflet's default marker icon looks for PNG files beside leaflet.css; in a
# self-contained page the images are data URIs, so point the icon at them.
_ICON_FIX = """
(function (L) {
  if (!L || !L.Icon || !L.Icon.Default) { return; }
  L.Icon.Default.imagePath = '';
  L.Icon.Default.mergeOptions({iconUrl: %(icon)s, iconRetinaUrl: %(icon2x)s,
                               shadowUrl: %(shadow)s});
}(window.L));
"""


def _package_dir(module: str) -> Path:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        msg = (
            f"the map assets need the Python package {_PIP.get(module, module)!r}; "
            f"install it with: pip install {_PIP.get(module, module)}"
        )
        raise ValidationError(msg) from exc
    return Path(mod.BASE_DIR)


def known_urls() -> tuple[str, ...]:
    """Return the CDN URLs that zonegeo can serve from installed packages."""
    return tuple(_FILES)


def local_file(url: str) -> Path | None:
    """Return the installed file behind a CDN URL, or None for an unknown URL.

    Examples
    --------
    >>> local_file(LEAFLET_JS_URL).name
    'leaflet.js'
    >>> local_file("https://example.org/other.js") is None
    True
    """
    entry = _FILES.get(url)
    if entry is None:
        return None
    module, name = entry
    return _package_dir(module) / name


def asset_versions() -> dict[str, str]:
    """Return the versions of the packaged Leaflet, jQuery and d3."""
    out = {}
    for module in _PIP:
        out[module.rsplit(".", 1)[-1]] = str(importlib.import_module(module).VERSION)
    return out


def _strip_source_map(text: str) -> str:
    # A relative source map means nothing inside an HTML page.
    return re.sub(r"^\s*//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)


def _safe_in_tag(text: str, tag: str) -> str:
    """Make ``text`` safe to put between ``<tag>`` and ``</tag>``."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _data_uri(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


@functools.lru_cache(maxsize=16)
def inline_js(url: str) -> str:
    """Return the packaged JavaScript for a CDN URL, ready to inline.

    Raises
    ------
    ValidationError
        If no installed package provides the file (the message lists the
        URLs zonegeo can inline).
    """
    path = local_file(url)
    if path is None or path.suffix != ".js":
        msg = (
            f"cannot inline {url!r}: no installed package provides it; "
            f"zonegeo can inline {', '.join(u for u in _FILES if u.endswith('.js'))}"
        )
        raise ValidationError(msg)
    text = _strip_source_map(path.read_text(encoding="utf-8"))
    if path.name == "leaflet.js":
        images = path.parent / "images"
        text += _ICON_FIX % {
            "icon": repr(_data_uri(images / "marker-icon.png")),
            "icon2x": repr(_data_uri(images / "marker-icon-2x.png")),
            "shadow": repr(_data_uri(images / "marker-shadow.png")),
        }
    return _safe_in_tag(text, "script")


@functools.lru_cache(maxsize=8)
def inline_css(url: str) -> str:
    """Return the packaged CSS for a CDN URL, its images inlined as data URIs.

    Raises
    ------
    ValidationError
        If no installed package provides the file.
    """
    path = local_file(url)
    if path is None or path.suffix != ".css":
        msg = (
            f"cannot inline {url!r}: no installed package provides it; "
            f"zonegeo can inline {', '.join(u for u in _FILES if u.endswith('.css'))}"
        )
        raise ValidationError(msg)
    text = _strip_source_map(path.read_text(encoding="utf-8"))
    text = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", text)

    def embed(match: re.Match[str]) -> str:
        target = path.parent / match.group(1)
        if not target.is_file():
            return match.group(0)
        return f"url({_data_uri(target)})"

    text = re.sub(r"url\((images/[\w.-]+\.png)\)", embed, text)
    return _safe_in_tag(text, "style")


def _own(name: str) -> str:
    return (
        resources.files("zonegeo.maps")
        .joinpath("static", name)
        .read_text(encoding="utf-8")
    )


@functools.lru_cache(maxsize=2)
def zonegeo_js() -> str:
    """Return zonegeo's own map JavaScript (controls and the data-layer factory)."""
    return _safe_in_tag(_own("zonegeo.js"), "script")


@functools.lru_cache(maxsize=2)
def zonegeo_css() -> str:
    """Return zonegeo's own map CSS."""
    return _safe_in_tag(_own("zonegeo.css"), "style")


def script_tag(text: str) -> str:
    """Wrap JavaScript text (already made safe) in a ``<script>`` element."""
    return f"<script>{text}</script>"


def style_tag(text: str) -> str:
    """Wrap CSS text (already made safe) in a ``<style>`` element."""
    return f"<style>{text}</style>"
