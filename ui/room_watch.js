// An attendee's watcher: asks the room's news route every `every` ms and, when the answer differs from
// what the page last drew (`news`), asks for one page run (the trigger `news`). Nothing is drawn.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const state = parentElement.__roomWatch || (parentElement.__roomWatch = {});
  state.data = data;
  state.setTriggerValue = setTriggerValue;
  if (!state.timer) {
    const ask = async () => {
      const { path, room, seat, news } = state.data;
      try {
        const url = new URL(path, window.location.href);
        url.search = new URLSearchParams({ room, seat }).toString();
        const response = await fetch(url, { cache: "no-store" });
        const body = response.ok ? await response.json() : null;
        if (body && body.news && body.news !== news && body.news !== state.asked) {
          state.asked = body.news;
          state.setTriggerValue("news", body.news);
        }
      } catch (error) { /* the server is away (a restart): ask again later */ }
    };
    state.timer = setInterval(ask, data.every);
  }
  return () => { clearInterval(state.timer); state.timer = null; };
}
