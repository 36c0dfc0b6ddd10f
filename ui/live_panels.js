// The panels beside the boundary chart (ui/panels.py; FRAMES.md "Panels"): a Plotly figure that draws
// the axes, the title and the legend, made with Plotly.react only when a frame brings a new one, and a
// drawing painted over it on a canvas with every frame that carries one: the network's unit pictures
// and edges, the hidden space's points and lines, the landscape's surface, path and arrows. A canvas
// paint costs ~1-2 ms where a Plotly.react of the same traces cost 8-58 ms.
// ui/live_chart.py joins this file after ui/live_chart.js into one module: it uses that file's
// element(), heat(), upsample(), paintGrid(), gridPicture(), schedule(), CONFIG and `stats`, and live_chart.js
// calls queuePanel(), drawPanel() and closePanel().
const PANEL_FONT = "system-ui, sans-serif";
const UNIT_PICTURE_PIXELS = 180;  // a unit's picture on the boundary chart: resampled to about this size
const OUTPUT_UPSAMPLE = 3;  // the output unit's picture in the network, resampled for a smooth threshold line
const HIT_PIXELS = 6;  // how close the mouse must come to a point or an edge to hover it
const PANEL_CONFIG = { ...CONFIG, displayModeBar: false };  // the corner shows the epoch; a drag still zooms

// ---- what frames bring: the newest figure and drawing of the open panel, kept until drawn ---------
// A frame the page skips (it draws only the latest) may have brought the panel's figure: it stays
// pending until drawn. Parts are typed arrays with their shape.
function queuePanel(state, panel, parts) {
  const pending = state.pendingPanel && state.pendingPanel.key === panel.key ? state.pendingPanel : { key: panel.key };
  if (panel.figure) pending.figure = panel.figure;
  pending.drawing = panel.drawing;
  pending.parts = parts;
  state.pendingPanel = pending;
}

function drawPanel(state) {
  const pending = state.pendingPanel;
  state.pendingPanel = null;
  // Another view: a new chart (plotly.js's react does not take one view's axis constraints to another's)
  if (state.panel && pending.figure && state.panel.key !== pending.key) closePanel(state);
  const panel = state.panel || (state.panel = makePanel(state));
  const started = performance.now();
  if (pending.figure) {
    panel.key = pending.key;
    panel.div.dataset.panel = pending.key;
    window.Plotly.react(panel.div, pending.figure.data, pending.figure.layout, PANEL_CONFIG);
    stats.panelFigures = (stats.panelFigures || 0) + 1;
    if (!panel.listening) {  // plotly.js gives the div its .on() with the first figure
      panel.listening = true;
      panel.div.on("plotly_afterplot", () => paintPanel(panel));  // a new figure, a zoom, a resize
    }
  }
  if (panel.key !== pending.key) return;  // a drawing for a figure the page never got: the next frame brings it
  panel.drawing = pending.drawing;
  panel.parts = pending.parts;
  paintPanel(panel);
  if (panel.drawing.kind === "network") followUnits(state, panel);
  stats.panelDrawings = (stats.panelDrawings || 0) + 1;
  stats.panelMs = (stats.panelMs || 0) + performance.now() - started;
}

// The view went back to the boundary chart: the panel goes, and any unit shown on the boundary with it.
function closePanel(state) {
  state.pendingPanel = null;
  const panel = state.panel;
  if (!panel) return;
  forgetUnits(state, panel);
  window.Plotly.purge(panel.div);
  panel.div.remove();
  state.panel = null;
}

function makePanel(state) {
  const div = element("div", "binclf-live-chart binclf-panel");
  div.dataset.chart = "panel";
  state.row.insertBefore(div, state.divs.curves);
  const panel = { div, key: null, drawing: null, parts: null, hovered: null, pinned: null, surface: null };
  panel.under = element("canvas", "binclf-panel-canvas", div);  // what changes seldom: the landscape's surface
  panel.canvas = element("canvas", "binclf-panel-canvas", div);  // what every drawing moves
  panel.tooltip = element("div", "binclf-tooltip", div);
  div.binclfPanel = panel;  // for the browser tests: what the panel shows
  div.addEventListener("mousemove", (event) => hover(state, panel, event));
  div.addEventListener("mouseleave", () => { showTip(panel, null); hoverUnit(state, panel, null); });
  div.addEventListener("click", (event) => click(state, panel, event));
  return panel;
}

