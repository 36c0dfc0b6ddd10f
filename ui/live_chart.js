// The live charts: a player of the frame stream (FRAMES.md is the wire format).
// On mount it creates its charts once, opens the frame socket and sends the tab's token; the server
// answers with a reset message (both charts as figures, the points' positions) and then frames. Each
// animation frame draws the latest frame with Plotly updates that redraw only what changed: the
// probability picture (a layout image whose source changes), the point traces (only when a
// prediction flipped), the curves (extendTraces), the metrics (text). A dropped socket reconnects.
// Streamlit calls the default export on mount and whenever `data` changes; state lives on the parent.
const PLOTLY_URL = new URL("app/static/plotly-basic.min.js", window.location.href).href;
const METRICS = [["accuracy", "Test accuracy"], ["precision", "Precision"], ["recall", "Recall"], ["f1", "F1"],
                 ["roc_auc", "ROC AUC"]];
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
// A chart that takes clicks: Plotly counts two quick clicks anywhere as a double click and rescales
// the axes to the points, which would move the canvas under the user's next click.
const CLICK_CONFIG = { ...CONFIG, doubleClick: false };
// The picture: 3x the grid's resolution (bilinear), coloured P(positive) 0 -> 1, stretched to the size the
// chart shows it, the threshold's line stroked over it LINE_WIDTH px wide on screen (as the legend's).
const UPSAMPLE = 3;
const LINE_WIDTH = 2;
const MAX_PICTURE_PIXELS = 180;  // the resampled grid's own size: larger cost the player ~20 % of its frames
const HEAT = [[0.0, [191, 219, 254]], [0.5, [255, 255, 255]], [1.0, [254, 215, 170]]];
const LINE = [17, 24, 39];
const PART_TYPES = { u1: Uint8Array, i4: Int32Array, f4: Float32Array };  // a panel part's dtype by its code
const CURVE_COLUMNS = 5;  // epoch, train_loss, test_loss, train_accuracy, test_accuracy
const REFERENCE_COLUMNS = 2;  // epoch, train_loss
// The picture moves with every frame. The points and the curves cost more (a restyle or an extendTraces
// redraws a whole chart: ~13 and ~4 ms here), so they take turns in a slower lane, one of them every
// SLOW_LANE_MS: each at most 5 times a second while training, both at once when it stops.
const SLOW_LANE_MS = 100;
const RECONNECT_MS = [200, 400, 800, 1000];
// A session's first view waits for its charts before the sidebar's controls come (ui/session.py): at most this long.
const DRAWN_LATEST_MS = 3000;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__binclfPlotly) {
    window.__binclfPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = PLOTLY_URL;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("could not load " + PLOTLY_URL));
      document.head.appendChild(script);
    });
  }
  return window.__binclfPlotly;
}

// Streamlit's frontend fetches each widget's code the first time such a widget appears. Importing
// those modules while the server still imports torch puts them in the browser's module map early.
function preloadModules(names) {
  const index = document.querySelector('script[type="module"][src*="/static/js/index"]');
  if (!index || window.__binclfModules) return;
  window.__binclfModules = true;
  for (const name of names) import(new URL(name, index.src).href).catch(() => {});
}

// Counters the browser tests and the benches read.
const stats = (window.binclfLive = window.binclfLive ||
  { mounts: 0, renders: 0, frames: [], epochs: [], received: 0, bytes: 0, resets: 0, reconnects: 0, refused: 0,
    drawMs: 0, pictureMs: 0, imageMs: 0, curvesMs: 0, closes: [], tokens: 0 });

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// ---- the page around the charts: header, metrics strip, caption (textContent only: nothing is parsed as HTML)
function buildMetrics(parent) {
  const strip = element("div", "binclf-metrics", parent);
  const cells = {};
  for (const [key, label] of METRICS) {
    const cell = element("div", "binclf-metric", strip);
    element("div", "binclf-metric-label", cell, label);
    cells[key] = element("div", "binclf-metric-value", cell, "–");
    cells[key].dataset.metric = key;
  }
  const table = element("table", "binclf-confusion", strip);
  const head = element("tr", "", table);
  cells.matrixHead = [];
  for (const text of ["test", "pred −", "pred +"]) cells.matrixHead.push(element("th", "", head, text));
  cells.matrix = [];
  cells.matrixRows = [];
  for (const label of ["true −", "true +"]) {
    const row = element("tr", "", table);
    cells.matrixRows.push(element("th", "", row, label));
    cells.matrix.push([element("td", "", row, "–"), element("td", "", row, "–")]);
  }
  cells.losses = element("div", "binclf-losses", parent, "");
  return cells;
}

