"""The legend and the map's controls: legend items, control options, back link."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import folium
import numpy as np

from zonegeo import i18n as _i18n
from zonegeo.errors import ValidationError
from zonegeo.maps.elements import _CONTROLS_KEY, _Controls
from zonegeo.maps.popups import _text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")

#: Margin (px) between the district and the map's edge or a control.
_FIT_MARGIN_PX = 10


def _legend_width_px(legend: Sequence[Mapping[str, Any]]) -> int:
    """Estimate the legend's width in pixels (12 px Arial, 28 px swatches)."""
    chars = [
        len(html.unescape(str(t)))
        for sec in legend
        for t in (sec["title"], *(it["label"] for it in sec["items"]))
    ]
    text = max(chars, default=0) * 7  # an average 12 px Arial letter is ~6.5 px
    return 20 + 34 + text + _FIT_MARGIN_PX  # padding, swatch and gap, text, margin


def _control_options(
    title: str,
    subtitle: str | None,
    lang: str,
    legend: list[dict[str, Any]],
    minimap: dict[str, Any] | None,
    simplified_m: float | None = None,
) -> dict[str, Any]:
    decimal = "." if lang == "en" else ","
    opts: dict[str, Any] = {
        "title": {"title": title, "subtitle": subtitle},
        "fullscreen": {"title": _text(_i18n.label("fullscreen", lang))},
        "measure": {
            "title": _text(_i18n.label("measure", lang)),
            "hint": _text(_i18n.label("measure_hint", lang)),
            "m": _text(_i18n.label("unit_m", lang)),
            "km": _text(_i18n.label("unit_km", lang)),
            "decimal": decimal,
        },
        "scale": {"imperial": False, "position": "bottomleft", "maxWidth": 160},
        "legend": {"sections": legend} if legend else None,
        "minimap": minimap,
        "footer": None
        if simplified_m is None
        else _text(
            _i18n.label("simplified", lang).format(m=_metres(simplified_m, lang))
        ),
    }
    return opts


def _metres(value: float, lang: str) -> str:
    """Two significant digits, no trailing zeros: 5 -> "5", 0.14 -> "0.14"."""
    decimals = max(0, 1 - int(np.floor(np.log10(value)))) if value > 0 else 0
    return _number(value, lang, decimals)


def _number(value: float, lang: str, decimals: int) -> str:
    """Format with up to ``decimals`` decimals, trailing zeros dropped: 0.50 -> 0.5."""
    text = _i18n.format_number(value, lang, decimals=decimals) or ""
    point = "." if lang == "en" else ","
    return text.rstrip("0").rstrip(point) if point in text else text


def _set_back_link(m: folium.Map, href: str, label: str) -> None:
    """Give a map's title a link (used by the atlas to link back to the index)."""
    controls = m._children.get(_CONTROLS_KEY)
    if isinstance(controls, _Controls):
        controls.options["title"]["back"] = {"href": _text(href), "label": _text(label)}


def _legend_item(label: str, shape: str, **style: Any) -> dict[str, Any]:
    """Return a legend entry; ``shape="ramp"`` takes ``stops``, a list of colours."""
    colours = [style.get(k) for k in ("fill", "stroke")] + list(style.get("stops", ()))
    for colour in colours:
        if colour is not None and not _HEX.match(str(colour)):
            msg = f"legend colour {colour!r} is not a #rrggbb colour"
            raise ValidationError(msg)
    return {
        "label": _text(label),
        "shape": shape,
        **{k: v for k, v in style.items() if v is not None},
    }
