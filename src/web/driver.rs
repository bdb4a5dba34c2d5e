//! The browser driver: feeds browser events and timer firings into the
//! [`Session`], carries out its actions, and hands its events to a sink (the
//! JS facade or a Rust callback).
//!
//! Re-entrancy (ARCHITECTURE rule 6): the state lives in one `RefCell`, and no
//! user code ever runs while it is borrowed. Every entry point borrows it,
//! updates the session, carries out the actions (browser socket calls only,
//! which never call back synchronously) and queues the events; the borrow
//! is then released and the queue drained one event at a time. A handler
//! that calls `send`/`close`/`reconnect` re-enters, queues its own events
//! behind the pending ones and returns; the outer drain delivers them, so
//! events always arrive in the order the core produced them.

use std::cell::{RefCell, RefMut};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::conn::Conn;
use super::handles::{handler, Listener, Timer};
use super::sys;
use crate::session::{
    Action, Config, ConfigError, Event as CoreEvent, Gen, Input, SendError, Sent, Session, State,
    Stats,
};

/// What the driver hands to the application, in order.
pub(crate) enum Emit {
    Core(CoreEvent<JsValue>),
    /// A text frame that is not valid JSON (with `json` on): the raw text.
    InvalidJson(JsValue),
}

#[wasm_bindgen]
extern "C" {
    /// The facade's entry points. Neither may throw (the facade catches
    /// everything itself): an exception unwinding through the driver would
    /// leave its state borrowed. Declaring them without `catch` saves the
    /// glue's exception wrapper, two allocations per message.
    pub type JsSink;

    /// An event: `sink.ev(kind, a, b, v, w)`.
    #[wasm_bindgen(method)]
    pub(crate) fn ev(this: &JsSink, kind: u32, a: f64, b: f64, v: &JsValue, w: &JsValue);

    /// `ws.send(data)`. Only data the browser cannot send throws there (the
    /// facade rejects it in `send()` already); the facade reports it as an
    /// `error` event.
    #[wasm_bindgen(method)]
    pub(crate) fn tx(this: &JsSink, ws: &WebSocket, data: &JsValue);
}

/// Where events go.
pub(crate) enum Sink {
    Js(JsSink),
    Rust(RefCell<Box<dyn FnMut(Emit)>>),
}

/// What counts as a heartbeat reply. Decided by the driver *before* the
/// state is borrowed (a JS matcher is user code), and fed as `Input::Pong`.
pub(crate) enum Pong {
    None,
    /// Strictly equal (`===`) to the raw text frame, before any JSON parsing.
    Text(JsValue),
    /// A JS `(msg) => boolean`, given the message as `'message'` would be.
    Js(Function),
    Rust(Box<dyn Fn(&JsValue) -> bool>),
}

/// Fixed for the lifetime of a socket.
pub(crate) struct Options {
    pub(crate) url: String,
    /// `undefined` or an array of subprotocol names.
    pub(crate) protocols: JsValue,
    pub(crate) json: bool,
    pub(crate) blob: bool,
    pub(crate) pong: Pong,
}

pub(crate) struct Shared {
    me: Weak<Shared>,
    opts: Options,
    sink: Sink,
    perf: sys::Performance,
    core: RefCell<Core>,
}

struct Core {
    session: Session<JsValue>,
    conn: Option<Conn>,
    timer: Option<Timer>,
    queue: VecDeque<Emit>,
    dispatching: bool,
}

/// The page clock for one entry into the driver: read at most once, and only
/// if something needs the time (a send never does, re-arming the timer
/// rarely does, and `performance.now()` is not free).
pub(crate) struct Clock<'a> {
    perf: &'a sys::Performance,
    at: Option<u64>,
}

impl Clock<'_> {
    pub(crate) fn now(&mut self) -> u64 {
        *self.at.get_or_insert_with(|| self.perf.now_ms())
    }
}

/// `online`/`offline`/`pageshow` on the global scope (window or worker) and
/// `visibilitychange` on the document. Attached by the Rust API (see
/// `typed.rs`); the npm facade attaches its own in JS and calls
/// [`Shared::page`], which keeps this code out of the npm module.
pub(crate) struct PageListeners {
    _global: Listener,
    _document: Option<Listener>,
}

impl Shared {
    /// Validates `config` and starts the first attempt at once.
    pub(crate) fn start(
        config: Config<JsValue>,
        opts: Options,
        sink: Sink,
    ) -> Result<Rc<Shared>, ConfigError> {
        let perf = sys::Scope::performance();
        let now = perf.now_ms();
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64 ^ now;
        let session = Session::new(config, seed, now)?;
        let shared = Rc::new_cyclic(|me| Shared {
            me: me.clone(),
            opts,
            sink,
            perf,
            core: RefCell::new(Core {
                session,
                conn: None,
                timer: None,
                queue: VecDeque::new(),
                dispatching: false,
            }),
        });
        shared.enter(&mut |_, _| {});
        Ok(shared)
    }

