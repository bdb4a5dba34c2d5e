// Demo settings: short defaults so heartbeats, timeouts and retries happen
// within seconds, overridable by URL query parameters
// (?interval=800&timeout=600&minDelay=250&maxDelay=5000&client=ID&name=ann)
// so tests and bug reports can reproduce a run.

/** Slider-backed numeric settings, in ms. */
export const NUMERIC = {
  interval: { label: 'Heartbeat interval', def: 2000, min: 200, max: 10000, step: 100 },
  timeout: { label: 'Heartbeat timeout', def: 1500, min: 200, max: 10000, step: 100 },
  minDelay: { label: 'Backoff min delay', def: 250, min: 50, max: 5000, step: 50 },
  maxDelay: { label: 'Backoff max delay', def: 5000, min: 250, max: 30000, step: 250 },
};

/** Reads the settings from a query string, clamping to each slider's range. */
export function readSettings(search) {
  const q = new URLSearchParams(search);
  const s = {};
  for (const [key, spec] of Object.entries(NUMERIC)) {
    const raw = q.get(key);
    const n = raw === null || raw.trim() === '' ? NaN : Number(raw);
    s[key] = Number.isFinite(n) ? clamp(Math.round(n), spec.min, spec.max) : spec.def;
  }
  if (s.maxDelay < s.minDelay) s.maxDelay = s.minDelay;
  const jitter = Number(q.get('jitter'));
  s.jitter = q.has('jitter') && Number.isFinite(jitter) ? clamp(jitter, 0, 1) : 0.3;
  s.client = sanitizeId(q.get('client')) || randomId();
  s.name = (q.get('name') || '').slice(0, 24) || `user-${s.client.slice(0, 4)}`;
  return s;
}

/** The options passed to `connect()` (API.md names). */
export function connectOptions(s) {
  return {
    connectTimeout: 5000,
    heartbeat: { interval: s.interval, timeout: s.timeout, ping: 'ping', pong: 'pong' },
    reconnect: {
      minDelay: s.minDelay,
      maxDelay: s.maxDelay,
      factor: 2,
      jitter: s.jitter,
      stableAfter: 3000,
    },
    queue: { maxMessages: 200, maxBytes: 64 * 1024 },
  };
}

/** Writes the timer settings back into the address bar so a reload keeps
 * them (the client id stays out: a duplicated tab must be another client). */
export function settingsQuery(s) {
  const q = new URLSearchParams(location.search);
  for (const key of Object.keys(NUMERIC)) q.set(key, String(s[key]));
  return `?${q}`;
}

function clamp(n, lo, hi) {
  return Math.min(hi, Math.max(lo, n));
}

function sanitizeId(id) {
  return (id || '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
}

function randomId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
