// The live channel: Socket.IO's /live namespace. The vendored client is a classic script loaded before the
// modules (window.io). Pages reload from the API on every (re)connect: a push says what changed, the database
// stays the truth.

/** Connect, with ``handlers`` by event name; ``offline`` (an element) says ``disconnectedText`` while away. */
export function connectLive(handlers, offline, disconnectedText) {
  const socket = window.io("/live", { transports: ["websocket", "polling"] });
  if (offline) {
    socket.on("connect", () => { offline.hidden = true; });
    socket.on("disconnect", () => {
      offline.textContent = disconnectedText;
      offline.hidden = false;
    });
  }
  Object.entries(handlers).forEach(([name, handler]) => socket.on(name, handler));
  return socket;
}