    // ----- entry points ---------------------------------------------------
    // Browser callbacks all have the shape `fn(&Shared, Gen, JsValue)` (see
    // `handles::handler`); `arg` is the event, or nothing for the timer.

    pub(crate) fn on_open(&self, gen: Gen, _: JsValue) {
        self.enter(&mut |core, clock| {
            let protocol = core
                .conn
                .as_ref()
                .filter(|c| c.gen == gen)
                .map(Conn::protocol)
                .unwrap_or_default();
            core.session
                .handle(Input::Opened { gen, protocol }, clock.now());
        });
    }

    pub(crate) fn on_message(&self, gen: Gen, event: JsValue) {
        let opts = &self.opts;
        let mut data = event.unchecked_into::<MessageEvent>().data();
        let mut pong = matches!(&opts.pong, Pong::Text(p) if *p == data);
        if !pong && opts.json && data.is_string() {
            match sys::json_parse(&data) {
                Ok(parsed) => data = parsed,
                Err(_) => {
                    let mut raw = Some(data);
                    self.enter(&mut |core, _| {
                        if let Some(raw) = raw.take() {
                            core.queue.push_back(Emit::InvalidJson(raw));
                        }
                    });
                    return;
                }
            }
        }
        // User code (a JS or Rust matcher) runs here, with nothing borrowed.
        pong = pong
            || match &opts.pong {
                Pong::Js(f) => f
                    .call1(&JsValue::UNDEFINED, &data)
                    .is_ok_and(|v| v.is_truthy()),
                Pong::Rust(f) => f(&data),
                _ => false,
            };
        let mut input = Some(if pong {
            Input::Pong { gen, data }
        } else {
            Input::Message { gen, data }
        });
        self.handle(&mut input);
    }

    pub(crate) fn on_error(&self, gen: Gen, _: JsValue) {
        self.handle(&mut Some(Input::Error { gen }));
    }

    pub(crate) fn on_close(&self, gen: Gen, event: JsValue) {
        let e = event.unchecked_into::<CloseEvent>();
        let mut input = Some(Input::Closed {
            gen,
            code: e.code(),
            reason: e.reason(),
            was_clean: e.was_clean(),
        });
        self.enter(&mut |core, clock| {
            if core.conn.as_ref().is_some_and(|c| c.gen == gen) {
                core.conn = None;
            }
            if let Some(input) = input.take() {
                core.session.handle(input, clock.now());
            }
        });
    }

    fn on_timer(&self, _: Gen, _: JsValue) {
        self.enter(&mut |core, clock| {
            let now = clock.now();
            if let Some(timer) = core.timer.as_mut() {
                timer.fired();
            }
            // The timer may have been armed for an earlier deadline than the
            // current one (see `Timer::arm`).
            if core.session.poll_timeout().is_some_and(|t| t <= now) {
                core.session.handle_timeout(now);
            }
        });
    }

    fn on_page(&self, _: Gen, event: JsValue) {
        let e = event.unchecked_into::<Event>();
        let page = e.unchecked_ref::<sys::Doc>();
        let input = match e.type_().as_str() {
            "online" => Input::Online,
            "offline" => Input::Offline,
            "pageshow" if !page.persisted() => return,
            "pageshow" => Input::Resumed,
            // visibilitychange, on the document
            _ => match e.target() {
                Some(doc) if doc.unchecked_ref::<sys::Doc>().hidden() => Input::Hidden,
                _ => Input::Resumed,
            },
        };
        self.handle(&mut Some(input));
    }

    /// A page event seen by the facade: 0 online, 1 offline, 2 resumed
    /// (visible again, or restored from the back-forward cache), 3 hidden.
    pub(crate) fn page(&self, kind: u32) {
        let input = match kind {
            0 => Input::Online,
            1 => Input::Offline,
            2 => Input::Resumed,
            3 => Input::Hidden,
            _ => return,
        };
        self.handle(&mut Some(input));
    }

    fn handle(&self, input: &mut Option<Input<JsValue>>) {
        self.enter(&mut |core, clock| {
            if let Some(input) = input.take() {
                core.session.handle(input, clock.now());
            }
        });
    }

    pub(crate) fn send(&self, data: JsValue) -> Result<Sent, SendError<JsValue>> {
        let mut data = Some(data);
        let mut result = Err(SendError::Closed(JsValue::UNDEFINED));
        // No clock read: sending never depends on the time (see
        // `Session::send`), and this is the hottest path.
        self.enter(&mut |core, _| {
            if let Some(data) = data.take() {
                let now = core.session.now();
                result = core.session.send(data, now);
            }
        });
        result
    }

    pub(crate) fn close(&self, code: u16, reason: String) {
        let mut reason = Some(reason);
        self.enter(&mut |core, clock| {
            if let Some(reason) = reason.take() {
                core.session.close(code, reason, clock.now());
            }
        });
    }

