// A live, scrolling canvas timeline of one connection: the state as a
// coloured band, then three lanes (connection, heartbeat, messages). "Now" is
// the right edge; everything drifts left. The same events are listed as text
// in the event log, which is what screen readers and tests read.

const LANES = ['connection', 'heartbeat', 'messages'];
const STATE_COLOR = {
  connecting: '--warn',
  open: '--ok',
  closing: '--warn',
  closed: '--muted',
  reconnecting: '--retry',
};

export class Timeline {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.events = [];
    this.states = [{ state: 'connecting', t: performance.now() }];
    this.windowMs = 30_000;
    this.colors = {};
    this.lastFrame = 0;
    this.frame = this.frame.bind(this);
    new ResizeObserver(() => this.resize()).observe(canvas);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.readColors());
    this.resize();
    requestAnimationFrame(this.frame);
  }

  /** Records an event of `kind` at time `t` (performance.now()). */
  add(kind, data = {}, t = performance.now()) {
    this.events.push({ kind, t, ...data });
    if (this.events.length > 2000) this.events.splice(0, 500);
  }

  setState(state, t = performance.now()) {
    this.states.push({ state, t });
    if (this.states.length > 500) this.states.splice(0, 100);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // Keep roughly the same pixels per second on a phone and a desktop.
    this.windowMs = this.width < 560 ? 12_000 : 20_000;
    this.readColors();
    this.draw(performance.now());
  }

  readColors() {
    const css = getComputedStyle(this.canvas);
    for (const v of ['--fg', '--muted', '--ok', '--warn', '--bad', '--retry', '--accent', '--in', '--out', '--fault', '--grid', '--panel']) {
      this.colors[v] = css.getPropertyValue(v).trim() || '#888';
    }
  }

  frame(now) {
    // ~30 frames a second is smooth enough for a timeline and halves the CPU.
    if (now - this.lastFrame >= 33) {
      this.lastFrame = now;
      this.draw(performance.now());
    }
    requestAnimationFrame(this.frame);
  }

  draw(now) {
    const { ctx, width: w, height: h, colors: c } = this;
    const narrow = w < 560;
    const gutter = narrow ? 66 : 78; // lane names on the left
    const bandH = 8;
    const top = 18; // axis labels
    // The connection lane holds three rows of labels (faults, open/retry,
    // close) around its markers; the others need one.
    const weights = { connection: 1.45, heartbeat: 1, messages: 0.75 };
    const total = LANES.reduce((n, l) => n + weights[l], 0);
    const unit = (h - top - bandH - 4) / total;
    const lanes = {};
    let y0 = top + bandH + 4;
    for (const l of LANES) {
      lanes[l] = { top: y0, h: weights[l] * unit };
      y0 += weights[l] * unit;
    }
    const conn = lanes.connection;
    const rows = { fault: conn.top + 7, upper: conn.top + conn.h * 0.36, mark: conn.top + conn.h * 0.62, lower: conn.top + conn.h * 0.9 };
    const span = w - gutter - 8;
    const x = (t) => gutter + span - ((now - t) / this.windowMs) * span;
    const from = now - this.windowMs;
    const laneY = (name) => (name === 'connection' ? rows.mark : lanes[name].top + lanes[name].h / 2);
    const laneH = unit;

    ctx.clearRect(0, 0, w, h);
    ctx.font = `${narrow ? 10 : 11}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';

    // Grid: one line every 5 s, labelled in seconds ago.
    ctx.strokeStyle = c['--grid'];
    ctx.fillStyle = c['--muted'];
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    for (let s = 0; s * 1000 <= this.windowMs; s += 5) {
      const gx = x(now - s * 1000);
      ctx.beginPath();
      ctx.moveTo(gx, top);
      ctx.lineTo(gx, h);
      ctx.stroke();
      ctx.fillText(s === 0 ? 'now' : `-${s}s`, Math.min(gx, w - 14), 8);
    }

    // Lane names and separators.
    ctx.textAlign = 'left';
    for (const name of LANES) {
      const { top: lt, h: lh } = lanes[name];
      ctx.fillStyle = c['--muted'];
      ctx.fillText(name, 4, laneY(name));
      ctx.strokeStyle = c['--grid'];
      ctx.beginPath();
      ctx.moveTo(gutter, lt + lh);
      ctx.lineTo(w, lt + lh);
      ctx.stroke();
    }
    ctx.fillStyle = c['--muted'];
    ctx.fillText('state', 4, top + bandH / 2);

    // State band.
    for (let i = 0; i < this.states.length; i++) {
      const seg = this.states[i];
      const end = i + 1 < this.states.length ? this.states[i + 1].t : now;
      if (end < from) continue;
      ctx.fillStyle = c[STATE_COLOR[seg.state] ?? '--muted'];
      const x0 = Math.max(gutter, x(seg.t));
      ctx.fillRect(x0, top, Math.max(1, x(end) - x0), bandH);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(gutter, top, w - gutter, h - top);
    ctx.clip();

    // Newest first, so the newest label wins when labels would overlap.
    const labelLeft = { fault: Infinity, upper: Infinity, lower: Infinity, heartbeat: Infinity, messages: Infinity };
    const label = (lane, text, at, ly, color) => {
      const tw = ctx.measureText(text).width;
      const lx = Math.min(at, w - tw - 2); // near "now": keep it on the canvas
      if (lx + tw + 4 > labelLeft[lane] || lx < gutter) return;
      labelLeft[lane] = lx;
      ctx.fillStyle = color;
      ctx.textAlign = 'left';
      ctx.fillText(text, lx, ly);
    };

    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      const reach = e.kind === 'retry' ? e.t + e.delay : e.t;
      if (reach < from - 2000) break;
      const ex = x(e.t);
      switch (e.kind) {
        case 'ping': {
          const y = laneY('heartbeat');
          ring(ctx, ex, y, 3.5, c['--accent']);
          break;
        }
        case 'pong': {
          const y = laneY('heartbeat');
          const px = x(e.t - e.rtt);
          ctx.strokeStyle = c['--accent'];
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(px, y);
          ctx.lineTo(ex, y);
          ctx.stroke();
          dot(ctx, ex, y, 3.5, c['--accent']);
          label('heartbeat', `${e.rtt}ms`, ex + 5, y - 9, c['--fg']);
          break;
        }
        case 'timeout': {
          const y = laneY('heartbeat');
          ctx.strokeStyle = c['--bad'];
          ctx.lineWidth = 1.5;
          ctx.setLineDash([3, 3]);
          ctx.beginPath();
          ctx.moveTo(x(e.t - e.silentFor), y + 8);
          ctx.lineTo(ex, y + 8);
          ctx.stroke();
          ctx.setLineDash([]);
          cross(ctx, ex, y, 5, c['--bad']);
          label('heartbeat', `timeout · silent ${fmtMs(e.silentFor)}`, ex + 7, y - 9, c['--bad']);
          break;
        }
        case 'owner':
        case 'relay':
        case 'token':
        case 'init':
        case 'ack': {
          const y = laneY('connection');
          ring(ctx, ex, y, 4, e.kind === 'ack' ? c['--ok'] : c['--accent']);
          label('upper', e.kind, ex - 4, rows.upper, c['--accent']);
          break;
        }
        case 'open': {
          const y = laneY('connection');
          tri(ctx, ex, y, 6, c['--ok'], true);
          label('upper', `open #${e.attempt}`, ex - 4, rows.upper, c['--ok']);
          break;
        }
        case 'close': {
          const y = laneY('connection');
          bar(ctx, ex, y, laneH * 0.6, c['--bad']);
          label('lower', `close ${e.code}${e.wasClean ? '' : ' unclean'}`, ex - 4, rows.lower, c['--bad']);
          break;
        }
        case 'retry': {
          const y = laneY('connection');
          const x1 = x(e.t + e.delay);
          ctx.fillStyle = c['--retry'];
          ctx.globalAlpha = 0.35;
          ctx.fillRect(ex, y - 4, Math.max(2, x1 - ex), 8);
          ctx.globalAlpha = 1;
          ctx.strokeStyle = c['--retry'];
          ctx.lineWidth = 1;
          ctx.strokeRect(ex, y - 4, Math.max(2, x1 - ex), 8);
          label('upper', `retry ${e.attempt} in ${fmtMs(e.delay)}`, ex, rows.upper, c['--fg']);
          break;
        }
        case 'error': {
          const y = laneY('connection');
          cross(ctx, ex, y + 8, 3, c['--bad']);
          break;
        }
        case 'fault': {
          const y = laneY('connection');
          flag(ctx, ex, conn.top + 1, y - conn.top + 6, c['--fault']);
          label('fault', e.label, ex + 8, rows.fault, c['--fault']);
          break;
        }
        case 'out': {
          const y = laneY('messages');
          tri(ctx, ex, y - 5, 5, c['--out'], !e.queued);
          break;
        }
        case 'in': {
          const y = laneY('messages');
          tri(ctx, ex, y + 5, 5, c['--in'], true, true);
          break;
        }
        case 'request': {
          // A request(): a line from when it was made to its reply (or failure).
          const y = laneY('messages');
          const color = e.code ? c['--bad'] : c['--accent'];
          ctx.strokeStyle = color;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(x(e.t - e.ms), y);
          ctx.lineTo(ex, y);
          ctx.stroke();
          if (e.code) cross(ctx, ex, y, 4, color);
          else dot(ctx, ex, y, 3.5, color);
          label('messages', e.code ? `${e.code}` : `${e.ms}ms`, ex + 5, y - 9, color);
          break;
        }
        default:
          break;
      }
    }
    ctx.restore();
  }
}

export function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s` : `${Math.round(ms)}ms`;
}

function dot(ctx, x, y, r, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
}

function ring(ctx, x, y, r, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.stroke();
}

function cross(ctx, x, y, r, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(x - r, y - r);
  ctx.lineTo(x + r, y + r);
  ctx.moveTo(x + r, y - r);
  ctx.lineTo(x - r, y + r);
  ctx.stroke();
}

function bar(ctx, x, y, len, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(x, y - len / 2);
  ctx.lineTo(x, y + len / 2);
  ctx.stroke();
}

function tri(ctx, x, y, r, color, filled, down = false) {
  const d = down ? 1 : -1;
  ctx.beginPath();
  ctx.moveTo(x, y + d * r);
  ctx.lineTo(x - r, y - d * r * 0.7);
  ctx.lineTo(x + r, y - d * r * 0.7);
  ctx.closePath();
  if (filled) {
    ctx.fillStyle = color;
    ctx.fill();
  } else {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

function flag(ctx, x, y, len, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x, y + len);
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + 6, y + 3);
  ctx.lineTo(x, y + 6);
  ctx.fill();
}