// One number format wherever metrics show (binclf_core/figures/formats.py, metric_text, which this mirrors):
// accuracy, precision and recall as 99.0 %, losses with four decimals, F1 and ROC AUC with three.
const PERCENT_METRICS = new Set(["accuracy", "precision", "recall"]);
const DECIMALS = { loss: 4, f1: 3, roc_auc: 3 };

function metricText(key, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  const base = key.replace(/^(train|test)_/, "");  // the metric without its split
  return PERCENT_METRICS.has(base) ? fixed(100 * value, 1) + " %" : fixed(value, DECIMALS[base] ?? 3);
}

// `value` with `digits` decimals as Python's format writes it: toFixed takes the larger of two equally near
// numbers, Python the even one, so an accuracy of 45/80 read "56.3 %" here and "56.2 %" on Compare.
function fixed(value, digits) {
  const rounded = value.toFixed(digits);
  const exact = Math.abs(value).toFixed(100);  // every digit of the double (from 3.6e-15 up)
  const cut = exact.indexOf(".") + 1 + digits;
  if (!/^50*$/.test(exact.slice(cut))) return rounded;  // not halfway: both round alike
  const down = exact.slice(0, digits ? cut : cut - 1);
  return Number(down.at(-1)) % 2 ? rounded : (value < 0 ? "-" : "") + down;
}

// The line under the tiles: the numbers of the model shown (final_metrics' own, FRAMES.md `losses`).
const NUMBERS_LINE = [["train_loss", "Train loss"], ["test_loss", "test loss"], ["train_accuracy", "train accuracy"],
  ["test_accuracy", "test accuracy"]];

function showMetrics(cells, metrics, losses) {
  for (const [key] of METRICS) cells[key].textContent = metricText(key, metrics[key]);
  metrics.confusion_matrix.forEach((row, i) => row.forEach((count, j) => { cells.matrix[i][j].textContent = String(count); }));
  cells.losses.textContent = losses ? NUMBERS_LINE.map(([key, label]) => `${label} ${metricText(key, losses[key])}`).join(" · ") : "";
}

// "Epoch N / M" in a <strong> of its own (the page's text, which tests and users read), then the replay's note.
function showHeader(state, epoch, epochs, replay) {
  state.epochText.textContent = `Epoch ${epoch} / ${epochs}`;
  state.replayText.textContent = replay === null || replay === undefined ? "" : ` · showing epoch ${replay}`;
}

// ---- the probability picture, drawn from the uint8 grid -------------------------------------
function heat(p) {
  const [s0, c0] = p < 0.5 ? HEAT[0] : HEAT[1];
  const [s1, c1] = p < 0.5 ? HEAT[1] : HEAT[2];
  const t = (p - s0) / (s1 - s0);
  return [c0[0] + t * (c1[0] - c0[0]), c0[1] + t * (c1[1] - c0[1]), c0[2] + t * (c1[2] - c0[2])];
}

