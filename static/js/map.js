// The map beside the results and on facility pages. The list always carries everything the map
// shows, so the page reads the same when tiles cannot load or scripts are off.
(function () {
  "use strict";
  if (!window.L) return;

  function readMarkers() {
    var data = document.getElementById("map-markers");
    return data ? JSON.parse(data.textContent) : [];
  }

  function popupContent(marker) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    box.appendChild(link);
    if (marker.distance !== null && marker.distance !== undefined) {
      var distance = document.createElement("div");
      distance.textContent = marker.distance.toFixed(1) + " miles away";
      box.appendChild(distance);
    }
    return box;
  }

  function IopMap(element) {
    this.element = element;
    this.map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    }).addTo(this.map);
    this.layer = L.layerGroup().addTo(this.map);
  }

  IopMap.prototype.show = function (markers) {
    this.layer.clearLayers();
    this.element.hidden = markers.length === 0;
    if (!markers.length) return;
    var points = markers.map(function (marker) {
      // Markers stay out of the tab order: the list below has the same links.
      L.marker([marker.lat, marker.lng], { keyboard: false, title: marker.name, alt: marker.name })
        .bindPopup(popupContent(marker))
        .addTo(this.layer);
      return [marker.lat, marker.lng];
    }, this);
    this.map.invalidateSize();
    this.map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
  };

  var element = document.getElementById("results-map");
  if (!element) return;
  element.hidden = false;
  window.iopMap = new IopMap(element);
  window.iopMap.show(readMarkers());
  window.iopMap.readMarkers = readMarkers;
})();
