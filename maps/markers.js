// Incident markers for the console map, inlined into the folium script by maps/console_map.py.
// Headlines, events and sources come from outside feeds: they only ever reach the page through
// textContent or DOM attributes, never as HTML.
function vigilMarkerKit(cfg) {
  "use strict";
  var RANK = {};  // severity -> rank, higher is worse
  cfg.severities.forEach(function (name, i) { RANK[name] = cfg.severities.length - i; });

  function severityOf(feature) {
    var s = feature.properties && feature.properties.severity;
    // Only known names may become CSS class names.
    return Object.prototype.hasOwnProperty.call(RANK, s) ? s : "unknown";
  }

  function isDrill(feature) {
    return !!(feature.properties && feature.properties.drill === true);
  }

  function iconFor(feature) {
    return L.divIcon({
      className: "vigil-marker vigil-sev-" + severityOf(feature) + (isDrill(feature) ? " vigil-drill" : ""),
      iconSize: [18, 18],
      popupAnchor: [0, -10]
    });
  }

  function formatTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    // Use the console's zone and language when the page provides them.
    var page = window.VIGIL || {};
    try {
      return d.toLocaleString(page.locale, { timeZone: page.timeZone, hour12: false });
    } catch (e) {
      return d.toISOString();
    }
  }

  function line(parent, className, text) {
    var el = document.createElement("div");
    el.className = className;
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  function popupFor(feature) {
    var p = feature.properties || {};
    var sev = severityOf(feature);
    var names = (window.VIGIL && window.VIGIL.strings && window.VIGIL.strings.severity) || {};
    var root = document.createElement("div");
    root.className = "vigil-popup";
    if (isDrill(feature)) line(root, "vigil-popup-drill", cfg.drillLabel);
    line(root, "vigil-popup-headline", String(p.headline || p.event || ""));
    var severity = line(root, "vigil-popup-severity vigil-sev-" + sev, names[sev] || sev);
    severity.title = sev;
    if (p.event) line(root, "vigil-popup-event", String(p.event));
    line(root, "vigil-popup-meta", [p.source, formatTime(p.occurred_at)].filter(Boolean).join(" · "));
    return root;
  }

  function markerOptions(feature) {
    return {
      icon: iconFor(feature),
      title: String((feature.properties && feature.properties.headline) || ""),
      riseOnHover: true,
      zIndexOffset: RANK[severityOf(feature)] * 100  // worst on top where markers overlap
    };
  }

  function pointToLayer(feature, latlng) {
    // The popup is a function so it is rebuilt from layer.feature each time it opens.
    return L.marker(latlng, markerOptions(feature))
      .bindPopup(function (layer) { return popupFor(layer.feature); }, { maxWidth: 320 });
  }

  function updateFeature(feature, oldLayer) {
    if (!oldLayer || !feature.geometry || feature.geometry.type !== "Point") return null;
    var old = oldLayer.feature;
    // A new severity or drill flag needs a fresh marker so the cluster icons are recomputed too.
    if (severityOf(old) !== severityOf(feature) || isDrill(old) !== isDrill(feature)) return null;
    oldLayer.setLatLng(L.GeoJSON.coordsToLatLng(feature.geometry.coordinates));
    oldLayer.feature = feature;
    oldLayer.options.title = markerOptions(feature).title;
    oldLayer.setIcon(iconFor(feature));  // re-applies the title to the marker element
    if (oldLayer.isPopupOpen()) oldLayer.getPopup().update();
    return oldLayer;
  }

  function clusterIcon(cluster) {
    var worst = "unknown";
    cluster.getAllChildMarkers().forEach(function (m) {
      var s = m.feature ? severityOf(m.feature) : "unknown";
      if (RANK[s] > RANK[worst]) worst = s;
    });
    var count = document.createElement("span");
    count.textContent = String(cluster.getChildCount());
    return L.divIcon({ html: count, className: "vigil-cluster vigil-sev-" + worst, iconSize: [32, 32] });
  }

  return {
    pointToLayer: pointToLayer,
    updateFeature: updateFeature,
    clusterIcon: clusterIcon
  };
}