// The grid (G*G bytes, rows along y upwards) resampled bilinearly to G*factor, as values from low (byte 0) to
// high (byte 255): a frame's grid spans its own range of P (header.grid_range), a unit's picture 0 to 1.
function upsample(grid, size, factor, [low, high] = [0, 1]) {
  const fine = size * factor, values = new Float32Array(fine * fine), scale = (size - 1) / (fine - 1);
  const step = (high - low) / 255;
  for (let i = 0; i < fine; i++) {
    const y = i * scale, y0 = Math.min(Math.floor(y), size - 2), fy = y - y0;
    for (let j = 0; j < fine; j++) {
      const x = j * scale, x0 = Math.min(Math.floor(x), size - 2), fx = x - x0;
      const a = grid[y0 * size + x0], b = grid[y0 * size + x0 + 1];
      const c = grid[(y0 + 1) * size + x0], d = grid[(y0 + 1) * size + x0 + 1];
      values[i * fine + j] = low + ((a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy) * step;
    }
  }
  return values;
}

function drawPicture(state, grid, threshold) {
  const cache = state.picture || (state.picture = {});
  return paintGrid(cache, grid, state.reset.grid, UPSAMPLE, threshold, pictureSize(state.divs.boundary));
}

// The boundary picture's size in canvas pixels: as large as the chart shows it in device pixels, at most
// MAX_PICTURE_PIXELS a side (the browser stretches it, the anti-aliased stroke with it); and the stroke's
// width in those pixels for LINE_WIDTH px on screen.
function pictureSize(div) {
  const layout = div._fullLayout, image = div.layout && div.layout.images && div.layout.images[0];
  if (!layout || !layout.xaxis || !image) return null;
  const ratio = window.devicePixelRatio || 1;
  const shown = (axis, span) => axis._length * span / Math.abs(axis.range[1] - axis.range[0]);  // CSS px
  const width = shown(layout.xaxis, image.sizex), height = shown(layout.yaxis, image.sizey);
  if (!(width > 0 && height > 0)) return null;
  const scale = Math.min(ratio, MAX_PICTURE_PIXELS / width, MAX_PICTURE_PIXELS / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale), line: LINE_WIDTH * scale };
}

// A (size x size) grid of P values as a picture, the threshold's line stroked dark (no line when
// threshold is null: a hidden unit's picture), as a data URL; `cache` keeps its canvases.
function paintGrid(cache, grid, size, factor, threshold, out) {
  // JPEG: a tenth of PNG's encoding time here (0.3 vs 2.7 ms)
  return gridPicture(cache, grid, size, factor, threshold, out).toDataURL("image/jpeg", 0.92);
}

// The same picture as a canvas (drawn over by the next call): the grid (bytes over grid.range, by default
// P 0 to 1) resampled `factor` times finer and coloured, stretched to `out` ({width, height, line}: canvas
// pixels and the stroke's width; by default the resampled size and a 2-pixel line), the threshold's line
// stroked along levelSegments.
function gridPicture(cache, grid, size, factor, threshold, out) {
  const fine = size * factor, values = upsample(grid, size, factor, grid.range);
  const colours = heatCanvas(cache, values, fine);
  const { width, height, line } = out || { width: fine, height: fine, line: 2 };
  if (!cache.canvas || cache.canvas.width !== width || cache.canvas.height !== height) {
    cache.canvas = document.createElement("canvas");
    cache.canvas.width = width;
    cache.canvas.height = height;
  }
  const context = cache.canvas.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.drawImage(colours, 0, 0, width, height);
  if (threshold !== null) strokeLevel(context, levelSegments(values, fine, threshold), fine, width, height, line);
  return cache.canvas;
}

// The resampled values (fine x fine, rows along y upwards) in the HEAT colours, on cache.colours.
function heatCanvas(cache, values, fine) {
  if (!cache.colours || cache.colours.width !== fine) {
    cache.colours = document.createElement("canvas");
    cache.colours.width = cache.colours.height = fine;
    cache.image = cache.colours.getContext("2d").createImageData(fine, fine);
  }
  const pixels = cache.image.data;
  for (let i = 0; i < fine; i++) {
    const row = fine - 1 - i;  // the picture's top row is the grid's last (highest y)
    for (let j = 0; j < fine; j++) {
      const color = heat(values[i * fine + j]), o = (row * fine + j) * 4;
      pixels[o] = color[0];
      pixels[o + 1] = color[1];
      pixels[o + 2] = color[2];
      pixels[o + 3] = 255;
    }
  }
  cache.colours.getContext("2d").putImageData(cache.image, 0, 0);
  return cache.colours;
}