// ---- painting -------------------------------------------------------------------------------
// The axes' mapping from data to the panel's pixels, as plotly.js laid them out.
function axes(div) {
  const layout = div._fullLayout;
  if (!layout || !layout.xaxis || !layout.yaxis) return null;
  const xa = layout.xaxis, ya = layout.yaxis;
  return { x: (v) => xa._offset + xa.l2p(v), y: (v) => ya._offset + ya.l2p(v),
           box: [xa._offset, ya._offset, xa._length, ya._length] };
}

// The chart's size comes from plotly.js's layout, not from the DOM: reading the div's size while the page
// has changed since its last layout would make the browser lay the whole page out once more (~5 ms here).
function paintPanel(panel) {
  if (!panel.drawing || !panel.div._fullLayout) return;
  const { canvas, div } = panel, ratio = window.devicePixelRatio || 1;
  const width = div._fullLayout.width, height = div._fullLayout.height;
  for (const layer of [panel.under, canvas]) sized(layer, width, height, ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const map = axes(div);
  if (!map) return;
  PAINTERS[panel.drawing.kind](ctx, panel, map);
  cornerLabel(ctx, panel, width);
}

function sized(canvas, width, height, ratio) {
  if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
  canvas.width = Math.round(width * ratio);  // this also clears it
  canvas.height = Math.round(height * ratio);
  canvas.style.width = width + "px";
  canvas.style.height = height + "px";
  canvas.drawn = null;
}

const TEXT_GAP = 8, MIN_FONT = 9;  // px: between texts that must not touch; the smallest font a text shrinks to

// "epoch N" (and the loss now, on the landscape) at the top right, on the title's line; the drawing's
// note (the landscape's bias held and colour scale) under it. Where the title or its subtitle reach that
// far (a Step's title, presenter mode's larger text): beside the plot, in the room its equal scales leave
// on the right, its parts (" · ") one a line.
function cornerLabel(ctx, panel, width) {
  const d = panel.drawing, title = panel.div.querySelector(".gtitle"), step = 1.35 * d.font;
  const text = `epoch ${d.epoch}` + (d.loss === undefined || d.loss === null ? "" : ` · loss ${d.loss.toPrecision(4)}`);
  let lines = d.note ? [text, d.note] : [text];
  ctx.font = `${d.font}px ${PANEL_FONT}`;
  const widest = (texts) => Math.max(...texts.map((line) => ctx.measureText(line).width));
  const box = axes(panel.div) && axes(panel.div).box;
  let x = width - 10, y = title ? Number(title.getAttribute("y")) : d.font + 8;
  ctx.textAlign = "right";
  if (box && titlesReach(ctx, panel.div) > x - widest(lines) - 12) {
    lines = lines.flatMap((line) => line.split(" · "));
    x = box[0] + box[2] + 10;
    y = box[1] + d.font;
    ctx.textAlign = "left";
    if (x + widest(lines) > width) {  // no room beside it either: inside the plot's corner, on a pale ground
      x = box[0] + box[2] - 6;
      ctx.textAlign = "right";
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x - widest(lines) - 4, box[1] + 2, widest(lines) + 8, lines.length * step + 4);
    }
  }
  ctx.fillStyle = "rgba(17,24,39,0.7)";
  ctx.textBaseline = "alphabetic";
  lines.forEach((line, i) => ctx.fillText(line, x, y + i * step));
  const left = ctx.textAlign === "right" ? x - widest(lines) : x;  // where it went, for the layout tests
  stats.cornerLabel = [left, y - d.font, left + widest(lines), y + (lines.length - 1) * step + 0.3 * d.font];
}

