// Alerts: a tone and a desktop notification for a new severe incident, once the operator has enabled them.
import { byId } from "../lib/dom.js";
import { fill } from "../lib/i18n.js";
import { strings as S } from "../lib/page.js";

const alertButton = byId("enable-alerts");
const alerted = new Set();
let audio = null;
let alertCount = 0;

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audio) audio = new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

/** Two short beeps, the second higher (nothing without an audio device). */
export function tone() {
  try {
    const ac = audioContext();
    if (!ac) return;
    const start = ac.currentTime + 0.02;
    [0, 0.28].forEach((offset, i) => {
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.type = "sine";
      osc.frequency.value = i ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.22);
      osc.connect(gain).connect(ac.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.25);
    });
  } catch (e) { /* no audio device */ }
}

function notificationsGranted() {
  return "Notification" in window && window.Notification.permission === "granted";
}

function showAlertState() {
  const granted = notificationsGranted();
  alertButton.textContent = granted ? S.alerts_on : S.enable_alerts;
  alertButton.setAttribute("aria-pressed", granted ? "true" : "false");
  alertButton.classList.toggle("on", granted);
}

/** Worth an alert: new to this console, real, new, not merged, red or orange, not alerted yet. */
function isAlarming(feature, known) {
  const p = feature.properties;
  return !known && !p.drill && p.status === "new" && !p.merged_into &&
    (p.severity === "extreme" || p.severity === "severe") && !alerted.has(String(feature.id));
}

/** Raise the alert for a pushed incident when it is worth one; ``open(id)`` when its notification is clicked.
 *  Returns how many alerts this console has raised. */
export function alertFor(feature, known, open) {
  if (!isAlarming(feature, known)) return alertCount;
  const p = feature.properties;
  alerted.add(String(feature.id));
  alertCount += 1;
  tone();
  if (notificationsGranted()) {
    try {
      const note = new window.Notification(fill(S.notify_title, { severity: S.severity[p.severity] }), {
        body: String(p.headline || p.event || ""), tag: "vigil-incident-" + feature.id,
      });
      note.onclick = () => {
        window.focus();
        open(feature.id);
        note.close();
      };
    } catch (e) { /* some browsers only notify from a service worker */ }
  }
  return alertCount;
}

export function setUpAlerts() {
  alertButton.addEventListener("click", () => {
    audioContext();  // a click is the gesture browsers want before sound
    if (!("Notification" in window)) {
      alertButton.textContent = S.alerts_sound_only;
      return;
    }
    if (window.Notification.permission === "denied") {
      alertButton.textContent = S.alerts_blocked;
      return;
    }
    Promise.resolve(window.Notification.requestPermission()).then(showAlertState, showAlertState);
  });
  // Any click on the page unlocks sound for later pushes.
  document.addEventListener("click", function unlock() {
    if (window.AudioContext || window.webkitAudioContext) audioContext();
    document.removeEventListener("click", unlock);
  });
  showAlertState();
}