// Where a (n x n) grid of values (rows along y upwards) crosses `level`, as segments [j0, i0, j1, i1, ...]
// in grid coordinates: marching squares, each crossing placed linearly between the two samples it lies
// between, so the line bends smoothly rather than along the cells' edges. A cell crossed on all four
// sides (a saddle) is split by its centre's value. binclf_core/figures/run.py level_segments is the same.
function levelSegments(values, n, level) {
  const segments = [];
  const at = (p, q) => (level - p) / (q - p);
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const a = values[i * n + j], b = values[i * n + j + 1];  // bottom left, bottom right
      const c = values[(i + 1) * n + j], d = values[(i + 1) * n + j + 1];  // top left, top right
      const aa = a >= level, ba = b >= level, ca = c >= level, da = d >= level;
      if (aa === ba && ba === ca && ca === da) continue;  // most cells: the line is elsewhere
      const sides = [  // where the line crosses the bottom, right, top and left sides
        aa !== ba ? [j + at(a, b), i] : null, ba !== da ? [j + 1, i + at(b, d)] : null,
        da !== ca ? [j + at(c, d), i + 1] : null, ca !== aa ? [j, i + at(a, c)] : null];
      const [bottom, right, top, left] = sides, found = sides.filter(Boolean);
      if (found.length === 2) segments.push(...found[0], ...found[1]);
      else if (((a + b + c + d) / 4 >= level) === aa) {  // a saddle joined through its centre: b and c cut off
        segments.push(...bottom, ...right, ...top, ...left);
      } else {  // a and d cut off
        segments.push(...bottom, ...left, ...top, ...right);
      }
    }
  }
  return segments;
}

// The segments (grid coordinates of an n x n grid) stroked on a width x height picture of the grid, in
// which sample (j, i) is the centre of a pixel-sized square, row 0 at the bottom.
function strokeLevel(context, segments, n, width, height, line) {
  const x = (j) => (j + 0.5) * width / n, y = (i) => height - (i + 0.5) * height / n;
  context.beginPath();
  for (let k = 0; k < segments.length; k += 4) {
    context.moveTo(x(segments[k]), y(segments[k + 1]));
    context.lineTo(x(segments[k + 2]), y(segments[k + 3]));
  }
  context.lineWidth = line;
  context.lineCap = "round";
  context.strokeStyle = `rgb(${LINE.join(",")})`;
  context.stroke();
}

// ---- frames --------------------------------------------------------------------------------
function decode(buffer, points, gridSize) {
  const view = new DataView(buffer);
  const length = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  let offset = 4 + length;
  const take = (Type, count) => {
    const array = new Type(buffer, offset, count);
    const size = count * Type.BYTES_PER_ELEMENT;
    offset += size + ((4 - (size % 4)) % 4);
    return array;
  };
  const frame = { header };
  frame.grid = take(Uint8Array, gridSize * gridSize);
  frame.grid.range = header.grid_range;  // byte 0 is P = low, byte 255 P = high
  frame.predictions = take(Uint8Array, header.predictions ? points : 0);
  frame.curves = take(Float32Array, header.curve_points * CURVE_COLUMNS);
  frame.reference = take(Float32Array, header.reference_points * REFERENCE_COLUMNS);
  frame.sizes = header.sizes ? take(Float32Array, points) : null;
  frame.panelParts = (header.panel ? header.panel.parts : []).map(([code, shape]) => {
    const part = take(PART_TYPES[code], shape.reduce((a, b) => a * b, 1));
    part.shape = shape;
    return part;
  });
  return frame;
}

// Traces of the boundary figure (binclf_core/figures/run.py boundary_figure): 0 the threshold's line (here
// only its legend entry: startRun), 1-4 (train, test) x (predicted negative, positive), 5 the misclassified rings.
function pointTraces(reset, predicted, sizes) {
  const { x, y, label, n_train: nTrain } = reset.points;
  const groups = [[], [], [], [], []];  // 4 prediction groups and the misclassified
  const groupSizes = [[], [], [], []];
  for (let i = 0; i < x.length; i++) {
    const group = (i < nTrain ? 0 : 2) + predicted[i];
    groups[group].push(i);
    if (sizes) groupSizes[group].push(sizes[i]);
    if (predicted[i] !== label[i]) groups[4].push(i);
  }
  return {
    x: groups.map((g) => g.map((i) => x[i])), y: groups.map((g) => g.map((i) => y[i])),
    sizes: sizes ? groupSizes.map((s) => s) : null,
  };
}

