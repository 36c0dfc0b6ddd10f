// The input features as TensorFlow Playground shows them: each feature's small picture over the plane
// with a switch under it, all in one element (ui/inside_controls.py). A click flips the switch at once
// and sends the features now chosen as the trigger `chosen` ("x1,x2,x1_x2"); the page's run follows,
// and every page run sends back the setting, which the switches then show. textContent only.
function build(parentElement) {
  const grid = document.createElement("div");
  grid.className = "binclf-features";
  parentElement.appendChild(grid);
  return { grid, tiles: new Map(), send: null };
}

function tile(state, feature) {
  const label = document.createElement("label");
  label.className = "binclf-feature";
  label.title = feature.help;
  const picture = document.createElement("img");
  picture.src = feature.picture;
  picture.alt = "";
  const row = document.createElement("span");
  row.className = "binclf-feature-row";
  const input = document.createElement("input");
  input.type = "checkbox";
  input.setAttribute("role", "switch");
  input.setAttribute("aria-label", feature.label);
  const name = document.createElement("span");
  name.textContent = feature.label;
  row.append(input, name);
  label.append(picture, row);
  input.addEventListener("change", () => state.send && state.send("chosen", chosen(state)));
  state.grid.appendChild(label);
  return input;
}

function chosen(state) {
  return Array.from(state.tiles).filter(([, input]) => input.checked).map(([name]) => name).join(",");
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const state = parentElement.__features || (parentElement.__features = build(parentElement));
  state.send = setTriggerValue;
  if (!data) return;
  for (const feature of data.features) {
    if (!state.tiles.has(feature.name)) state.tiles.set(feature.name, tile(state, feature));
  }
  const on = new Set(data.chosen);
  for (const [name, input] of state.tiles) input.checked = on.has(name);
}