    pub(crate) fn reconnect(&self) {
        self.enter(&mut |core, clock| core.session.reconnect(clock.now()));
    }

    pub(crate) fn state(&self) -> State {
        self.core().session.state()
    }

    pub(crate) fn stats(&self) -> Stats {
        self.core().session.stats()
    }

    pub(crate) fn options(&self) -> &Options {
        &self.opts
    }

    // ----- the run loop ---------------------------------------------------

    /// The state, borrowed. By design no user code runs while it is borrowed,
    /// so this cannot fail unless the module already trapped; it throws a JS
    /// exception then instead of panicking (RefCell's panic would pull the
    /// formatting machinery into the module).
    fn core(&self) -> RefMut<'_, Core> {
        match self.core.try_borrow_mut() {
            Ok(core) => core,
            Err(_) => wasm_bindgen::throw_str("steadyws: socket state in use (after a panic?)"),
        }
    }

    /// Runs `f` on the borrowed state, carries out the resulting actions,
    /// then (unless an outer call is already doing it) delivers the queued
    /// events with nothing borrowed.
    #[inline(never)]
    fn enter(&self, f: &mut dyn FnMut(&mut Core, &mut Clock<'_>)) {
        {
            let mut core = self.core();
            let mut clock = Clock {
                perf: &self.perf,
                at: None,
            };
            f(&mut core, &mut clock);
            self.drive(&mut core, &mut clock);
            if core.dispatching {
                return;
            }
            core.dispatching = true;
        }
        loop {
            let next = {
                let mut core = self.core();
                let next = core.queue.pop_front();
                if next.is_none() {
                    core.dispatching = false;
                }
                next
            };
            match next {
                Some(emit) => self.deliver(emit),
                None => return,
            }
        }
    }

    fn deliver(&self, emit: Emit) {
        match &self.sink {
            Sink::Js(sink) => super::js::deliver(sink, emit),
            Sink::Rust(callback) => {
                // Never re-entered: `enter` delivers from the outermost call only.
                if let Ok(mut callback) = callback.try_borrow_mut() {
                    callback(emit);
                }
            }
        }
    }

    /// Carries out every pending action, then arms the timer.
    fn drive(&self, core: &mut Core, clock: &mut Clock<'_>) {
        while let Some(action) = core.session.poll() {
            match action {
                Action::Connect { gen } => {
                    core.conn = None;
                    let o = &self.opts;
                    match Conn::open(&o.url, &o.protocols, o.blob, &self.me, gen) {
                        Ok(conn) => core.conn = Some(conn),
                        // The constructor threw: to the core this is a socket
                        // that failed before opening.
                        Err(_) => {
                            let now = clock.now();
                            core.session.handle(Input::Error { gen }, now);
                            core.session.handle(
                                Input::Closed {
                                    gen,
                                    code: 1006,
                                    reason: String::new(),
                                    was_clean: false,
                                },
                                now,
                            );
                        }
                    }
                }
                Action::Send { gen, data } => {
                    if let Some(conn) = core.conn.as_ref().filter(|c| c.gen == gen) {
                        match &self.sink {
                            Sink::Js(sink) => sink.tx(conn.socket(), &data),
                            // The typed API sends strings and buffers it made.
                            Sink::Rust(_) => conn.send(&data),
                        }
                    }
                }
                Action::Abandon { gen, code, reason } => {
                    if core.conn.as_ref().is_some_and(|c| c.gen == gen) {
                        if let Some(conn) = core.conn.take() {
                            // Handlers are detached when `conn` drops below.
                            conn.shut(code, &reason);
                        }
                    }
                }
                Action::Close { gen, code, reason } => {
                    if let Some(conn) = core.conn.as_ref().filter(|c| c.gen == gen) {
                        conn.shut(Some(code), &reason);
                    }
                }
                Action::Emit(event) => core.queue.push_back(Emit::Core(event)),
            }
        }
        if core.session.state() == State::Closed {
            // Closed for good: no socket and no timer remain.
            core.conn = None;
            core.timer = None;
            return;
        }
        match core.session.poll_timeout() {
            Some(deadline) => core
                .timer
                .get_or_insert_with(|| self.timer())
                .arm(deadline, || clock.now()),
            None => {
                if let Some(timer) = core.timer.as_mut() {
                    timer.cancel();
                }
            }
        }
    }

    fn timer(&self) -> Timer {
        Timer::new(handler(&self.me, Gen(0), Shared::on_timer))
    }

    pub(crate) fn page_listeners(&self) -> PageListeners {
        let document = sys::DOCUMENT.with(Option::clone).map(|d| {
            Listener::new(
                d,
                &["visibilitychange"],
                handler(&self.me, Gen(0), Shared::on_page),
            )
        });
        PageListeners {
            _global: Listener::new(
                sys::GLOBAL.with(Clone::clone),
                &["online", "offline", "pageshow"],
                handler(&self.me, Gen(0), Shared::on_page),
            ),
            _document: document,
        }
    }
}