function applyCurves(state) {
  const rows = state.pendingCurves, reference = state.pendingReference;
  state.pendingCurves = [];
  state.pendingReference = [];
  const offset = state.reset.reference ? 1 : 0;
  const update = { x: [], y: [] }, indices = [];
  if (rows.length) {
    for (let column = 1; column < CURVE_COLUMNS; column++) {
      update.x.push(rows.map((r) => r[0]));
      update.y.push(rows.map((r) => r[column]));
      indices.push(offset + column - 1);
    }
  }
  if (reference.length && offset) {
    update.x.push(reference.map((r) => r[0]));
    update.y.push(reference.map((r) => r[1]));
    indices.push(0);
  }
  if (indices.length) window.Plotly.extendTraces(state.divs.curves, update, indices);
}

function queueCurves(state, frame) {
  for (let i = 0; i < frame.header.curve_points; i++) {
    state.pendingCurves.push(Array.from(frame.curves.subarray(i * CURVE_COLUMNS, (i + 1) * CURVE_COLUMNS)));
  }
  for (let i = 0; i < frame.header.reference_points; i++) {
    state.pendingReference.push(Array.from(frame.reference.subarray(i * REFERENCE_COLUMNS, (i + 1) * REFERENCE_COLUMNS)));
  }
}

function draw(state) {
  state.pending = false;
  const frame = state.latest;
  if (!frame || !state.reset || frame.drawn) return;
  frame.drawn = true;
  const started = performance.now();
  const h = frame.header, Plotly = window.Plotly;
  if (!state.showingUnit) {  // a unit of the Network view is shown there instead (ui/live_panels.js)
    const picture = drawPicture(state, frame.grid, h.threshold);
    stats.pictureMs += performance.now() - started;
    Plotly.relayout(state.divs.boundary, { "images[0].source": picture });
    stats.imageMs += performance.now() - started;
  }
  if (h.epochs !== state.epochs) {
    state.epochs = h.epochs;
    Plotly.relayout(state.divs.curves, { "xaxis.range": [0, Math.max(h.epochs, 1)] });
  }
  slowLane(state, !(h.playing || h.animating));
  const line = h.replay === null ? [] : [{ type: "line", xref: "x", yref: "paper", x0: h.replay, x1: h.replay, y0: 0,
    y1: 1, line: { color: "#111827", width: 1.5, dash: "dot" } }];
  if (line.length || state.replayLine) {
    Plotly.relayout(state.divs.curves, { shapes: line });
    state.replayLine = line.length > 0;
  }
  if (state.pendingPanel) drawPanel(state);
  else if (h.view === "boundary") closePanel(state);
  drawRing(state, h.ring);
  showHeader(state, h.epoch, h.epochs, h.replay);
  showMetrics(state.metrics, h.metrics, h.losses);
  stats.renders += 1;
  sayDrawn(state);
  stats.frames.push(performance.now());
  stats.epochs.push(h.epoch);
  if (stats.frames.length > 4000) { stats.frames.splice(0, 2000); stats.epochs.splice(0, 2000); }
  stats.drawMs += performance.now() - started;
  reportStop(state, h);
}

// A session's first view (data.first_view) runs again once the charts are drawn, or cannot be; once
// a session (token): a server restart gives the same page a new session, which waits for its charts too.
function awaitDrawn(state, data) {
  if (!data.first_view) { state.firstView = false; return; }
  if (state.firstView || state.saidDrawnFor === data.token) return;
  state.firstView = true;
  setTimeout(() => sayDrawn(state), DRAWN_LATEST_MS);
}

function sayDrawn(state) {
  if (!state.firstView) return;
  state.firstView = false;
  state.saidDrawnFor = state.token;
  state.setTriggerValue("drawn", true);
}

