// The host's board: one small multiple per attendee (a 32x32 boundary picture on a canvas, name, data,
// model, epoch, test accuracy, a status dot), the big view of one opened run, and the leaderboard. Every
// number comes written as the app writes it (binclf_core/figures/formats.py): the board formats none.
// The tiles follow the room's board feed (GET /binclf/room/board, ui/room_news.py) by themselves: the
// feed answers as soon as a summary was written after the version the board last saw (or after a
// second, for statuses that change with time), with the full tile of each attendee written since and
// the id, name and status of the others; the board asks again at most every `gap` ms. Streamlit calls
// the default export when the page or the board's fragment runs (the big view, the leaderboard, the
// sort order). Every element is created once per attendee and then only its canvas pixels and its
// text change (textContent: nothing an attendee typed is ever parsed as HTML). State lives on the
// parent element.
const HEAT = [[0.0, [191, 219, 254]], [0.5, [255, 255, 255]], [1.0, [254, 215, 170]]];  // as figures.py
const LINE = [17, 24, 39];
const LEVELS = 16;
const NEGATIVE = "#2563eb", POSITIVE = "#ea580c";
const RETRY_MS = 1000;  // after a failed feed request (the server restarts, the database is away)
const REORDER_MS = 1000;
const MAX_UPDATES = 20000;
// Counters the browser tests and bench/room_load.py read. `updates`: [attendee, epoch, changed_at, posted_at,
// written_at, answered_at, shown] for each new summary the board showed (unix seconds: its oldest change held
// back, its frame, written to the database, the feed's answer made, the first animation frame after drawing it).
const stats = (window.binclfBoard = window.binclfBoard ||
  { renders: 0, feeds: 0, tilesCreated: 0, tiles: {}, updates: [] });

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function heat(p) {
  const [low, high] = p < 0.5 ? [HEAT[0], HEAT[1]] : [HEAT[1], HEAT[2]];
  const t = (p - low[0]) / (high[0] - low[0]);
  return low[1].map((c, i) => Math.round(c + t * (high[1][i] - c)));
}

// The quantised grid (base64, two 4-bit cells a byte, rows along y upwards) as probabilities, row by row.
function levels(text, size) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const grid = new Float32Array(size * size);
  for (let cell = 0; cell < size * size; cell += 1) {
    const byte = bytes[cell >> 1];
    grid[cell] = ((cell % 2 === 0 ? byte >> 4 : byte & 15) + 0.5) / LEVELS;
  }
  return grid;
}

// RGBA rows top-down in the HEAT colours; with `line`, each cell whose right or upper neighbour lies on
// the other side of 0.5 is drawn dark: a one-cell decision boundary for the small pictures.
function pixels(grid, size, line) {
  const rgba = new Uint8ClampedArray(size * size * 4);
  const side = (i) => grid[i] >= 0.5;
  for (let cell = 0; cell < size * size; cell += 1) {
    const row = Math.floor(cell / size), column = cell % size;
    const crossed = line && ((column + 1 < size && side(cell) !== side(cell + 1)) ||
                             (row + 1 < size && side(cell) !== side(cell + size)));
    rgba.set([...(crossed ? LINE : heat(grid[cell])), 255], ((size - 1 - row) * size + column) * 4);
  }
  return rgba;
}

function paint(canvas, text, size, line = true) {
  canvas.width = canvas.height = size;
  canvas.getContext("2d").putImageData(new ImageData(pixels(levels(text, size), size, line), size, size), 0, 0);
}

// The 0.5 contour of the grid as line segments (marching squares), in canvas pixels of a width² canvas.
function contour(context, grid, size, width) {
  const at = (row, column) => grid[row * size + column];
  const point = (r0, c0, r1, c1) => {
    const t = (0.5 - at(r0, c0)) / (at(r1, c1) - at(r0, c0));
    const row = r0 + t * (r1 - r0), column = c0 + t * (c1 - c0);
    return [((column + 0.5) / size) * width, (1 - (row + 0.5) / size) * width];
  };
  context.strokeStyle = `rgb(${LINE.join(",")})`;
  context.lineWidth = 2.5;
  context.beginPath();
  for (let row = 0; row + 1 < size; row += 1) {
    for (let column = 0; column + 1 < size; column += 1) {
      const corners = [[row, column], [row, column + 1], [row + 1, column + 1], [row + 1, column]];
      const crossings = [];
      corners.forEach(([r0, c0], i) => {
        const [r1, c1] = corners[(i + 1) % 4];
        if ((at(r0, c0) >= 0.5) !== (at(r1, c1) >= 0.5)) crossings.push(point(r0, c0, r1, c1));
      });
      for (let i = 0; i + 1 < crossings.length; i += 2) {
        context.moveTo(...crossings[i]);
        context.lineTo(...crossings[i + 1]);
      }
    }
  }
  context.stroke();
}

