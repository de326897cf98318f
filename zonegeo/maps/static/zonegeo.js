/* zonegeo map helpers for Leaflet 1.9: a data-layer factory, a title, a legend,
 * a fullscreen button, a distance-measure tool and a minimap. No other dependency.
 *
 * Every string a spec carries (labels, values, titles) was HTML-escaped by
 * zonegeo.maps before it was written into the page; this file only joins them.
 * License: MIT, part of zonegeo.
 */
(function (L) {
  'use strict';
  if (!L) { return; }
  var Z = L.zonegeo = L.zonegeo || {};
  Z.maps = Z.maps || [];

  /* ---------- renderers: one canvas (or SVG) renderer per map ---------- */

  function trackDraws(renderer) {
    // Remember which layers the canvas actually painted (used by tests and
    // benchmarks: Z.drawn counts them).
    renderer._zgDrawn = {};
    var fillStroke = renderer._fillStroke;
    renderer._fillStroke = function (ctx, layer) {
      if (layer.options.className) { this._zgDrawn[L.stamp(layer)] = layer; }
      return fillStroke.call(this, ctx, layer);
    };
  }

  Z.renderer = function (map, kind) {
    map._zg = map._zg || {};
    var key = kind === 'svg' ? 'svg' : 'canvas';
    if (!map._zg[key]) {
      var r = key === 'svg' ? L.svg({padding: 0.5}) : L.canvas({padding: 0.5, tolerance: 3});
      if (key === 'canvas') { trackDraws(r); }
      map._zg[key] = r;
    }
    return map._zg[key];
  };

  function hasClass(names, cls) {
    return (' ' + (names || '') + ' ').indexOf(' ' + cls + ' ') >= 0;
  }

  // Number of features of class `cls` drawn on the map (canvas and SVG).
  Z.drawn = function (map, cls) {
    var n = 0, z = map._zg || {}, id, layer;
    if (z.canvas && z.canvas._zgDrawn) {
      for (id in z.canvas._zgDrawn) {
        layer = z.canvas._zgDrawn[id];
        if (layer._map && hasClass(layer.options.className, cls)) { n += 1; }
      }
    }
    if (z.svg) {
      var paths = map.getContainer().querySelectorAll('path.' + cls);
      for (var i = 0; i < paths.length; i++) {
        var d = paths[i].getAttribute('d');
        if (d && d !== 'M0 0') { n += 1; }
      }
    }
    return n;
  };

  /* ---------- data layers ---------- */

  function popupHtml(spec, p) {
    var rows = [], v = p.v || [];
    for (var i = 0; i < spec.fields.length; i++) {
      if (v[i] !== null && v[i] !== undefined && v[i] !== '') {
        rows.push('<tr><th>' + spec.fields[i] + '</th><td>' + v[i] + '</td></tr>');
      }
    }
    var head = spec.title ? '<div class="zg-popup-title">' + spec.title + '</div>' : '';
    return '<div class="zg-popup">' + head + '<table>' + rows.join('') + '</table></div>';
  }

  function tooltipHtml(spec, p) {
    var parts = [], v = p.v || [];
    for (var i = 0; i < spec.tooltip.length; i++) {
      var x = v[spec.tooltip[i]];
      if (x !== null && x !== undefined && x !== '') { parts.push(x); }
    }
    if (p.t) { parts.push(p.t); }
    return parts.join(' &middot; ');
  }

  /* A rank label sits where zonegeo.maps placed it for the current zoom: on
   * its site, one label away from it, or hidden (places: [dx, dy] or null per
   * zoom level, computed so that no two labels overlap). */
  function placeLabel(label) {
    var map = label._map, el = label.getElement(), places = label.zgPlaces;
    if (!map || !el || !places || !places.length) { return; }
    var z = Math.max(0, Math.min(places.length - 1, Math.round(map.getZoom())));
    var at = places[z], half = label.zgSize / 2;
    el.style.display = at ? '' : 'none';
    if (at) {
      el.style.marginLeft = (at[0] - half) + 'px';
      el.style.marginTop = (at[1] - half) + 'px';
    }
  }

  function placeLabels(map) {
    map.eachLayer(function (l) { if (l.zgPlaces) { placeLabel(l); } });
  }

  /* spec: {data, styles, fields, tooltip, title, className, renderer, point,
   *        interactive, labels: {data, className}} */
  Z.layer = function (map, spec) {
    var styles = spec.styles && spec.styles.length ? spec.styles : [{}];
    var interactive = spec.interactive !== false;
    var renderer = Z.renderer(map, spec.renderer);
    var styleOf = function (f) { return styles[(f.properties && f.properties.s) || 0]; };
    var opts = {
      renderer: renderer,
      className: spec.className || '',
      interactive: interactive,
      style: styleOf,
      pointToLayer: function (f, latlng) {
        var st = styleOf(f);
        if (spec.point === 'symbol') {
          return L.marker(latlng, {
            icon: L.divIcon({className: 'zg-sym zg-sym-' + (st.symbol || 'circle') + ' ' +
                             (spec.className || ''), iconSize: [14, 14],
                             html: '<span style="background:' + (st.fillColor || '#000') +
                             '"></span>'}),
            keyboard: false, interactive: interactive, riseOnHover: true
          });
        }
        if (spec.point === 'label') {
          var size = spec.size || 24;
          var label = L.marker(latlng, {
            icon: L.divIcon({className: 'zg-rank ' + (spec.className || ''),
                             iconSize: [size, size], html: (f.properties && f.properties.l) || ''}),
            keyboard: false, interactive: interactive, zIndexOffset: 1000
          });
          label.zgPlaces = (f.properties && f.properties.p) || null;
          label.zgSize = size;
          label.on('add', function () { placeLabel(label); });
          return label;
        }
        return L.circleMarker(latlng, L.extend({renderer: renderer,
                                                className: spec.className || ''}, st));
      },
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        if (!interactive) { return; }
        if (spec.fields && spec.fields.length && p.v) {
          layer.bindPopup(function () { return popupHtml(spec, p); },
                          {maxWidth: 380, className: 'zg-popup-box'});
        }
        if ((spec.tooltip && spec.tooltip.length && p.v) || p.t) {
          layer.bindTooltip(function () { return tooltipHtml(spec, p); },
                            {sticky: true, direction: 'top', opacity: 0.95});
        }
        if (p.href) {
          layer.on('click', function () { window.location.href = p.href; });
        }
      }
    };
    var main = L.geoJSON(spec.data, opts);
    if (!spec.labels) { return main; }
    var labels = Z.layer(map, {data: spec.labels.data, point: 'label', size: spec.labels.size,
                               className: spec.labels.className || '', interactive: false});
    if (!map._zgLabels) {
      map._zgLabels = true;
      map.on('zoomend viewreset', function () { placeLabels(map); });
    }
    return L.featureGroup([main, labels]);
  };

  /* ---------- title ---------- */

  Z.title = function (map, o) {
    var box = L.DomUtil.create('div', 'zg-title', map.getContainer());
    var html = '<div class="zg-title-main">' + o.title + '</div>';
    if (o.subtitle) { html += '<div class="zg-title-sub">' + o.subtitle + '</div>'; }
    if (o.back) {
      html += '<a class="zg-back" href="' + o.back.href + '">&larr; ' + o.back.label + '</a>';
    }
    box.innerHTML = html;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };

  /* ---------- legend ---------- */

  function swatch(it) {
    var fill = it.fill || 'transparent', stroke = it.stroke || '#333';
    if (it.shape === 'line') {
      return '<svg class="zg-swatch" width="28" height="14"><line x1="1" y1="7" x2="27" y2="7"' +
        ' stroke="' + stroke + '" stroke-width="' + (it.weight || 3) + '"' +
        (it.dash ? ' stroke-dasharray="' + it.dash + '"' : '') +
        ' stroke-linecap="round"/></svg>';
    }
    if (it.shape === 'symbol') {
      return '<span class="zg-swatch zg-sym zg-sym-' + it.symbol + '"><span style="background:' +
        fill + '"></span></span>';
    }
    if (it.shape === 'dot') {
      return '<svg class="zg-swatch" width="28" height="14"><circle cx="14" cy="7" r="4"' +
        ' fill="' + fill + '" stroke="' + stroke + '"/></svg>';
    }
    if (it.shape === 'ramp') {
      return '<span class="zg-swatch zg-ramp" style="background:linear-gradient(to right,' +
        it.stops.join(',') + ')"></span>';
    }
    if (it.shape === 'rank') {
      return '<span class="zg-swatch zg-rank zg-rank-sample">1</span>';
    }
    return '<svg class="zg-swatch" width="28" height="14"><rect x="2" y="1" width="24" height="12"' +
      ' fill="' + fill + '" fill-opacity="' + (it.fillOpacity === undefined ? 0.8 : it.fillOpacity) +
      '" stroke="' + stroke + '" stroke-width="' + (it.weight || 1) + '"' +
      (it.dash ? ' stroke-dasharray="' + it.dash + '"' : '') + '/></svg>';
  }

  Z.Legend = L.Control.extend({
    options: {position: 'bottomright', sections: []},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-control zg-legend');
      var html = [], s, it, i, j;
      for (i = 0; i < this.options.sections.length; i++) {
        s = this.options.sections[i];
        html.push('<div class="zg-legend-section"><div class="zg-legend-title">' + s.title +
                  '</div>');
        for (j = 0; j < s.items.length; j++) {
          it = s.items[j];
          html.push('<div class="zg-legend-item">' + swatch(it) + '<span>' + it.label +
                    '</span></div>');
        }
        html.push('</div>');
      }
      box.innerHTML = html.join('');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  /* ---------- fullscreen ---------- */

  var ICON_FULL = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">' +
    '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333"' +
    ' stroke-width="2"/></svg>';
  var ICON_RULER = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">' +
    '<path d="M1 11L11 1l4 4L5 15z" fill="none" stroke="#333" stroke-width="1.5"/>' +
    '<path d="M4 8l2 2M6 6l1.5 1.5M8 4l2 2M10 2l1.5 1.5" stroke="#333" stroke-width="1.2"/>' +
    '</svg>';

  function isFull(map) {
    var c = map.getContainer();
    return document.fullscreenElement === c || L.DomUtil.hasClass(c, 'zg-pseudo-fullscreen');
  }

  Z.toggleFullscreen = function (map) {
    var c = map.getContainer();
    var done = function () {
      L.DomUtil[isFull(map) ? 'addClass' : 'removeClass'](c, 'zg-is-fullscreen');
      map.invalidateSize();
    };
    var pseudo = function (on) {
      L.DomUtil[on ? 'addClass' : 'removeClass'](c, 'zg-pseudo-fullscreen');
      done();
    };
    if (document.fullscreenElement === c) { document.exitFullscreen(); return; }
    if (L.DomUtil.hasClass(c, 'zg-pseudo-fullscreen')) { pseudo(false); return; }
    if (c.requestFullscreen && document.fullscreenEnabled) {
      c.requestFullscreen().then(done, function () { pseudo(true); });
    } else {
      pseudo(true);
    }
  };

  Z.Fullscreen = L.Control.extend({
    options: {position: 'topleft', title: 'Full screen'},
    onAdd: function (map) {
      var box = L.DomUtil.create('div', 'leaflet-bar leaflet-control zg-fullscreen');
      var a = L.DomUtil.create('a', 'zg-fullscreen-button', box);
      a.href = '#';
      a.title = this.options.title;
      a.setAttribute('role', 'button');
      a.setAttribute('aria-label', this.options.title);
      a.innerHTML = ICON_FULL;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(a, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        Z.toggleFullscreen(map);
      });
      L.DomEvent.on(document, 'fullscreenchange', function () {
        L.DomUtil[isFull(map) ? 'addClass' : 'removeClass'](map.getContainer(),
                                                          'zg-is-fullscreen');
        map.invalidateSize();
      });
      return box;
    }
  });

  /* ---------- distance measure ---------- */

  Z.Measure = L.Control.extend({
    options: {position: 'topleft', title: 'Measure a distance', hint: '', m: 'm', km: 'km',
              decimal: '.'},
    onAdd: function (map) {
      this._zgMap = map;
      var box = L.DomUtil.create('div', 'leaflet-bar leaflet-control zg-measure');
      var a = this._button = L.DomUtil.create('a', 'zg-measure-button', box);
      a.href = '#';
      a.title = this.options.title;
      a.setAttribute('role', 'button');
      a.setAttribute('aria-label', this.options.title);
      a.innerHTML = ICON_RULER;
      this._readout = L.DomUtil.create('div', 'zg-measure-readout', box);
      this._readout.style.display = 'none';
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(a, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        if (this._active) { this.stop(); } else { this.start(); }
      }, this);
      return box;
    },
    onRemove: function () { this.stop(); this._clear(); },
    _clear: function () {
      if (this._layer) { this._layer.remove(); this._layer = null; }
    },
    start: function () {
      var map = this._zgMap;
      this._clear();
      this._active = true;
      this._points = [];
      this._layer = L.layerGroup().addTo(map);
      this._line = L.polyline([], {color: '#000000', weight: 2.5, dashArray: '6 4',
                                   interactive: false, className: 'zg-measure-line'})
        .addTo(this._layer);
      map.doubleClickZoom.disable();
      L.DomUtil.addClass(map.getContainer(), 'zg-measuring');
      L.DomUtil.addClass(this._button, 'zg-active');
      map.on('click', this._onClick, this);
      map.on('dblclick', this.stop, this);
      map.on('popupopen', this._noPopup, this);
      L.DomEvent.on(document, 'keydown', this._onKey, this);
      this._show(this.options.hint);
    },
    stop: function () {
      var map = this._zgMap;
      if (!this._active) { return; }
      this._active = false;
      map.off('click', this._onClick, this);
      map.off('dblclick', this.stop, this);
      map.off('popupopen', this._noPopup, this);
      L.DomEvent.off(document, 'keydown', this._onKey, this);
      map.doubleClickZoom.enable();
      L.DomUtil.removeClass(map.getContainer(), 'zg-measuring');
      L.DomUtil.removeClass(this._button, 'zg-active');
      if (!this._points || this._points.length < 2) { this._readout.style.display = 'none'; }
    },
    _noPopup: function () { this._zgMap.closePopup(); },
    _onKey: function (e) { if (e.key === 'Escape') { this.stop(); } },
    _onClick: function (e) {
      this._points.push(e.latlng);
      this._line.setLatLngs(this._points);
      L.circleMarker(e.latlng, {radius: 3, color: '#000000', weight: 1, fillColor: '#ffffff',
                                fillOpacity: 1, interactive: false}).addTo(this._layer);
      this._show(this.format(this.total()));
    },
    total: function () {
      var d = 0, p = this._points || [];
      for (var i = 1; i < p.length; i++) { d += this._zgMap.distance(p[i - 1], p[i]); }
      return d;
    },
    format: function (d) {
      var o = this.options;
      if (d < 1000) { return Math.round(d) + ' ' + o.m; }
      return (d / 1000).toFixed(d < 10000 ? 2 : 1).replace('.', o.decimal) + ' ' + o.km;
    },
    _show: function (text) {
      this._readout.innerHTML = text;
      this._readout.style.display = text ? 'block' : 'none';
    }
  });

  /* ---------- minimap: a second small map kept in sync ---------- */

  Z.MiniMap = L.Control.extend({
    options: {position: 'bottomleft', width: 170, height: 130, zoomOffset: -5, tiles: null,
              outlines: null, title: ''},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-control zg-minimap');
      box.style.width = this.options.width + 'px';
      box.style.height = this.options.height + 'px';
      box.title = this.options.title;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
    addTo: function (map) {
      L.Control.prototype.addTo.call(this, map);
      this._init(map);
      return this;
    },
    _init: function (map) {
      var o = this.options;
      var zoomOf = function () { return Math.max(map.getZoom() + o.zoomOffset, 0); };
      var mini = this._mini = L.map(this._container, {
        center: map.getCenter(), zoom: zoomOf(),
        attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false,
        zoomAnimation: false, fadeAnimation: false, inertia: false
      });
      if (o.tiles) { L.tileLayer(o.tiles.url, o.tiles.options || {}).addTo(mini); }
      if (o.outlines) {
        L.geoJSON(o.outlines, {
          interactive: false,
          style: function (f) {
            return f.properties && f.properties.current
              ? {color: '#000000', weight: 1.5, fillColor: '#000000', fillOpacity: 0.15}
              : {color: '#555555', weight: 0.8, fillColor: '#ffffff', fillOpacity: 0.6};
          }
        }).addTo(mini);
      }
      var rect = L.rectangle(map.getBounds(), {color: '#D55E00', weight: 2, fillOpacity: 0.1,
                                               interactive: false}).addTo(mini);
      var sync = function () {
        mini.setView(map.getCenter(), zoomOf(), {animate: false});
        rect.setBounds(map.getBounds());
      };
      map.on('moveend resize', sync);
      mini.on('click', function (e) { map.panTo(e.latlng); });
    }
  });

  /* ---------- footer: a line of notes at the bottom (e.g. simplified outlines) ---------- */

  Z.Footer = L.Control.extend({
    options: {position: 'bottomright', text: ''},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-control zg-footer');
      box.innerHTML = this.options.text;
      return box;
    }
  });

  /* ---------- opening view: the district, clear of the controls ---------- */

  // Fit o.bounds inside the part of the map the controls leave free: the
  // layer switcher and legend on the right, the title on top. o carries the
  // smallest paddings (zonegeo.maps estimates the legend's width); the real
  // sizes of the controls widen them. At least 40 % of the map stays for
  // the bounds on a small screen.
  Z.fit = function (map, o) {
    var box = map.getContainer().getBoundingClientRect(), size = map.getSize();
    var tl = (o.paddingTopLeft || [10, 10]).slice();
    var br = (o.paddingBottomRight || [10, 10]).slice();
    var corners = map._controlCorners || {};
    ['topright', 'bottomright'].forEach(function (k) {
      var kids = corners[k] ? corners[k].children : [];
      for (var i = 0; i < kids.length; i++) {
        // the one-line attribution and footer run along the bottom edge
        var r = kids[i].getBoundingClientRect();
        if (/leaflet-control-attribution|zg-footer/.test(kids[i].className)) {
          if (r.height) { br[1] = Math.max(br[1], box.bottom - r.top + 4); }
          continue;
        }
        if (r.width) { br[0] = Math.max(br[0], box.right - r.left + 10); }
      }
    });
    var title = map.getContainer().querySelector('.zg-title');
    if (title) {
      var t = title.getBoundingClientRect();
      if (t.height) { tl[1] = Math.max(tl[1], t.bottom - box.top + 10); }
    }
    var sx = Math.min(1, 0.6 * size.x / Math.max(tl[0] + br[0], 1));
    var sy = Math.min(1, 0.6 * size.y / Math.max(tl[1] + br[1], 1));
    var opts = {paddingTopLeft: [tl[0] * sx, tl[1] * sy],
                paddingBottomRight: [br[0] * sx, br[1] * sy], animate: false};
    map.fitBounds(o.bounds, opts);
    map._zgFit = {bounds: o.bounds, paddingTopLeft: opts.paddingTopLeft,
                  paddingBottomRight: opts.paddingBottomRight};
    placeLabels(map);
    return map._zgFit;
  };

  /* ---------- all controls of a zonegeo map ---------- */

  Z.controls = function (map, o) {
    if (Z.maps.indexOf(map) < 0) { Z.maps.push(map); }
    var made = {};
    if (o.title) { made.title = Z.title(map, o.title); }
    if (o.fullscreen) { made.fullscreen = new Z.Fullscreen(o.fullscreen).addTo(map); }
    if (o.measure) { made.measure = new Z.Measure(o.measure).addTo(map); }
    if (o.scale) { made.scale = L.control.scale(o.scale).addTo(map); }
    if (o.minimap) { made.minimap = new Z.MiniMap(o.minimap).addTo(map); }
    if (o.footer) { made.footer = new Z.Footer({text: o.footer}).addTo(map); }
    if (o.legend) { made.legend = new Z.Legend(o.legend).addTo(map); }
    map._zgControls = made;
    return made;
  };
}(window.L));