// One of the slow updates per SLOW_LANE_MS, taking turns; all that is pending when the run stands still.
function slowLane(state, still) {
  const now = performance.now();
  if (!still && now - state.slowAt < SLOW_LANE_MS) return;
  const points = state.pendingPredictions !== null || state.pendingSizes !== undefined;
  const curves = state.pendingCurves.length > 0 || state.pendingReference.length > 0;
  const pointsFirst = points && (!curves || state.lastSlow !== "points");
  if (pointsFirst || (still && points)) drawPoints(state);
  if ((curves && !pointsFirst) || (still && curves)) {
    const curvesStarted = performance.now();
    applyCurves(state);
    stats.curvesMs += performance.now() - curvesStarted;
  }
  state.slowAt = now;
  state.lastSlow = pointsFirst ? "points" : "curves";
}

function drawPoints(state) {
  if (state.pendingPredictions !== null) state.predicted = state.pendingPredictions;
  const sizes = state.pendingSizes === undefined ? state.sizes : state.pendingSizes;
  state.pendingPredictions = null;
  state.pendingSizes = undefined;
  const traces = pointTraces(state.reset, state.predicted, sizes);
  const update = { x: traces.x, y: traces.y };
  if (sizes || state.sizes) update["marker.size"] = traces.sizes ? [...traces.sizes, 13] : [8, 8, 8, 8, 13];
  window.Plotly.restyle(state.divs.boundary, update, [1, 2, 3, 4, 5]);
  state.sizes = sizes;
}

// The page runs its script again when the producer stops on its own (the run ended, the replay's
// animation reached its end, a fault paused it): the page then shows what comes after. Not for a run
// the page has not described yet (the reset's `run` is not the page data's): a page run that replaced
// the run is under way, and a trigger now would send the widgets' values from before it, which then
// overwrote the values it set (a room's Apply half undone).
function reportStop(state, header) {
  const active = header.playing || header.animating, fault = header.fault || null;
  if (state.reset && state.reset.run !== state.pageRun) return;
  if (!active && (state.pageSaysActive || fault !== state.fault) && !state.stopReported) {
    state.stopReported = true;
    state.setTriggerValue("stopped", header.seq);
  }
  state.fault = fault;
}

function schedule(state) {
  if (state.ready && !state.pending) {
    state.pending = true;
    requestAnimationFrame(() => draw(state));
  }
}

// ---- rings (ui/panels.py): points ringed on the boundary chart, trace 6, e.g. a one-batch Step's batch
function drawRing(state, ring) {
  const key = ring ? `${ring.name}:${ring.indices.join(",")}` : "";
  if (key === state.ringKey) return;
  state.ringKey = key;
  const { x, y } = state.reset.points, indices = ring ? ring.indices : [];
  window.Plotly.restyle(state.divs.boundary, { x: [indices.map((i) => x[i])], y: [indices.map((i) => y[i])],
                                               name: [ring ? ring.name : "ringed"], showlegend: [Boolean(ring)] }, [6]);
}

// ---- the socket ---------------------------------------------------------------------------
function connect(state) {
  if (state.closed) return;
  const url = new URL(state.path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url.href);
  socket.binaryType = "arraybuffer";
  state.socket = socket;
  socket.onopen = () => { state.attempts = 0; socket.send(state.token); };
  socket.onmessage = (event) => receive(state, event.data);
  socket.onclose = (event) => {
    stats.closes.push(event.code);
    if (state.socket !== socket || state.closed) return;
    if (event.code === 4403) {  // this server does not know the token (it restarted): the page must run anew
      stats.refused += 1;
      askForNewToken(state, state.token);
      return;
    }
    stats.reconnects += 1;
    const wait = RECONNECT_MS[Math.min(state.attempts++, RECONNECT_MS.length - 1)];
    setTimeout(() => connect(state), wait);
  };
}

// A new session's page run brings a new token. Streamlit reconnects its own socket by itself but does
// not run the page again until asked: ask through the trigger `stale`, again every few seconds until
// the token changed (the first ask may come before Streamlit's socket is back).
const STALE_RETRY_MS = 3000;

function askForNewToken(state, token) {
  if (state.closed || state.token !== token) return;
  state.setTriggerValue("stale", (stats.staleAsks = (stats.staleAsks || 0) + 1));
  setTimeout(() => askForNewToken(state, token), STALE_RETRY_MS);
}