function buildTile(state, id) {
  const tile = element("button", "room-tile", null);
  tile.type = "button";
  tile.dataset.attendee = id;
  const parts = { tile, picture: element("canvas", "room-picture", tile) };
  const head = element("div", "room-head", tile);
  parts.dot = element("span", "room-dot", head);
  parts.name = element("span", "room-name", head);
  parts.model = element("div", "room-line", tile);
  parts.progress = element("div", "room-line", tile);
  tile.addEventListener("click", () => state.setTriggerValue("open", Number(id)));
  stats.tilesCreated += 1;
  return parts;
}

// Sets a text or an attribute only when it changes: each change costs the browser a new layout.
function put(object, key, value) {
  if (object[key] !== value) object[key] = value;
}

function updateTile(parts, row) {
  if (parts.grid !== row.grid && row.grid) paint(parts.picture, row.grid, row.size);
  parts.grid = row.grid;
  put(parts.tile.dataset, "status", row.status);
  put(parts.dot, "className", "room-dot room-" + row.status);
  put(parts.dot, "title", row.status);
  put(parts.name, "textContent", row.name);
  put(parts.model, "textContent", row.summary || "no run yet");
  put(parts.progress, "textContent", row.epoch === null || row.epoch === undefined ? row.status
    : `${row.accuracy_text} · epoch ${row.epoch} / ${row.epochs}`);
  stats.tiles[row.id] = { name: row.name, epoch: row.epoch, status: row.status, posted_at: row.posted_at };
}

// Best test accuracy first (no run yet last), or by name; ties in joining order.
function ordered(rows, sort) {
  const byId = [...rows].sort((a, b) => a.id - b.id);
  if (sort === "Name") {
    const key = (row) => row.name.toLowerCase();
    return byId.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  const key = (row) => (row.accuracy === null || row.accuracy === undefined ? 1 : -row.accuracy);
  return byId.sort((a, b) => key(a) - key(b));
}

// Tiles change in place as the feed brings them; their order (a ranking by accuracy moves with every
// summary) changes at most every REORDER_MS, when the sort or the attendees change at once: moving tiles
// makes the browser lay out and paint the whole grid again, and a board reshuffling ten times a
// second cannot be read.
function showTiles(state, reorder = false) {
  for (const id of Object.keys(state.tiles)) {
    if (!state.rows.has(id)) { state.tiles[id].tile.remove(); delete state.tiles[id]; delete stats.tiles[id]; reorder = true; }
  }
  for (const row of state.rows.values()) {
    const id = String(row.id);
    if (!state.tiles[id]) { state.tiles[id] = buildTile(state, id); reorder = true; }
    const parts = state.tiles[id];
    if (parts.version !== row.version) updateTile(parts, row);
    parts.version = row.version;
  }
  if (reorder || performance.now() - (state.orderedAt || 0) >= REORDER_MS) {
    state.orderedAt = performance.now();
    ordered(state.rows.values(), state.sort).forEach((row, index) => {
      const tile = state.tiles[String(row.id)].tile;
      if (state.grid.children[index] !== tile) state.grid.insertBefore(tile, state.grid.children[index] || null);
    });
  }
  state.empty.hidden = state.rows.size > 0;
}

// ---- the feed -------------------------------------------------------------------------------
// One answer of the feed: the room's attendees now. A full row replaces what the board knew of that
// attendee; a short one ({id, name, status}) keeps the rest. Each row gets a local version, so only
// the tiles whose row changed are drawn again.
function applyFeed(state, answer) {
  const rows = new Map();
  const fresh = [];
  for (const row of answer.rows) {
    const id = String(row.id), known = state.rows.get(id);
    const full = "grid" in row;
    const merged = full || !known ? { ...row } : { ...known, name: row.name, status: row.status };
    merged.version = full || !known || known.status !== row.status ? (state.counter += 1) : known.version;
    if (full && row.posted_at && (!known || known.posted_at !== row.posted_at)) fresh.push(merged);
    rows.set(id, merged);
  }
  state.rows = rows;
  state.since = answer.version;
  showTiles(state);
  stats.feeds += 1;
  if (fresh.length) {
    requestAnimationFrame(() => {
      const shown = Date.now() / 1000;
      for (const row of fresh) {
        stats.updates.push([row.id, row.epoch, row.changed_at ?? row.posted_at, row.posted_at, row.written_at, answer.at,
                            shown]);
      }
      if (stats.updates.length > MAX_UPDATES) stats.updates.splice(0, MAX_UPDATES / 2);
    });
  }
}

async function follow(state) {
  while (!state.closed) {
    const started = performance.now();
    let pause = RETRY_MS;
    try {
      const url = new URL(state.feed.path, window.location.href);
      url.search = new URLSearchParams({ room: state.feed.room, host: state.feed.host, since: state.since }).toString();
      const response = await fetch(url, { cache: "no-store", signal: state.abort.signal });
      if (response.status === 403) return;  // not this room's host: nothing to show
      if (response.ok) {
        applyFeed(state, await response.json());
        pause = Math.max(0, state.feed.gap - (performance.now() - started));
      }
    } catch (error) { /* the server is away (a restart), or the board was unmounted */ }
    await new Promise((resolve) => { state.pause = setTimeout(resolve, pause); });
  }
}

function toCanvas(extent, width, height) {
  const [x0, x1, y0, y1] = extent;
  return (x, y) => [((x - x0) / (x1 - x0)) * width, ((y1 - y) / (y1 - y0)) * height];
}

function drawPoints(context, big, width) {
  const place = toCanvas(big.extent, width, width);
  big.points.forEach(([x, y, label, test]) => {
    const [px, py] = place(x, y);
    context.fillStyle = label ? POSITIVE : NEGATIVE;
    context.beginPath();
    if (test) { context.moveTo(px, py - 5); context.lineTo(px + 5, py); context.lineTo(px, py + 5); context.lineTo(px - 5, py); }
    else context.arc(px, py, 3.5, 0, 2 * Math.PI);
    context.fill();
  });
}

function showBig(state, big) {
  state.big.hidden = !big;
  if (!big) return;
  const canvas = state.bigCanvas, width = 440;
  if (big.grid && (state.bigKey !== big.grid + big.id)) {
    const small = document.createElement("canvas");
    paint(small, big.grid, big.size, false);
    canvas.width = canvas.height = width;
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, width, width);
    contour(context, levels(big.grid, big.size), big.size, width);
    if (big.points) drawPoints(context, big, width);
    state.bigKey = big.grid + big.id;
  }
  state.bigTitle.textContent = big.name;
  state.bigText.textContent = big.text;
}

