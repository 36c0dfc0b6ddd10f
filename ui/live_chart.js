// The live charts and metrics: created once per mount, then updated in place with Plotly.react on every
// new `data`, so a chart never blanks and keeps the user's zoom (layout.uirevision is fixed).
// Streamlit calls the default export on mount and again whenever `data` changes; state lives
// on the parent element. plotly.js is loaded once from Streamlit's static files (./static).
// plotly.js's own "basic" bundle (scatter, bar, pie; 1.2 MB instead of the full 4.6 MB), the
// same version plotly.py ships: the browser parses it in a quarter of the time.
const PLOTLY_URL = new URL("app/static/plotly-basic.min.js", window.location.href).href;
const CHARTS = ["boundary", "curves"];
const METRICS = [["accuracy", "Test accuracy"], ["precision", "Precision"], ["recall", "Recall"], ["f1", "F1"],
                 ["roc_auc", "ROC AUC"]];
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
// A chart that takes clicks: Plotly counts two quick clicks anywhere as a double click and rescales
// the axes to the points, which would move the canvas under the user's next click.
const CLICK_CONFIG = { ...CONFIG, doubleClick: false };

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

// Streamlit's frontend fetches each widget's code the first time such a widget appears: for
// the Playground's first page that was ~0.6 s after the page arrived. Importing those modules
// while the server still imports torch puts them in the browser's module map before they are
// needed. The names are files beside the frontend's own index script.
function preloadModules(names) {
  const index = document.querySelector('script[type="module"][src*="/static/js/index"]');
  if (!index || window.__binclfModules) return;
  window.__binclfModules = true;
  for (const name of names) import(new URL(name, index.src).href).catch(() => {});
}

// Counters the browser tests and bench/bench_ui.py read.
const stats = (window.binclfLive = window.binclfLive || { mounts: 0, renders: 0, frames: [] });

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// The metrics strip: built once, then only its text changes (textContent: nothing is parsed as HTML).
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
  for (const text of ["test", "pred −", "pred +"]) element("th", "", head, text);
  cells.matrix = [];
  for (const label of ["true −", "true +"]) {
    const row = element("tr", "", table);
    element("th", "", row, label);
    cells.matrix.push([element("td", "", row, "–"), element("td", "", row, "–")]);
  }
  cells.losses = element("div", "binclf-losses", parent, "");
  return cells;
}

function showMetrics(cells, summary) {
  const m = summary.metrics;
  for (const [key] of METRICS) cells[key].textContent = m[key] === null ? "n/a" : m[key].toFixed(3);
  m.confusion_matrix.forEach((row, i) => row.forEach((count, j) => { cells.matrix[i][j].textContent = String(count); }));
  cells.losses.textContent = summary.losses;
}

// Plotly.react compares data arrays by reference. Where a trace's bytes did not change since the
// last frame, give it back the array it already holds: it then leaves that trace alone and, while
// the predictions hold still, redraws only the probability picture, not every point.
function reuseUnchanged(div, figure, lastBytes) {
  const held = div.data || [];
  figure.data.forEach((trace, index) => {
    for (const key of ["x", "y"]) {
      const bytes = trace[key] && trace[key].bdata;
      if (bytes === undefined) continue;
      const id = index + key;
      if (lastBytes[id] === bytes && held[index] && held.length === figure.data.length) trace[key] = held[index][key];
      lastBytes[id] = bytes;
    }
  });
}

function render(state) {
  state.pending = false;
  const figures = state.latest;
  for (const name of CHARTS) {
    if (!figures[name]) continue;
    reuseUnchanged(state.divs[name], figures[name], state.lastBytes[name]);
    const config = name === "boundary" && state.clickable ? CLICK_CONFIG : CONFIG;
    window.Plotly.react(state.divs[name], figures[name].data, figures[name].layout, config);
  }
  if (figures.summary) showMetrics(state.metrics, figures.summary);
  stats.renders += 1;
  stats.frames.push(performance.now());
  if (stats.frames.length > 2000) stats.frames.splice(0, 1000);
}

// A click on the boundary chart's plot area, points or empty space alike, as data coordinates. Plotly's
// plotly_click fires only on traces, so the mouse position is converted with the axes' p2d (pixel to
// data) from the drag layer, the rectangle over the plot area that takes every mouse event there.
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

// Streamlit can lose a fragment's timer: under load (six Chromium tabs on two cores) a tab now and
// then stopped training at an early epoch with no error, its Train pressed and no tick arriving.
// A page that should be ticking and has heard nothing for STALL_MS asks the server, through the
// trigger `stalled`, to run the page again, which registers the timer anew; it asks again every
// STALL_MS until frames come. Under the heaviest load measured a tick still came every ~0.3 s.
const STALL_MS = 5000;

function watchForStall(state, ticking) {
  clearTimeout(state.stallTimer);
  if (!ticking) return;
  state.stallTimer = setTimeout(() => {
    stats.stalls = (stats.stalls || 0) + 1;
    state.setTriggerValue("stalled", stats.stalls);
    watchForStall(state, true);
  }, STALL_MS);
}

function schedule(state) {
  // Draw at most once per animation frame, always the latest data.
  if (state.ready && !state.pending) {
    state.pending = true;
    requestAnimationFrame(() => render(state));
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && data.preload) {
    loadPlotly().catch(() => {});  // the live mount reports a failure where the charts would be
    preloadModules(data.modules || []);
    return;
  }
  let state = parentElement.__binclf;
  if (!state) {
    state = parentElement.__binclf = { divs: {}, ready: false, pending: false, latest: null,
                                       lastBytes: { boundary: {}, curves: {} } };
    const row = document.createElement("div");
    row.className = "binclf-live-row";
    for (const name of CHARTS) {
      const div = document.createElement("div");
      div.className = "binclf-live-chart";
      div.dataset.chart = name;
      row.appendChild(div);
      state.divs[name] = div;
    }
    parentElement.appendChild(row);
    state.metrics = buildMetrics(parentElement);
    listenForClicks(state);
    stats.mounts += 1;
    loadPlotly().then(() => { state.ready = true; schedule(state); },
                      (error) => { row.textContent = "The charts could not load: " + error.message; });
  }
  state.setTriggerValue = setTriggerValue;
  if (data) {
    state.clickable = Boolean(data.clickable);
    state.divs.boundary.classList.toggle("binclf-clickable", state.clickable);
    state.latest = data;
    schedule(state);
    watchForStall(state, Boolean(data.ticking));
  }
  return () => watchForStall(state, false);  // unmounted: a chart that is gone waits for nothing
}
