/* credgraph relational map: vis-network (bundled by the pyvis package), data from /api/map.
 *
 * Layout: the centre sits in the middle; each (relation, direction) group gets its own sector,
 * sized by how many nodes it shows, and fills rings outwards inside it. Physics is off, so the
 * picture is stable and a hub with hundreds of neighbours stays readable: groups are capped
 * (a "+N more" node expands one) and filters hide relations or kinds.
 *
 * Every text from the data goes through textContent or vis-network's plain-text labels; nothing
 * from the data is ever written as HTML.
 */
(function () {
  "use strict";

  var container = document.getElementById("map");
  if (!container) { return; }
  var errorBox = document.getElementById("map-error");
  if (typeof vis === "undefined") {
    errorBox.hidden = false;
    errorBox.textContent = "The map library (vis-network, bundled in the pyvis package) is not installed on the server.";
    container.dataset.state = "error";
    return;
  }

  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39"];
  var KINDS = {
    credential:   { shape: "dot",          color: "#4a89dc" },
    organization: { shape: "box",          color: "#f0a04b" },
    topic:        { shape: "ellipse",      color: "#5cb85c" },
    initiative:   { shape: "diamond",      color: "#c45ab3" },
    competency:   { shape: "triangle",     color: "#d4b106" },
    learning:     { shape: "square",       color: "#7a6fd6" },
    pathway:      { shape: "star",         color: "#2aa198" },
    statement:    { shape: "triangleDown", color: "#999999" },
    other:        { shape: "dot",          color: "#b0b0b0" }
  };
  var RING = 230, RING_STEP = 130, SPACING = 120;

  var state = {
    iri: container.dataset.iri,
    limit: parseInt(container.dataset.limit, 10) || 12,
    relations: null,   // null = all
    kinds: null,
    more: [],
    data: null,
    relationColor: {}
  };

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: false,
    interaction: { hover: true, tooltipDelay: 120, multiselect: false },
    edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, smooth: false, width: 1.3 },
    nodes: { font: { size: 13, face: "system-ui, sans-serif" }, widthConstraint: { maximum: 150 }, size: 12 }
  });

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function tooltip(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line) { box.appendChild(el("div", line)); });
    return box;
  }

  function query() {
    var params = new URLSearchParams();
    params.set("iri", state.iri);
    params.set("limit", String(state.limit));
    if (state.relations) { params.set("relations", state.relations.join(",")); }
    if (state.kinds) { params.set("kinds", state.kinds.join(",")); }
    if (state.more.length) { params.set("more", state.more.join(",")); }
    return "/api/map?" + params.toString();
  }

  function load() {
    container.dataset.state = "loading";
    errorBox.hidden = true;
    return fetch(query(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.error || ("HTTP " + response.status)); }
          return body;
        });
      })
      .then(render)
      .catch(function (err) {
        errorBox.hidden = false;
        errorBox.textContent = "Could not draw the map: " + err.message;
        container.dataset.state = "error";
      });
  }

  function sectorLayout(groups) {
    // angle share per group: proportional to what it shows (at least 3 slots)
    var weights = groups.map(function (g) { return Math.max(3, g.slots); });
    var total = weights.reduce(function (a, b) { return a + b; }, 0) || 1;
    var start = -Math.PI / 2;
    var positions = {};
    groups.forEach(function (g, i) {
      var span = 2 * Math.PI * weights[i] / total;
      var placed = 0, ring = 0, items = g.items;
      while (placed < items.length) {
        var radius = RING + ring * RING_STEP;
        var capacity = Math.max(1, Math.floor(span * radius / SPACING));
        var count = Math.min(capacity, items.length - placed);
        for (var k = 0; k < count; k++) {
          var angle = start + span * (k + 0.5) / count;
          positions[items[placed + k]] = { x: Math.round(radius * Math.cos(angle)), y: Math.round(radius * Math.sin(angle)) };
        }
        placed += count;
        ring += 1;
      }
      var mid = start + span / 2, outer = RING + ring * RING_STEP - RING_STEP / 2;
      g.labelAt = { x: Math.round(outer * Math.cos(mid)), y: Math.round(outer * Math.sin(mid)) };
      start += span;
    });
    return positions;
  }

  function render(data) {
    state.data = data;
    data.relations.forEach(function (r, i) { state.relationColor[r.key] = PALETTE[i % PALETTE.length]; });
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });

    // groups in sector order; a node shown in several groups sits in the first one
    var placedIn = {};
    var groups = data.groups.map(function (g) {
      var items = g.nodes.filter(function (id) {
        if (placedIn[id]) { return false; }
        placedIn[id] = g.key;
        return true;
      });
      if (g.total > g.shown) { items.push("more:" + g.key); }
      return { key: g.key, relation: g.relation, label: g.label, total: g.total, shown: g.shown, items: items, slots: items.length };
    });
    var positions = sectorLayout(groups);

    var visNodes = [];
    var c = data.center;
    visNodes.push({
      id: c.id, label: c.label, x: 0, y: 0, fixed: true, shape: (KINDS[c.kind] || KINDS.other).shape,
      color: { background: (KINDS[c.kind] || KINDS.other).color, border: "#222" }, borderWidth: 3, size: 22,
      font: { size: 16, bold: true }, title: tooltip([c.label, c.kind + " (centre)", c.id]), kind: c.kind, isCentre: true
    });
    Object.keys(positions).forEach(function (id) {
      var p = positions[id];
      if (id.indexOf("more:") === 0) {
        var g = groups.filter(function (x) { return "more:" + x.key === id; })[0];
        visNodes.push({ id: id, label: "+" + (g.total - g.shown) + " more", x: p.x, y: p.y, shape: "box",
                        color: { background: "#ffffff", border: state.relationColor[g.relation] },
                        font: { size: 12, color: "#333" }, title: tooltip(["show all " + g.total + " (" + g.label + ")"]),
                        isMore: true, group_key: g.key });
        return;
      }
      var n = byId[id];
      var style = KINDS[n.kind] || KINDS.other;
      visNodes.push({ id: id, label: n.label, x: p.x, y: p.y, shape: style.shape,
                      color: { background: style.color, border: "#555" },
                      title: tooltip([n.label, n.kind + (n.types.length ? " · " + n.types.join(", ") : ""), n.id]),
                      kind: n.kind });
    });
    groups.forEach(function (g) {
      visNodes.push({ id: "label:" + g.key, label: g.label + " (" + g.total + ")", x: g.labelAt.x, y: g.labelAt.y,
                      shape: "text", font: { size: 14, color: state.relationColor[g.relation], bold: true },
                      isLabel: true, chosen: false });
    });
    var visEdges = data.edges.map(function (e) {
      return { id: e.id, from: e.from, to: e.to, color: { color: state.relationColor[e.relation], opacity: 0.85 },
               title: tooltip([e.label]), relation: e.relation };
    });
    groups.forEach(function (g) {
      if (g.total > g.shown) {
        var out = g.key.slice(-4) === ":out";
        visEdges.push({ id: "more-edge:" + g.key, from: out ? c.id : "more:" + g.key, to: out ? "more:" + g.key : c.id,
                        dashes: true, color: { color: state.relationColor[g.relation], opacity: 0.6 } });
      }
    });

    nodes.clear(); edges.clear();
    nodes.add(visNodes); edges.add(visEdges);
    network.fit({ animation: false });

    renderSide(data, groups, byId);
    renderFilters(data);
    document.title = c.label + " · Relational map · credgraph";
    document.getElementById("map-title").textContent = "Relational map: " + c.label;
    container.dataset.center = c.id;
    container.dataset.nodes = String(visNodes.filter(function (n) { return !n.isLabel; }).length);
    container.dataset.edges = String(visEdges.length);
    container.dataset.state = "ready";
  }

  function renderSide(data, groups, byId) {
    var centre = document.getElementById("map-centre");
    centre.textContent = "";
    centre.appendChild(el("h2", data.center.label));
    var p = el("p");
    p.appendChild(el("span", data.center.kind, { "class": "badge kind-" + data.center.kind }));
    p.appendChild(document.createTextNode(" "));
    p.appendChild(el("a", "open its page", { href: data.center.page, id: "centre-page" }));
    centre.appendChild(p);

    var list = document.getElementById("map-list");
    list.textContent = "";
    if (!data.groups.length) { list.appendChild(el("p", "No neighbours through the selected relations and kinds.", { "class": "note" })); }
    data.groups.forEach(function (g) {
      var h = el("h3");
      h.appendChild(el("span", null, { "class": "swatch", style: "background:" + state.relationColor[g.relation] }));
      h.appendChild(document.createTextNode(g.label + " (" + g.total + ")"));
      list.appendChild(h);
      var ul = el("ul", null, { "class": "plain" });
      g.nodes.forEach(function (id) {
        var n = byId[id];
        var li = el("li");
        li.appendChild(el("a", n.label, { href: n.page, title: n.id }));
        var b = el("button", "centre", { type: "button", title: "centre the map here" });
        b.addEventListener("click", function () { recentre(id); });
        li.appendChild(b);
        ul.appendChild(li);
      });
      if (g.total > g.shown) {
        var li = el("li");
        var more = el("button", "show all " + g.total, { type: "button" });
        more.addEventListener("click", function () { expand(g.key); });
        li.appendChild(more);
        ul.appendChild(li);
      }
      list.appendChild(ul);
    });
  }

  function renderFilters(data) {
    function build(boxId, items, selectedKey, colorOf) {
      var box = document.getElementById(boxId);
      box.textContent = "";
      items.forEach(function (item) {
        var label = el("label");
        var input = el("input", null, { type: "checkbox", value: item.key, name: selectedKey });
        input.checked = item.selected;
        input.addEventListener("change", function () {
          var checked = Array.prototype.slice.call(box.querySelectorAll("input:checked")).map(function (i) { return i.value; });
          state[selectedKey] = checked.length === items.length ? null : checked;
          if (!checked.length) { state[selectedKey] = ["none"]; }
          state.more = [];
          load();
        });
        label.appendChild(input);
        if (colorOf) { label.appendChild(el("span", null, { "class": "swatch", style: "background:" + colorOf(item) })); }
        label.appendChild(document.createTextNode(" " + item.label));
        box.appendChild(label);
      });
    }
    build("relation-filters", data.relations, "relations", function (r) { return state.relationColor[r.key]; });
    build("kind-filters", data.kinds, "kinds", function (k) { return (KINDS[k.key] || KINDS.other).color; });
  }

  function recentre(iri) {
    if (!iri || iri === state.iri) { return; }
    state.iri = iri;
    state.more = [];
    history.pushState({ iri: iri }, "", "/map?iri=" + encodeURIComponent(iri));
    load();
  }

  function expand(groupKey) {
    if (state.more.indexOf(groupKey) < 0) { state.more.push(groupKey); }
    load();
  }

  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var node = nodes.get(params.nodes[0]);
    if (!node || node.isLabel || node.isCentre) { return; }
    if (node.isMore) { expand(node.group_key); return; }
    recentre(node.id);
  });
  network.on("doubleClick", function (params) {
    if (!params.nodes.length) { return; }
    var id = params.nodes[0];
    var n = state.data && state.data.nodes.filter(function (x) { return x.id === id; })[0];
    if (n) { window.location.href = n.page; }
    else if (state.data && id === state.data.center.id) { window.location.href = state.data.center.page; }
  });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.iri) { state.iri = event.state.iri; state.more = []; load(); }
  });

  // for tests and the curious: the live network and its data
  window.credgraphMap = { network: network, nodes: nodes, edges: edges, state: state, recentre: recentre, expand: expand };

  if (!state.iri) {
    errorBox.hidden = false;
    errorBox.textContent = "The store has no topic or organization to centre on; give one with ?iri=.";
    container.dataset.state = "error";
    return;
  }
  history.replaceState({ iri: state.iri }, "", "/map?iri=" + encodeURIComponent(state.iri));
  load();
}());