// How far right the figure's title and subtitle reach, in px, measured with the canvas from their text,
// x and font size (attributes only: reading the DOM's layout here would lay the page out again).
function titlesReach(ctx, div) {
  const font = ctx.font;
  let reach = 0;
  for (const node of div.querySelectorAll(".gtitle, .gtitle-subtitle")) {
    ctx.font = `${parseFloat(node.style.fontSize) || 13}px ${PANEL_FONT}`;
    reach = Math.max(reach, Number(node.getAttribute("x")) + ctx.measureText(node.textContent).width);
  }
  ctx.font = font;
  return reach;
}

function clipTo(ctx, map) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(...map.box);
  ctx.clip();
}

// The boundary's colour of each uint8 value (heat(v / 255)), as 256 RGB triples.
let heatTable = null;

function heatColors() {
  if (!heatTable) {
    heatTable = new Uint8ClampedArray(256 * 3);
    for (let v = 0; v < 256; v++) heatTable.set(heat(v / 255).map(Math.round), 3 * v);
  }
  return heatTable;
}

// Every unit's picture (U, G, G uint8, rows along y upwards) coloured into one canvas, tile u at x = u * G:
// one putImageData a drawing, and each unit drawn from its tile.
function unitAtlas(panel) {
  const pictures = panel.parts[panel.drawing.pictures], [count, size] = pictures.shape, width = count * size;
  const atlas = panel.atlas || (panel.atlas = element("canvas"));
  if (atlas.width !== width || atlas.height !== size) { atlas.width = width; atlas.height = size; }
  const context = atlas.getContext("2d"), image = context.createImageData(width, size), pixels = image.data;
  const colors = heatColors();
  for (let u = 0; u < count; u++) {
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const c = 3 * pictures[(u * size + i) * size + j], o = ((size - 1 - i) * width + u * size + j) * 4;
        pixels[o] = colors[c]; pixels[o + 1] = colors[c + 1]; pixels[o + 2] = colors[c + 2]; pixels[o + 3] = 255;
      }
    }
  }
  context.putImageData(image, 0, 0);
  return atlas;
}

function unitGrid(panel, unit) {
  const pictures = panel.parts[panel.drawing.pictures], size = pictures.shape[1];
  return { grid: pictures.subarray(unit * size * size, (unit + 1) * size * size), size };
}

function arrow(ctx, ends, color, map) {
  if (!ends) return;
  const x0 = map.x(ends[0][0]), y0 = map.y(ends[0][1]), x1 = map.x(ends[1][0]), y1 = map.y(ends[1][1]);
  const angle = Math.atan2(y1 - y0, x1 - x0), head = 11;
  ctx.strokeStyle = ctx.fillStyle = color;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - Math.cos(angle) * head * 0.8, y1 - Math.sin(angle) * head * 0.8);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
  ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
  ctx.closePath();
  ctx.fill();
}

function star(ctx, x, y, radius, fill) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 ? radius * 0.45 : radius, angle = -Math.PI / 2 + k * Math.PI / 5;
    ctx.lineTo(x + r * Math.cos(angle), y + r * Math.sin(angle));
  }
  ctx.closePath();
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.strokeStyle = "#111827";
  ctx.lineWidth = 1;
  ctx.stroke();
}

// The network as TF Playground draws it: edges by sign and |w|, a picture per unit, the names.
function paintNetwork(ctx, panel, map) {
  const d = panel.drawing, units = d.units, half = Math.abs(map.x(d.box / 2) - map.x(0));
  paintEdges(ctx, panel, map, half);
  const atlas = unitAtlas(panel), size = atlas.height;
  ctx.imageSmoothingEnabled = true;
  for (let u = 0; u < units.x.length; u++) {
    const x = map.x(units.x[u]) - half, y = map.y(units.y[u]) - half;
    if (u === d.output) {  // P(positive): resampled, with its threshold's line, as on the boundary chart
      const picture = gridPicture(panel.outputPicture || (panel.outputPicture = {}), unitGrid(panel, u).grid, size,
                                  OUTPUT_UPSAMPLE, d.threshold);
      ctx.drawImage(picture, x, y, 2 * half, 2 * half);
    } else {
      ctx.drawImage(atlas, u * size, 0, size, size, x, y, 2 * half, 2 * half);
    }
    const marked = units.label[u] === panel.pinned || units.label[u] === panel.hovered;
    ctx.strokeStyle = marked ? "#111827" : "rgba(17,24,39,0.25)";
    ctx.lineWidth = units.label[u] === panel.pinned ? 3 : marked ? 2 : 1;
    ctx.strokeRect(x, y, 2 * half, 2 * half);
  }
  paintTexts(ctx, panel, map);
}

