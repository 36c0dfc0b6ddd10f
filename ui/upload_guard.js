// Says in words what Streamlit's uploader shows only as a red icon: a file over the upload limit
// (ui/own_data.py). The uploader refuses such a file in the browser, so the server never hears of it
// and the previous file stays the widget's value. This listens, capturing (before the uploader's own
// handlers), for a file chosen or dropped on the uploader, and sends the name and size of one over
// the limit as the trigger `too_big`. One listener a page; each mount gives it the newest trigger.
const guard = (window.binclfUploadGuard = window.binclfUploadGuard || { send: null, limit: 0, uploader: "", sent: 0 });

function filesOf(event) {
  const files = event.type === "drop" ? event.dataTransfer && event.dataTransfer.files : event.target.files;
  return files ? Array.from(files) : [];
}

function check(event) {
  const target = event.target;
  if (!(target instanceof Element) || !guard.uploader || !target.closest(guard.uploader)) return;
  const big = filesOf(event).find((file) => file.size > guard.limit);
  if (big && guard.send) {
    guard.sent += 1;
    guard.send("too_big", { name: big.name, size: big.size });
  }
}

export default function (component) {
  const { data, setTriggerValue } = component;
  if (!guard.listening) {
    guard.listening = true;
    document.addEventListener("change", check, true);
    document.addEventListener("drop", check, true);
  }
  guard.send = setTriggerValue;
  guard.limit = data.limit;
  guard.uploader = data.uploader;
  return () => { if (guard.send === setTriggerValue) guard.send = null; };
}