function receive(state, data) {
  stats.received += 1;
  if (typeof data === "string") {
    stats.bytes += data.length;
    const message = JSON.parse(data);
    if (message.type === "reset") startRun(state, message);
    return;
  }
  stats.bytes += data.byteLength;
  if (!state.reset) return;
  const frame = decode(data, state.reset.points.x.length, state.reset.grid);
  queueCurves(state, frame);
  if (frame.predictions.length) state.pendingPredictions = frame.predictions;  // a flip, drawn in the slow lane
  if (frame.sizes || state.sizes) state.pendingSizes = frame.sizes;
  if (frame.header.panel) queuePanel(state, frame.header.panel, frame.panelParts);
  state.latest = frame;
  schedule(state);
}

// plotly.js's typed-array spec ({dtype, bdata}) as a plain array: extendTraces can only grow arrays.
const TYPED = { f4: Float32Array, f8: Float64Array, i4: Int32Array, i2: Int16Array, u1: Uint8Array };

function plainArray(spec) {
  if (!spec || spec.bdata === undefined) return spec;
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  return Array.from(new TYPED[spec.dtype](bytes.buffer));
}

// A reset: a new run, or a (re)connected socket. Both charts get their figures with Plotly.react on
// the same divs, so nothing is re-created and the user's zoom stays while the data do (drawFigure).
function startRun(state, message) {
  stats.resets += 1;
  state.reset = message;
  state.epochs = message.epochs;
  state.pendingCurves = [];
  state.pendingReference = [];
  state.latest = null;
  state.replayLine = false;
  state.sizes = null;
  state.pendingSizes = undefined;
  state.pendingPredictions = null;
  state.ringKey = "";  // the reset's boundary figure has no ring
  const { boundary, curves } = message.figures;
  // Trace 0 is the threshold's line as the figure was made; the frames draw the line into the picture,
  // so the trace stays only as its legend entry (restyling it with each frame would redraw the chart).
  boundary.data[0].x = [null];
  boundary.data[0].y = [null];
  for (const trace of curves.data) { trace.x = plainArray(trace.x); trace.y = plainArray(trace.y); }
  state.predicted = Uint8Array.from(message.points.predicted);  // as the reset's boundary figure shows them
  const negativeLabel = message.class_names;
  state.metrics.matrixHead[1].textContent = `pred ${negativeLabel[0]}`;
  state.metrics.matrixHead[2].textContent = `pred ${negativeLabel[1]}`;
  state.metrics.matrixRows[0].textContent = `true ${negativeLabel[0]}`;
  state.metrics.matrixRows[1].textContent = `true ${negativeLabel[1]}`;
  const whenReady = () => {
    drawFigure(state.divs.boundary, boundary, state.clickable ? CLICK_CONFIG : CONFIG);
    drawFigure(state.divs.curves, curves, CONFIG);
  };
  state.plotly.then(whenReady);
}

// A figure on its chart with Plotly.react, which keeps the user's zoom while the figure's layout.uirevision
// (its data's fingerprint) stays; for new data, the figure's axis ranges once more by relayout: within a
// react plotly.js holds a scale-anchored axis (the boundary's x) to the span it first had (its private
// _inputRange), so a smaller span of new data kept the old axis and the points lay off the chart.
function drawFigure(div, figure, config) {
  const newData = !div.layout || div.layout.uirevision !== figure.layout.uirevision;
  const ranges = {};
  for (const [key, axis] of Object.entries(figure.layout)) {  // read first: react writes into the layout
    if (/^[xy]axis\d*$/.test(key) && axis && axis.range) ranges[`${key}.range`] = axis.range.slice();
  }
  window.Plotly.react(div, figure.data, figure.layout, config);
  if (newData && Object.keys(ranges).length) window.Plotly.relayout(div, ranges);
}

// ---- clicks on the chart (drawn points) -------------------------------------------------------
// Plotly's plotly_click fires only on traces, so the mouse position is converted with the axes' p2d
// (pixel to data) from the drag layer, the rectangle over the plot area that takes every mouse event there.
function clickedPoint(div, event) {
  const layout = div._fullLayout;
  if (!layout || !event.target.classList || !event.target.classList.contains("nsewdrag")) return null;
  const box = event.target.getBoundingClientRect();
  const x = layout.xaxis.p2d(event.clientX - box.left), y = layout.yaxis.p2d(event.clientY - box.top);
  return Number.isFinite(x) && Number.isFinite(y) ? { x, y } : null;
}

