"""The branca elements zonegeo adds to a folium map.

Each writes its script as a raw block (never parsed as a Jinja template):
zonegeo's assets, GeoJSON data layers, the controls (title, legend, scale
bar, fullscreen button, measure tool, minimap), the opening view, an HTML
block and an attribution entry.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, Figure, MacroElement

from zonegeo.errors import ValidationError
from zonegeo.maps import page as _assets
from zonegeo.maps.popups import _js_json, _text

__all__ = ["DEMO_ATTRIBUTION"]


def _figure(element: Element) -> Figure:
    root = element.get_root()
    if not isinstance(root, Figure):
        msg = "a zonegeo map element must be rendered inside a branca Figure"
        raise ValidationError(msg)
    return root


def _parent_name(element: Element) -> str:
    if element._parent is None:
        msg = f"{type(element).__name__} must be added to a map before rendering"
        raise ValidationError(msg)
    return element._parent.get_name()


class _Raw(Element):
    """Text put into the page as it is: never parsed as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:  # noqa: ARG002
        """Return the text unchanged."""
        return self.text


class _Assets(MacroElement):
    """zonegeo's own CSS and JavaScript, placed in the page header after Leaflet."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZonegeoAssets"

    def render(self, **kwargs: Any) -> Any:
        """Add the style sheet and script to the header."""
        header = _figure(self).header
        header.add_child(
            _Raw(_assets.style_tag(_assets.zonegeo_css())), name="zonegeo_css"
        )
        header.add_child(
            _Raw(_assets.script_tag(_assets.zonegeo_js())), name="zonegeo_js"
        )
        super().render(**kwargs)


class _DataLayer(folium.map.Layer):
    """A GeoJSON layer drawn by ``L.zonegeo.layer``; listed by the LayerControl."""

    def __init__(self, spec: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ZonegeoLayer"
        self.spec = spec

    @property
    def features(self) -> list[dict[str, Any]]:
        """The GeoJSON features of the layer."""
        return self.spec["data"]["features"]

    def render(self, **kwargs: Any) -> Any:
        """Write the layer's script (raw, not through Jinja), then add it to the map."""
        js = (
            f"var {self.get_name()} = L.zonegeo.layer({_parent_name(self)}, "
            f"{_js_json(self.spec)});"
        )
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _Controls(MacroElement):
    """Title, legend, scale bar, fullscreen button, measure tool and minimap."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ZonegeoControls"
        self.options = options

    def render(self, **kwargs: Any) -> Any:
        """Write the controls' script (raw, not through Jinja)."""
        js = f"L.zonegeo.controls({_parent_name(self)}, {_js_json(self.options)});"
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _Fit(MacroElement):
    """Open the map on ``bounds``, clear of the title, layer switcher and legend.

    ``options`` holds the smallest paddings in pixels (Leaflet's
    ``paddingTopLeft`` / ``paddingBottomRight``); in the browser
    ``L.zonegeo.fit`` widens them to the controls' real sizes.
    """

    def __init__(self, bounds: list[list[float]], options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ZonegeoFit"
        self.bounds = bounds
        self.options = options

    def render(self, **kwargs: Any) -> Any:
        """Write the fit script (raw, not through Jinja), after every control."""
        spec = {"bounds": self.bounds, **self.options}
        js = f"L.zonegeo.fit({_parent_name(self)}, {_js_json(spec)});"
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _HtmlBlock(MacroElement):
    """A block of HTML placed in the page body after the map."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "ZonegeoHtml"
        self.text = text

    def render(self, **kwargs: Any) -> Any:
        """Append the block to the body."""
        _figure(self).html.add_child(_Raw(self.text), name=self.get_name())
        super().render(**kwargs)


_CONTROLS_KEY = "zonegeo_controls"

_LAYER_CONTROL_KEY = "zonegeo_layer_control"

_FIT_KEY = "zonegeo_fit"

#: Attribution line of the bundled demo data, shown on every map drawn from them.
DEMO_ATTRIBUTION = (
    "\u00a9 OpenStreetMap contributors, ODbL \u00b7 geokz / OCHA COD-AB, CC BY 4.0 "
    "\u00b7 GeoNames, CC BY 4.0"
)


class _Attribution(MacroElement):
    """An entry of the map's attribution control (data sources and licences)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "ZonegeoAttribution"
        self.text = text

    def render(self, **kwargs: Any) -> Any:
        """Add the text to the attribution control."""
        js = (
            f"{_parent_name(self)}.attributionControl"
            f".addAttribution({_js_json(_text(self.text))});"
        )
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)
