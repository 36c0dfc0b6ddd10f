// An attendee's watcher: keeps one request to the room's news route open (ui/room_news.py: it answers
// when the news differ from the token sent, or after a while) and, when an answer differs from what the
// page last drew, asks for one page run (the trigger `news`). At most one request every `every` ms.
// Nothing is drawn.
const RETRY_MS = 2000;  // after a failed request (the server restarts, the database is away)

async function watch(state) {
  while (!state.closed) {
    const started = performance.now();
    let pause = RETRY_MS;
    try {
      const { path, room, seat, every } = state.data;
      const url = new URL(path, window.location.href);
      url.search = new URLSearchParams({ room, seat, news: state.known }).toString();
      const response = await fetch(url, { cache: "no-store", signal: state.abort.signal });
      if (response.status === 403) return;  // not in this room (any more): the page says so
      if (response.ok) {
        const { news } = await response.json();
        if (news && news !== state.known) {
          state.known = news;
          state.setTriggerValue("news", news);
        }
        pause = Math.max(0, every - (performance.now() - started));
      }
    } catch (error) { /* the server is away (a restart), or the watcher was unmounted */ }
    await new Promise((resolve) => { state.pause = setTimeout(resolve, pause); });
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const state = parentElement.__roomWatch ||
    (parentElement.__roomWatch = { closed: false, abort: new AbortController() });
  state.setTriggerValue = setTriggerValue;
  if (!state.data || state.data.news !== data.news) state.known = data.news;  // what the page drew
  state.data = data;
  if (!state.watching) {
    state.watching = true;
    watch(state);
  }
  return () => {  // unmounted: the open request goes
    state.closed = true;
    state.abort.abort();
    clearTimeout(state.pause);
    delete parentElement.__roomWatch;
  };
}
