// The console map's behaviour, inlined into the folium script by maps/console_map.py: one checkbox
// per incident kind, incident areas under the markers and a heat layer, and what the page asks of
// the map (show these incidents, find one, tell me which one was clicked). The overlays follow the
// live layer by listening to its "update" event, so everything goes through realtime.update()/remove().
// Work per pushed feature is O(1); only the throttled heat rebuild and a kind toggle walk all.
function vigilLayerKit(cfg, map, realtime, cluster, markers) {
  "use strict";
  // Plain-text attribution: no link out of a closed network, no flag on a government screen.
  if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
  var strings = (window.VIGIL && window.VIGIL.strings) || {};
  var kindNames = strings.kinds || {};
  var layerNames = strings.map_layers || {};
  var hidden = {};          // kind -> true while its overlay is unchecked
  var features = {};        // id -> feature, the live layer's own table (set by the first update)
  var areaLayers = {};      // id -> L.GeoJSON drawing that incident's area
  var areas = L.featureGroup();
  var heat = L.heatLayer([], cfg.heat);
  var heatDirty = true, heatTimer = null, heatLast = 0;
  var batching = false, loading = 0, inflight = [];

  function featureId(feature) { return feature.id; }  // the live layer's getFeatureId

  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ---- markers: the cluster holds only markers of shown kinds --------------------------------

  function wanted(layer) {
    var f = layer.feature;
    return !!f && realtime.getLayer(featureId(f)) === layer && !hidden[markers.kindOf(f)];
  }

  function syncMarker(layer) {
    var want = wanted(layer), has = cluster.hasLayer(layer);
    if (want && !has) cluster.addLayer(layer);
    else if (!want && has) cluster.removeLayer(layer);
  }

  // Adds many markers through markercluster's chunked loading; what changed meanwhile (a kind
  // hidden, an incident removed) is put right once every running load has finished.
  function loadMarkers(layers) {
    if (!layers.length) return;
    Array.prototype.push.apply(inflight, layers);
    loading++;
    cluster.addLayers(layers);
  }

  cluster.options.chunkProgress = function (done, total) {
    if (done < total) return;
    loading = Math.max(0, loading - 1);
    if (loading) return;
    var settled = inflight;
    inflight = [];
    settled.forEach(syncMarker);
  };

  // A pushed collection goes to the cluster in one addLayers() call instead of one addLayer()
  // each (markercluster re-clusters and refreshes icons on every single add).
  var update = realtime.update;
  realtime.update = function (geojson) {
    var list = geojson && (L.Util.isArray(geojson) ? geojson : geojson.features);
    if (!list || list.length < cfg.batchSize || batching) return update.apply(this, arguments);
    var fresh = [];
    batching = true;
    cluster.addLayer = function (layer) { fresh.push(layer); return this; };
    try {
      update.call(this, geojson);
    } finally {
      delete cluster.addLayer;  // back to the prototype's
      batching = false;
    }
    loadMarkers(fresh.filter(wanted));
    return this;
  };

  // ---- areas ----------------------------------------------------------------------------------

  function areaStyle(feature) {
    var colour = cfg.colours[markers.severityOf(feature)];
    return {
      color: colour, weight: 2, opacity: 0.9, fillColor: colour, fillOpacity: 0.12,
      dashArray: markers.isDrill(feature) ? "6 5" : null
    };
  }

  function dropArea(id) {
    var layer = areaLayers[id];
    if (!layer) return;
    areas.removeLayer(layer);
    delete areaLayers[id];
  }

  function syncArea(id, feature) {
    var area = feature && feature.properties && feature.properties.area;
    var old = areaLayers[id];
    var key = area ? [markers.severityOf(feature), markers.isDrill(feature), JSON.stringify(area)].join("|") : "";
    if (old && old.vigilKey === key) {
      old.vigilFeature = feature;  // same shape and colour: the popup reads the newest text
      syncAreaShown(old);
      return;
    }
    dropArea(id);
    if (!area) return;
    var style = areaStyle(feature);
    var layer;
    try {
      layer = L.geoJSON(area, {
        style: style,
        // Points of an area (e.g. sensors) become small rings; they are not incidents themselves.
        pointToLayer: function (_, latlng) { return L.circleMarker(latlng, L.extend({ radius: 7 }, style)); }
      });
    } catch (e) {
      console.warn("Vigil: area of incident " + id + " not drawn:", e);
      return;
    }
    layer.vigilKey = key;
    layer.vigilFeature = feature;
    layer.bindPopup(function () { return markers.popupFor(layer.vigilFeature); }, { maxWidth: 320 });
    areaLayers[id] = layer;
    syncAreaShown(layer);
  }

  function syncAreaShown(layer) {
    var show = !hidden[markers.kindOf(layer.vigilFeature)];
    if (show && !areas.hasLayer(layer)) areas.addLayer(layer);
    else if (!show && areas.hasLayer(layer)) areas.removeLayer(layer);
  }

  // ---- heat -----------------------------------------------------------------------------------

  function rebuildHeat() {
    heatTimer = null;
    if (!map.hasLayer(heat)) return;  // switched off meanwhile: rebuilt when switched on again
    heatLast = Date.now();
    heatDirty = false;
    var points = [], id, f, c;
    for (id in features) {
      f = features[id];
      if (!f.geometry || f.geometry.type !== "Point" || hidden[markers.kindOf(f)]) continue;
      c = f.geometry.coordinates;
      points.push([c[1], c[0], cfg.heatWeights[markers.severityOf(f)] || cfg.heatWeights.unknown]);
    }
    heat.setLatLngs(points);
  }

  // At most one rebuild per cfg.heatInterval ms; none while the heat overlay is off.
  function scheduleHeat() {
    heatDirty = true;
    if (!map.hasLayer(heat) || heatTimer) return;
    heatTimer = setTimeout(rebuildHeat, Math.max(0, heatLast + cfg.heatInterval - Date.now()));
  }

  heat.on("add", function () { if (heatDirty) rebuildHeat(); });

  // ---- live updates ---------------------------------------------------------------------------

  realtime.on("update", function (e) {
    var id;
    features = e.features;
    for (id in e.exit) dropArea(id);
    for (id in e.enter) {
      if (!batching) syncMarker(realtime.getLayer(id));
      syncArea(id, realtime.getFeature(id));
    }
    for (id in e.update) {
      if (!batching) syncMarker(realtime.getLayer(id));
      syncArea(id, realtime.getFeature(id));
    }
    scheduleHeat();
  });

  // ---- kinds ----------------------------------------------------------------------------------

  function setKindShown(kind, show) {
    if (!hidden[kind] === show) return;
    hidden[kind] = !show;
    var add = [], remove = [], id, layer;
    for (id in features) {
      layer = realtime.getLayer(id);
      if (!layer || markers.kindOf(layer.feature) !== kind) continue;
      if (show && !cluster.hasLayer(layer)) add.push(layer);
      else if (!show && cluster.hasLayer(layer)) remove.push(layer);
    }
    if (remove.length) cluster.removeLayers(remove);
    loadMarkers(add);
    for (id in areaLayers) {
      if (markers.kindOf(areaLayers[id].vigilFeature) === kind) syncAreaShown(areaLayers[id]);
    }
    scheduleHeat();
  }

  // ---- the page's incidents -------------------------------------------------------------------

  // Show one incident's marker (when it has a position), or take it off the map.
  function showIncident(feature, visible) {
    if (visible && feature.geometry) realtime.update(feature);
    else if (realtime.getLayer(featureId(feature))) realtime.remove(feature);
  }

  // The map shows exactly those of ``list`` that have a position and pass ``isVisible``: one
  // remove() and one update() for the lot.
  function showIncidents(list, isVisible) {
    var show = [], keep = {}, hide = [], id;
    list.forEach(function (f) {
      if (!f.geometry || !isVisible(f)) return;
      show.push(f);
      keep[featureId(f)] = true;
    });
    for (id in features) if (!keep[id]) hide.push(features[id]);
    if (hide.length) realtime.remove({ type: "FeatureCollection", features: hide });
    if (show.length) realtime.update({ type: "FeatureCollection", features: show });
  }

  // Zoom to an incident's marker (out of its cluster) and open its popup.
  function focus(id) {
    var layer = realtime.getLayer(id);
    if (layer) cluster.zoomToShowLayer(layer, function () { layer.openPopup(); });
  }

  // ``handler(id)`` when an incident's marker is clicked.
  function onSelect(handler) {
    cluster.on("click", function (e) { if (e.layer && e.layer.feature) handler(e.layer.feature.id); });
  }

  function label(glyph, text, className) {
    return '<span class="vigil-layer-label ' + className + '">' + (glyph || "") + "</span> " + escapeText(text);
  }

  var overlays = {}, groups = {};
  cfg.kinds.forEach(function (kind) {
    var group = L.layerGroup();  // empty: its checkbox stands for the kind's markers and areas
    group.addTo(map);
    group.on("add", function () { setKindShown(kind.name, true); });
    group.on("remove", function () { setKindShown(kind.name, false); });
    groups[kind.name] = group;
    overlays[label(kind.glyph, kindNames[kind.name] || kind.label, "vigil-kind-" + kind.name)] = group;
  });
  areas.addTo(map);
  overlays[label("", layerNames.areas || cfg.labels.areas, "vigil-layer-areas")] = areas;
  overlays[label("", layerNames.heat || cfg.labels.heat, "vigil-layer-heat")] = heat;
  var control = L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);

  return {
    control: control,
    areas: areas,
    heat: heat,
    kinds: groups,
    // For scripts and tests: show or hide a kind as its checkbox does.
    setKindShown: function (kind, show) {
      var group = groups[kind];
      if (group) show ? group.addTo(map) : map.removeLayer(group);
    },
    hiddenKinds: function () { return Object.keys(hidden).filter(function (k) { return hidden[k]; }); },
    areaCount: function () { return Object.keys(areaLayers).length; },
    rebuildHeat: rebuildHeat,
    showIncident: showIncident,
    showIncidents: showIncidents,
    focus: focus,
    onSelect: onSelect
  };
}