function showLeaderboard(state, rows, title) {
  state.board.hidden = !rows;
  if (!rows) return;
  put(state.boardTitle, "textContent", title || "Leaderboard");
  state.boardBody.replaceChildren(...rows.map((row) => {
    const line = element("tr", "");
    for (const key of ["#", "Name", "Test accuracy", "Parameters", "Epochs", "Time"]) element("td", "", line, String(row[key]));
    return line;
  }));
  state.boardEmpty.hidden = rows.length > 0;
}

function build(parentElement, setTriggerValue) {
  const state = { tiles: {}, rows: new Map(), since: -1, counter: 0, sort: "Accuracy", setTriggerValue,
                  abort: new AbortController(), closed: false };
  const root = element("div", "room-board", parentElement);
  state.big = element("div", "room-big", root);
  state.big.hidden = true;
  state.bigCanvas = element("canvas", "room-big-picture", state.big);
  const side = element("div", "room-big-side", state.big);
  state.bigTitle = element("div", "room-big-title", side);
  state.bigText = element("div", "room-big-text", side);
  const close = element("button", "room-close", side, "Close");
  close.type = "button";
  close.addEventListener("click", () => setTriggerValue("open", -1));
  state.grid = element("div", "room-grid", root);
  state.empty = element("div", "room-empty", root, "No attendee yet: share the join code, link or QR code.");
  state.board = element("div", "room-leaderboard", root);
  state.boardTitle = element("div", "room-leaderboard-title", state.board, "Leaderboard");
  const table = element("table", "", state.board);
  const head = element("tr", "", element("thead", "", table));
  for (const label of ["#", "Name", "Test accuracy", "Parameters", "Epochs", "Time"]) element("th", "", head, label);
  state.boardBody = element("tbody", "", table);
  state.boardEmpty = element("div", "room-empty", state.board, "No entry yet.");
  return state;
}

// The big view and the leaderboard come with the board's fragment, which the board clocks while either
// shows (a click or a new challenge runs the fragment first): `every` ms after it last asked, once the
// update has come, it asks for the next one (the trigger `tick`, which runs the fragment); if no update
// came within
// WATCHDOG_FACTOR times that, it asks again. No server-side timer to lose.
const WATCHDOG_FACTOR = 4;

function askNext(state, every) {
  clearTimeout(state.next);
  clearTimeout(state.watchdog);
  const ask = () => {
    state.askedAt = performance.now();
    state.setTriggerValue("tick", (stats.ticks = (stats.ticks || 0) + 1));
  };
  state.next = setTimeout(ask, Math.max(0, every - (performance.now() - (state.askedAt || 0))));
  state.watchdog = setTimeout(function again() { ask(); state.watchdog = setTimeout(again, every * WATCHDOG_FACTOR); },
                              every * WATCHDOG_FACTOR);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const state = parentElement.__room || (parentElement.__room = build(parentElement, setTriggerValue));
  state.setTriggerValue = setTriggerValue;
  if (!data) return;
  if (!state.feed) {
    state.feed = data.feed;
    follow(state);
  }
  if (state.sort !== data.sort) {
    state.sort = data.sort;
    showTiles(state, true);
  }
  showBig(state, data.big);
  showLeaderboard(state, data.leaderboard, data.leaderboard_title);
  stats.renders += 1;
  if (data.big || data.leaderboard) askNext(state, data.every);
  else { clearTimeout(state.next); clearTimeout(state.watchdog); }  // nothing here moves but the tiles
  return () => {  // unmounted: the feed and the clock stop
    state.closed = true;
    state.abort.abort();
    clearTimeout(state.pause);
    clearTimeout(state.next);
    clearTimeout(state.watchdog);
    delete parentElement.__room;
  };
}
