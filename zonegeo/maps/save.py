"""Write a map to HTML atomically, by default with every asset inlined.

:func:`save_map` writes a map atomically, by default with every script and
style sheet inlined so the file renders with no network at all (only basemap
tiles still need one); ``self_contained=False`` links them from CDNs instead.

Notes
-----
*Offline assets.* Leaflet, jQuery and d3 come from the XStatic packages
(``xstatic-leaflet``, ``xstatic-jquery``, ``xstatic-d3``); the title, legend,
fullscreen button, measure tool and minimap are zonegeo's own few lines of
JavaScript (``zonegeo/maps/static/zonegeo.js``), because no Python package
ships the Leaflet plugins folium would use. Each map gets its own
``default_js`` / ``default_css`` lists; folium's class-level lists are never
changed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import folium
from branca.element import Figure

from zonegeo.errors import ValidationError
from zonegeo.io.atomic import atomic_path
from zonegeo.maps import page as _assets

if TYPE_CHECKING:
    import os

__all__ = ["save_map"]

log = logging.getLogger(__name__)

_SCRIPT_LINK = re.compile(r'<script src="([^"]*)"></script>')

_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]*)"/>')

_ANY_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", re.IGNORECASE)


def _inline(text: str) -> str:
    """Replace every linked script and style sheet by its packaged text."""
    scripts = _SCRIPT_LINK.findall(text)
    sheets = _CSS_LINK.findall(text)
    unknown = [u for u in (*scripts, *sheets) if _assets.local_file(u) is None]
    extra = len(_ANY_EXTERNAL.findall(text)) - len(scripts) - len(sheets)
    if unknown or extra:
        found = (
            ", ".join(unknown)
            if unknown
            else f"{extra} other <script>/<link> element(s)"
        )
        msg = (
            f"cannot save a self-contained map: no installed package provides {found}. "
            f"Fix: remove the plugin or element that links it, or save with "
            f"self_contained=False; zonegeo can inline "
            f"{', '.join(_assets.known_urls())}"
        )
        raise ValidationError(msg)
    text = _SCRIPT_LINK.sub(
        lambda mt: _assets.script_tag(_assets.inline_js(mt.group(1))), text
    )
    return _CSS_LINK.sub(
        lambda mt: _assets.style_tag(_assets.inline_css(mt.group(1))), text
    )


def save_map(
    m: folium.Map | Figure,
    path: str | os.PathLike[str],
    *,
    self_contained: bool = True,
) -> Path:
    """Write a map to an HTML file atomically.

    Parameters
    ----------
    m : folium.Map or branca Figure
        The map (for instance from :func:`district_map`).
    path : str or path-like
        The HTML file to write; its folder is created if needed. The file
        is written to a temporary file beside it and renamed into place, so
        a failure never leaves a half-written map.
    self_contained : bool, default True
        Inline every script and style sheet (Leaflet, jQuery, d3 and
        zonegeo's controls, read from installed packages) so the file
        renders with no network at all; only basemap tiles still need it.
        This is also the default of ``zonegeo map`` and
        :func:`zonegeo.write_atlas`. With ``False`` the page is smaller and
        loads Leaflet, jQuery and d3 from their CDNs: it is blank without
        internet (``L is not defined``).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValidationError
        When self-contained, if the map links a script or style sheet that
        no installed package provides (for example a folium plugin); the
        message names it and the fix (``self_contained=False``).

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> m = zonegeo.district_map(zonegeo.load_demo(), "Sauran", basemap="none")
    >>> out = zonegeo.save_map(m, pathlib.Path(tempfile.mkdtemp()) / "sauran.html")
    >>> "<script src=" in out.read_text(encoding="utf-8")
    False
    >>> cdn = zonegeo.save_map(m, out.with_name("cdn.html"), self_contained=False)
    >>> "<script src=" in cdn.read_text(encoding="utf-8")
    True
    """
    if not hasattr(m, "get_root"):
        msg = (
            f"save_map expects a folium.Map or a branca Figure, got {type(m).__name__}"
        )
        raise TypeError(msg)
    root = m.get_root()
    if not isinstance(root, Figure):
        msg = (
            "save_map: the map is not inside a branca Figure; create it with folium.Map"
        )
        raise ValidationError(msg)
    text = root.render()
    if self_contained:
        text = _inline(text)
    final = Path(path)
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    log.info(
        "wrote %s (%.1f MB%s)",
        final,
        len(text.encode("utf-8")) / 1e6,
        ", self-contained" if self_contained else "",
    )
    return final