function listenForClicks(state) {
  state.divs.boundary.addEventListener("click", (event) => {
    if (!state.clickable || event.detail > 1) return;  // a double click on one spot adds one point
    const point = clickedPoint(state.divs.boundary, event);
    if (point) {
      stats.clicks = (stats.clicks || 0) + 1;
      state.setTriggerValue("click", point);
    }
  });
}

// ---- mount --------------------------------------------------------------------------------
function mount(parentElement) {
  const state = { divs: {}, ready: false, pending: false, latest: null, reset: null, attempts: 0, closed: false,
                  fault: null,
                  pendingCurves: [], pendingReference: [], pendingPredictions: null, slowAt: 0 };
  const header = element("div", "binclf-epoch", parentElement);
  state.epochText = element("strong", "", header, "");
  state.replayText = element("span", "binclf-replay", header, "");
  state.row = element("div", "binclf-live-row", parentElement);
  for (const name of ["boundary", "curves"]) {
    const div = element("div", "binclf-live-chart", state.row);
    div.dataset.chart = name;
    state.divs[name] = div;
  }
  state.caption = element("div", "binclf-caption", parentElement, "");
  state.metrics = buildMetrics(parentElement);
  listenForClicks(state);
  followSizes(state);
  stats.mounts += 1;
  state.plotly = loadPlotly();
  state.plotly.then(() => { state.ready = true; schedule(state); },
                    (error) => { state.row.textContent = "The charts could not load: " + error.message; sayDrawn(state); });
  return state;
}

// plotly.js's `responsive` follows the window's size only; a chart's box also changes when a panel opens
// beside it (the row's charts share its width), and a chart laid out for its old width ran over its
// neighbour (the boundary's legend over the Landscape's). Each chart follows its own box.
function followSizes(state) {
  if (!window.ResizeObserver) return;
  const observer = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      if (target._fullLayout && Math.abs(target._fullLayout.width - target.clientWidth) > 1) {
        window.Plotly.Plots.resize(target);
      }
    }
  });
  for (const div of Object.values(state.divs)) observer.observe(div);
  state.resizeObserver = observer;
}

// A page without a run yet (drawn points still missing): static figures, no socket.
function showStatic(state, figures) {
  state.plotly.then(() => {
    drawFigure(state.divs.boundary, figures.boundary, CLICK_CONFIG);
    drawFigure(state.divs.curves, figures.curves, CONFIG);
    stats.renders += 1;
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && data.preload) {
    loadPlotly().catch(() => {});  // the live mount reports a failure where the charts would be
    preloadModules(data.modules || []);
    return;
  }
  const state = parentElement.__binclf || (parentElement.__binclf = mount(parentElement));
  state.setTriggerValue = setTriggerValue;
  if (!data) return;
  state.clickable = Boolean(data.clickable);
  state.divs.boundary.classList.toggle("binclf-clickable", state.clickable);
  parentElement.classList.toggle("binclf-presenting", Boolean(data.presenting));
  if (data.static) {
    showHeader(state, 0, data.epochs, null);
    showStatic(state, data.static);
    return;
  }
  // What this page run says; a frame may already know better, so the header only moves forward.
  state.pageSaysActive = Boolean(data.playing || data.animating);
  state.pageRun = data.run;
  state.stopReported = false;
  if (!state.latest) showHeader(state, data.epoch, data.epochs, null);
  if (state.token !== data.token) {
    stats.tokens += 1;
    state.token = data.token;
    state.path = data.path;
    if (state.socket) { state.closed = true; state.socket.close(); state.closed = false; }
    connect(state);
  }
  awaitDrawn(state, data);
  return () => {  // unmounted: the socket goes, and with it this tab's frames
    state.closed = true;
    if (state.socket) state.socket.close();
    if (state.resizeObserver) state.resizeObserver.disconnect();
    delete parentElement.__binclf;
  };
}
