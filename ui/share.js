// Copy link / Copy student link, and URLs with plain commas (see ui/share.py). textContent only.
const stats = (window.binclfShare = window.binclfShare || { copied: null });

// `%2C` back to `,` in a URL's query (a comma needs no escaping there; Streamlit's urlencode adds it).
function plainCommas(url) {
  const [head, ...rest] = String(url).split("?");
  return rest.length ? head + "?" + rest.join("?").replace(/%2C/gi, ",") : head;
}

function keepCommasPlain() {
  if (window.__binclfPlainCommas) return;
  window.__binclfPlainCommas = true;
  for (const name of ["pushState", "replaceState"]) {
    const original = window.history[name].bind(window.history);
    window.history[name] = (state, title, url) => original(state, title, url == null ? url : plainCommas(url));
  }
  if (/%2C/i.test(window.location.search)) window.history.replaceState(window.history.state, "", window.location.href);
}

function studentLink() {
  const url = new URL(plainCommas(window.location.href));
  url.searchParams.delete("present");
  return plainCommas(url.toString());
}

// The clipboard API needs a secure context (https or localhost); on a classroom LAN over http the
// old selection copy still works.
async function copy(text) {
  stats.copied = text;
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (error) { /* fall back */ }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let done = false;
  try { done = document.execCommand("copy"); } catch (error) { done = false; }
  area.remove();
  return done;
}

function button(parent, label, title, link) {
  const node = document.createElement("button");
  node.type = "button";
  node.textContent = label;
  node.title = title;
  node.addEventListener("click", async () => {
    const done = await copy(link());
    node.textContent = done ? "Copied ✓" : "Select the link to copy it";
    setTimeout(() => { node.textContent = label; }, 2000);
  });
  parent.appendChild(node);
  return node;
}

export default function (component) {
  const { data, parentElement } = component;
  keepCommasPlain();
  if (parentElement.__binclfRow) parentElement.__binclfRow.remove();  // only ours: Streamlit's <style> stays
  const row = (parentElement.__binclfRow = document.createElement("div"));
  row.className = "binclf-share";
  button(row, "Copy link", "Copy a link that rebuilds this page's settings", () => plainCommas(window.location.href));
  if (data && data.presenting) {
    button(row, "Copy student link", "The same link without presenter mode, for the room", studentLink);
    const shown = document.createElement("div");
    shown.className = "binclf-share-link";
    shown.textContent = studentLink();
    shown.dataset.share = "student-link";
    row.appendChild(shown);
    clearInterval(parentElement.__binclfTimer);
    // The settings change the URL without an event a page can listen to: look again every second.
    parentElement.__binclfTimer = setInterval(() => { shown.textContent = studentLink(); }, 1000);
  }
  parentElement.appendChild(row);
  return () => clearInterval(parentElement.__binclfTimer);
}
