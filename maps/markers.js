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

  var own = Object.prototype.hasOwnProperty;
  var GLYPH = {};  // kind -> constant SVG markup from maps/console_map.py (never feed text)
  cfg.kinds.forEach(function (kind) { GLYPH[kind.name] = kind.glyph; });
  var FLOOD_WORDS = new RegExp(cfg.floodWords, "i");

  // The layer kind (one overlay each) from the CAP category; water words in the event move
  // weather, safety, transport and other incidents to "flood".
  function kindOf(feature) {
    var p = feature.properties || {};
    var category = String(p.category || "").toLowerCase();
    var kind = own.call(cfg.categoryKinds, category) ? cfg.categoryKinds[category] : cfg.defaultKind;
    if (cfg.floodCategories.indexOf(category) >= 0 && p.event && FLOOD_WORDS.test(String(p.event))) kind = "flood";
    return kind;
  }

  function iconFor(feature) {
    var kind = kindOf(feature);
    return L.divIcon({
      className: "vigil-marker vigil-sev-" + severityOf(feature) + " vigil-kind-" + kind +
        (isDrill(feature) ? " vigil-drill" : ""),
      html: GLYPH[kind],
      iconSize: [20, 20],
      popupAnchor: [0, -11]
    });
  }

  function formatTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    // The page's language and the duty room's zone when the page provides them.
    var page = window.VIGIL || {};
    try {
      return d.toLocaleString(document.documentElement.lang || undefined, { timeZone: page.timeZone, hour12: false });
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
    if (severityOf(old) !== severityOf(feature) || isDrill(old) !== isDrill(feature) ||
        kindOf(old) !== kindOf(feature)) return null;
    oldLayer.setLatLng(L.GeoJSON.coordsToLatLng(feature.geometry.coordinates));
    oldLayer.feature = feature;
    oldLayer.options.title = markerOptions(feature).title;
    oldLayer.setIcon(iconFor(feature));  // re-applies the title to the marker element
    if (oldLayer.isPopupOpen()) oldLayer.getPopup().update();
    return oldLayer;
  }

  var TOP = cfg.severities[0];

  // Worst severity below a cluster: walks the tree without building the child array and stops at
  // the first marker of the top severity, so a live update near a big cluster stays cheap.
  function worstIn(cluster, worst) {
    var markers = cluster._markers, children = cluster._childClusters, i, s;
    for (i = 0; i < markers.length && worst !== TOP; i++) {
      s = markers[i].feature ? severityOf(markers[i].feature) : "unknown";
      if (RANK[s] > RANK[worst]) worst = s;
    }
    for (i = 0; i < children.length && worst !== TOP; i++) worst = worstIn(children[i], worst);
    return worst;
  }

  function clusterIcon(cluster) {
    var worst = cluster._markers && cluster._childClusters ? worstIn(cluster, "unknown") : "unknown";
    var count = document.createElement("span");
    count.textContent = String(cluster.getChildCount());
    return L.divIcon({ html: count, className: "vigil-cluster vigil-sev-" + worst, iconSize: [32, 32] });
  }

  return {
    pointToLayer: pointToLayer,
    updateFeature: updateFeature,
    clusterIcon: clusterIcon,
    kindOf: kindOf,
    severityOf: severityOf,
    isDrill: isDrill,
    popupFor: popupFor
  };
}