// Edges orange (w > 0) or blue, 1 to 6 px wide by |w| against the largest (in half-pixel steps): one
// stroke per colour and width, not one per edge.
function paintEdges(ctx, panel, map, half) {
  const d = panel.drawing, edges = panel.parts[d.edges], count = edges.length / 3, groups = new Map();
  const size = (e) => Math.min(Math.abs(edges[e * 3 + 2]), 3.4e38);  // an infinite weight: the thickest
  let largest = 0;
  for (let e = 0; e < count; e++) largest = Math.max(largest, size(e));
  for (let e = 0; e < count; e++) {
    const key = `${edges[e * 3 + 2] > 0 ? "positive" : "negative"} ${Math.round(2 + 10 * size(e) / (largest || 1)) / 2}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(e);
  }
  ctx.globalAlpha = 0.75;
  for (const [key, members] of groups) {
    const [sign, width] = key.split(" ");
    ctx.strokeStyle = d.colors[sign];
    ctx.lineWidth = Number(width);
    ctx.beginPath();
    for (const e of members) {
      const [a, b] = edgeEnds(panel, map, e, half);
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

function edgeEnds(panel, map, e, half) {
  const d = panel.drawing, edges = panel.parts[d.edges], a = edges[e * 3], b = edges[e * 3 + 1];
  return [[map.x(d.units.x[a]) + half, map.y(d.units.y[a])], [map.x(d.units.x[b]) - half, map.y(d.units.y[b])]];
}

const ALIGN = { top: ["center", "bottom"], bottom: ["center", "top"], left: ["right", "middle"],
                right: ["left", "middle"] };

// The texts; a column's (titles above, "+N more" under) in their short forms where the full ones would come
// closer than TEXT_GAP px to the next column's, then in a smaller font if even those would. Each drawn text's
// box (canvas px) is kept on the panel as `textBoxes`.

function paintTexts(ctx, panel, map) {
  const d = panel.drawing, texts = d.texts, fonts = columnFonts(ctx, d, map);
  ctx.fillStyle = d.colors.text;
  panel.textBoxes = [];
  for (let k = 0; k < texts.text.length; k++) {
    const column = texts.short[k] !== null && texts.short[k] !== undefined, font = fonts.size;
    const text = column && fonts.short ? texts.short[k] : texts.text[k], size = column ? font : d.font;
    ctx.font = `${texts.bold[k] ? "bold " : ""}${size}px ${PANEL_FONT}`;
    [ctx.textAlign, ctx.textBaseline] = ALIGN[texts.anchor[k]];
    const x = map.x(texts.x[k]), y = map.y(texts.y[k]);
    ctx.fillText(text, x, y);
    panel.textBoxes.push({ text, ...textBox(ctx.measureText(text).width, size, x, y, texts.anchor[k]) });
  }
}

// Whether the column texts take their short forms, and their font size: the widest must fit the columns' pitch.
function columnFonts(ctx, d, map) {
  const texts = d.texts, columns = [...new Set(texts.x.filter((x, k) => texts.short[k] != null))].sort((a, b) => a - b);
  let pitch = Infinity;
  for (let c = 1; c < columns.length; c++) pitch = Math.min(pitch, Math.abs(map.x(columns[c]) - map.x(columns[c - 1])));
  const widest = (short) => {
    let width = 0;
    texts.text.forEach((text, k) => {
      if (texts.short[k] == null) return;
      ctx.font = `${texts.bold[k] ? "bold " : ""}${d.font}px ${PANEL_FONT}`;
      width = Math.max(width, ctx.measureText(short ? texts.short[k] : text).width);
    });
    return width;
  };
  const room = pitch - TEXT_GAP;
  if (widest(false) <= room) return { short: false, size: d.font };
  const width = widest(true);
  return { short: true, size: width <= room ? d.font : Math.max(MIN_FONT, Math.floor(d.font * room / width)) };
}

function textBox(width, size, x, y, anchor) {
  const left = anchor === "left" ? x - width : anchor === "right" ? x : x - width / 2;
  const top = anchor === "top" ? y - size : anchor === "bottom" ? y : y - size / 2;
  return { left, right: left + width, top, bottom: top + size };
}

// The hidden space: the plane's grid lines and the training points, at two hidden units' activations.
function paintHiddenSpace(ctx, panel, map) {
  const d = panel.drawing, lines = panel.parts[d.lines], points = panel.parts[d.points], labels = panel.parts[d.labels];
  const [count, samples] = lines.shape;
  clipTo(ctx, map);
  ctx.lineWidth = 1;
  for (const [family, first, last] of [["x1", 0, count / 2], ["x2", count / 2, count]]) {  // one stroke each
    ctx.strokeStyle = d.colors[family];
    ctx.beginPath();
    for (let l = first; l < last; l++) {
      let open = false;
      for (let s = 0; s < samples; s++) {
        const x = lines[(l * samples + s) * 2], y = lines[(l * samples + s) * 2 + 1];
        if (!Number.isFinite(x) || !Number.isFinite(y)) { open = false; continue; }
        if (open) ctx.lineTo(map.x(x), map.y(y)); else ctx.moveTo(map.x(x), map.y(y));
        open = true;
      }
    }
    ctx.stroke();
  }
  for (const value of [0, 1]) {  // one fill per class
    ctx.fillStyle = value ? d.colors.positive : d.colors.negative;
    ctx.beginPath();
    for (let i = 0; i < labels.length; i++) {
      const x = points[2 * i], y = points[2 * i + 1];
      if (labels[i] !== value || !Number.isFinite(x) || !Number.isFinite(y)) continue;
      ctx.moveTo(map.x(x) + 3, map.y(y));
      ctx.arc(map.x(x), map.y(y), 3, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  ctx.restore();
}

// The landscape: the loss surface (coloured only when a new one came), the path, now, the arrows.
function paintLandscape(ctx, panel, map) {
  const d = panel.drawing, path = panel.parts[d.path], colors = d.colors;
  paintSurface(panel, map);
  clipTo(ctx, map);
  const count = path.length / 2;
  ctx.strokeStyle = ctx.fillStyle = colors.path;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let k = 0; k < count; k++) ctx.lineTo(map.x(path[2 * k]), map.y(path[2 * k + 1]));
  ctx.stroke();
  ctx.beginPath();
  for (let k = 0; k < count; k++) ctx.rect(map.x(path[2 * k]) - 1.5, map.y(path[2 * k + 1]) - 1.5, 3, 3);
  ctx.fill();
  if (count) {
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(map.x(path[0]), map.y(path[1]), 4.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
  arrow(ctx, d.down, colors.down, map);
  arrow(ctx, d.update, colors.update, map);
  if (d.now) star(ctx, map.x(d.now[0]), map.y(d.now[1]), 8, colors.now);
  ctx.restore();
}

// The surface on the lower canvas, painted again only for a new surface or new axes.
function paintSurface(panel, map) {
  const [x0, x1, y0, y1] = panel.drawing.surface.extent, under = panel.under;
  const place = [map.x(x0), map.y(y1), map.x(x1) - map.x(x0), map.y(y0) - map.y(y1)];
  const key = `${panel.drawing.surface.id} ${place.join(" ")} ${map.box.join(" ")}`;
  if (under.drawn === key) return;
  under.drawn = key;
  const ctx = under.getContext("2d"), ratio = under.width / panel.div._fullLayout.width;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, under.width, under.height);
  clipTo(ctx, map);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(surfaceCanvas(panel), ...place);
  ctx.restore();
}

// The surface: its uint8 grid (sqrt of the loss's place between dark and pale) resampled 4x, coloured,
// with LEVELS - 1 contour lines lightened in (binclf_core/figures/landscape.py loss_image draws the same).
function surfaceCanvas(panel) {
  const s = panel.drawing.surface;
  if (panel.surface && panel.surface.id === s.id) return panel.surface.canvas;
  const grid = panel.parts[s.part], size = grid.shape[0], factor = 4, fine = size * factor;
  const values = upsample(grid, size, factor);
  const stops = s.colors.map(([at, hex]) => [at, [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))]);
  const canvas = (panel.surface && panel.surface.canvas) || element("canvas");
  if (canvas.width !== fine || canvas.height !== fine) canvas.width = canvas.height = fine;
  const context = canvas.getContext("2d"), image = context.createImageData(fine, fine), pixels = image.data;
  for (let i = 0; i < fine; i++) {
    for (let j = 0; j < fine; j++) {
      const v = values[i * fine + j], color = ramp(stops, v);
      const gx = (values[i * fine + Math.min(j + 1, fine - 1)] - values[i * fine + Math.max(j - 1, 0)]) / 2;
      const gy = (values[Math.min(i + 1, fine - 1) * fine + j] - values[Math.max(i - 1, 0) * fine + j]) / 2;
      const level = Math.min(Math.max(Math.round(v * s.levels), 1), s.levels - 1) / s.levels;
      const line = s.contour * Math.min(Math.max(0.8 - Math.abs(v - level) / (Math.hypot(gx, gy) + 1e-9), 0), 1);
      const o = ((fine - 1 - i) * fine + j) * 4;
      for (let c = 0; c < 3; c++) pixels[o + c] = color[c] + line * (255 - color[c]);
      pixels[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  panel.surface = { id: s.id, canvas };
  return canvas;
}

function ramp(stops, v) {
  let k = 0;
  while (k < stops.length - 2 && v > stops[k + 1][0]) k++;
  const [s0, c0] = stops[k], [s1, c1] = stops[k + 1], t = Math.min(Math.max((v - s0) / (s1 - s0), 0), 1);
  return [c0[0] + t * (c1[0] - c0[0]), c0[1] + t * (c1[1] - c0[1]), c0[2] + t * (c1[2] - c0[2])];
}

const PAINTERS = { network: paintNetwork, hidden_space: paintHiddenSpace, landscape: paintLandscape };

// ---- the mouse: a tooltip for what is under it; on the network, a unit's picture and formula -----
function hover(state, panel, event) {
  if (!panel.drawing) return;
  const box = panel.div.getBoundingClientRect(), map = axes(panel.div);
  if (!map) return;
  const x = event.clientX - box.left, y = event.clientY - box.top;
  const hit = HITS[panel.drawing.kind](panel, map, x, y);
  hoverUnit(state, panel, hit && hit.unit !== undefined ? panel.drawing.units.label[hit.unit] : null);
  showTip(panel, hit && hit.text ? { text: hit.text, x, y } : null);
}

function click(state, panel, event) {
  if (!panel.drawing || panel.drawing.kind !== "network") return;
  const box = panel.div.getBoundingClientRect(), map = axes(panel.div);
  const hit = map && hitNetwork(panel, map, event.clientX - box.left, event.clientY - box.top);
  if (!hit || hit.unit === undefined) return;
  const label = panel.drawing.units.label[hit.unit];
  panel.pinned = panel.pinned === label ? null : label;  // a second click lets it go
  stats.pins = (stats.pins || 0) + 1;
  showUnit(state, panel);
  paintPanel(panel);
}

function showTip(panel, tip) {
  panel.tooltip.style.display = tip ? "block" : "none";
  if (!tip) return;
  panel.tooltip.textContent = tip.text;
  const right = tip.x > panel.div.clientWidth / 2;
  panel.tooltip.style.left = right ? "" : `${tip.x + 12}px`;
  panel.tooltip.style.right = right ? `${panel.div.clientWidth - tip.x + 12}px` : "";
  panel.tooltip.style.top = `${tip.y + 12}px`;
}

function hitNetwork(panel, map, x, y) {
  const d = panel.drawing, half = Math.abs(map.x(d.box / 2) - map.x(0));
  for (let u = 0; u < d.units.x.length; u++) {
    if (Math.abs(x - map.x(d.units.x[u])) <= half && Math.abs(y - map.y(d.units.y[u])) <= half) return { unit: u };
  }
  const edges = panel.parts[d.edges];
  let best = null, closest = HIT_PIXELS;
  for (let e = 0; e < edges.length / 3; e++) {
    const distance = toSegment(x, y, ...edgeEnds(panel, map, e, half));
    if (distance < closest) { closest = distance; best = e; }
  }
  if (best === null) return null;
  const [a, b, w] = edges.subarray(best * 3, best * 3 + 3);
  return { text: `${d.units.label[a]} → ${d.units.label[b]}: w = ${w.toFixed(3)}` };
}

function toSegment(x, y, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1], length = dx * dx + dy * dy;
  const t = length ? Math.min(Math.max(((x - a[0]) * dx + (y - a[1]) * dy) / length, 0), 1) : 0;
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

// The nearest of `count` points (xy(k) in data units) within HIT_PIXELS, or -1.
function nearest(map, count, xy, x, y) {
  let best = -1, closest = HIT_PIXELS;
  for (let k = 0; k < count; k++) {
    const [px, py] = xy(k), distance = Math.hypot(map.x(px) - x, map.y(py) - y);
    if (distance < closest) { closest = distance; best = k; }
  }
  return best;
}

function hitHiddenSpace(panel, map, x, y) {
  const d = panel.drawing, points = panel.parts[d.points], labels = panel.parts[d.labels];
  const k = nearest(map, labels.length, (i) => [points[2 * i], points[2 * i + 1]], x, y);
  return k < 0 ? null : { text: `${d.classes[labels[k]]} (${d.names[0]} ${points[2 * k].toFixed(2)}, ` +
                                `${d.names[1]} ${points[2 * k + 1].toFixed(2)})` };
}

function hitLandscape(panel, map, x, y) {
  const d = panel.drawing, path = panel.parts[d.path], epochs = panel.parts[d.epochs];
  if (d.now && Math.hypot(map.x(d.now[0]) - x, map.y(d.now[1]) - y) < HIT_PIXELS + 2) {
    return { text: `now: epoch ${d.epoch}, training loss ${d.loss === null ? "n/a" : d.loss.toPrecision(4)}` };
  }
  const k = nearest(map, epochs.length, (i) => [path[2 * i], path[2 * i + 1]], x, y);
  return k < 0 ? null : { text: `path: epoch ${epochs[k]} (${path[2 * k].toFixed(3)}, ${path[2 * k + 1].toFixed(3)})` };
}

const HITS = { network: hitNetwork, hidden_space: hitHiddenSpace, landscape: hitLandscape };

// ---- a unit on the boundary chart: the hovered one, else the pinned one, live with every drawing ----
function hoverUnit(state, panel, label) {
  if (panel.hovered === label) return;
  panel.hovered = label;
  showUnit(state, panel);
  paintPanel(panel);
}

function showUnit(state, panel) {
  const d = panel.drawing, label = panel.hovered || panel.pinned;
  const unit = d && d.kind === "network" && label ? d.units.label.indexOf(label) : -1;
  if (unit < 0) {
    hideUnit(state);
    return;
  }
  const { grid, size } = unitGrid(panel, unit);
  const threshold = unit === d.output ? d.threshold : null;
  state.showingUnit = true;
  const picture = paintGrid(panel.unitPicture || (panel.unitPicture = {}), grid, size,
                            Math.ceil(UNIT_PICTURE_PIXELS / size), threshold);
  window.Plotly.relayout(state.divs.boundary, { "images[0].source": picture });
  state.caption.textContent = d.units.formula[unit];
}

function hideUnit(state) {
  if (!state.showingUnit) return;
  state.showingUnit = false;
  state.caption.textContent = "";
  if (state.latest) { state.latest.drawn = false; schedule(state); }  // the live picture comes back
}

// A new drawing: the unit shown follows it (a pinned unit no longer drawn is let go).
function followUnits(state, panel) {
  const labels = panel.drawing.units.label;
  if (panel.pinned && !labels.includes(panel.pinned)) panel.pinned = null;
  if (panel.hovered && !labels.includes(panel.hovered)) panel.hovered = null;
  if (panel.hovered || panel.pinned || state.showingUnit) showUnit(state, panel);
}

function forgetUnits(state, panel) {
  panel.hovered = panel.pinned = null;
  showTip(panel, null);
  hideUnit(state);
}
