// The map beside the results and on facility pages: numbered pins like the list's numbers,
// the place searched and its radius. The list carries everything the map shows, so the page
// reads the same when tiles cannot load or scripts are off.
(function () {
  "use strict";
  if (!window.L) return;
  var METERS_PER_MILE = 1609.344;

  function readData() {
    var data = document.getElementById("map-data");
    return data ? JSON.parse(data.textContent) : { markers: [], place: null };
  }

  function pinIcon(number) {
    return L.divIcon({
      className: "map-pin",
      html: "<span>" + number + "</span>",
      iconSize: [30, 30],
      iconAnchor: [15, 15],
      popupAnchor: [0, -14],
    });
  }

  function popupContent(marker, showInList) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = (marker.number ? marker.number + ". " : "") + marker.name;
    box.appendChild(link);
    var group = marker.number && document.getElementById("place-" + marker.number);
    if (group) {
      var back = document.createElement("button");
      back.type = "button";
      back.className = "map-to-list";
      back.textContent = showInList;
      back.addEventListener("click", function () {
        group.scrollIntoView({ behavior: "smooth", block: "start" });
        var heading = group.querySelector("h2 a:not(.pin-number)");
        if (heading) heading.focus({ preventScroll: true });
      });
      box.appendChild(back);
    }
    return box;
  }

  function IopMap(element) {
    this.element = element;
    this.map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution })
      .addTo(this.map);
    this.layer = L.layerGroup().addTo(this.map);
    this.pins = {};
  }

  IopMap.prototype.show = function (data) {
    this.layer.clearLayers();
    this.pins = {};
    this.circle = null;
    var markers = data.markers || [];
    this.element.hidden = markers.length === 0;
    if (!markers.length) return;
    var showInList = this.element.dataset.showInList || "";
    var bounds = L.latLngBounds([]);
    markers.forEach(function (marker) {
      var options = { keyboard: false, title: marker.name, alt: marker.name };
      if (marker.number) options.icon = pinIcon(marker.number);
      // Pins stay out of the tab order: the list has the same links, and its numbers lead here.
      var pin = L.marker([marker.lat, marker.lng], options)
        .bindPopup(popupContent(marker, showInList))
        .addTo(this.layer);
      if (marker.number) this.pins[marker.number] = pin;
      bounds.extend([marker.lat, marker.lng]);
    }, this);
    if (data.place) {
      var here = [data.place.lat, data.place.lng];
      // Text, not HTML: the label may be what the visitor typed (an address geocoded as given).
      var placeLabel = document.createElement("span");
      placeLabel.textContent = this.element.dataset.placeLabel + ": " + data.place.label;
      L.circleMarker(here, { radius: 8, color: "#7a1020", fillColor: "#ffffff", fillOpacity: 1, weight: 3 })
        .bindTooltip(placeLabel)
        .addTo(this.layer);
      if (data.radius_miles) {
        var circle = L.circle(here, { radius: data.radius_miles * METERS_PER_MILE, color: "#0b5cad", weight: 1, fillOpacity: 0.04 })
          .addTo(this.layer);
        // The whole circle in view once the map has a size: the area searched, pins inside.
        this.circle = circle;
      }
      bounds.extend(here);
    }
    this.map.invalidateSize();
    this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    if (this.circle) this.map.fitBounds(this.circle.getBounds(), { padding: [8, 8] });
  };

  IopMap.prototype.open = function (number) {
    var pin = this.pins[number];
    if (!pin) return false;
    this.element.scrollIntoView({ behavior: "smooth", block: "center" });
    this.map.setView(pin.getLatLng(), Math.max(this.map.getZoom(), 12));
    pin.openPopup();
    return true;
  };

  // Started with the page, and again when live filters bring new results and their map.
  function start() {
    var element = document.getElementById("results-map");
    if (!element) return;
    element.hidden = false;
    window.iopMap = new IopMap(element);
    window.iopMap.show(readData());
  }
  window.iopMapStart = start;
  start();

  // A card's number opens its pin; the pin's popup leads back to the card.
  document.addEventListener("click", function (event) {
    var number = event.target.closest && event.target.closest("a.pin-number");
    if (number && window.iopMap && window.iopMap.open(number.dataset.pin)) event.preventDefault();
  });
})();
