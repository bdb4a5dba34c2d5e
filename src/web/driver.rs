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

use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::conn::{Conn, Handlers};
use super::handles::{handler, Listener, Timer};
use super::sys;
use crate::session::{
    Action, Config, ConfigError, Event as CoreEvent, Gen, Input, RequestId, SendError, Sent,
    Session, State, Stats,
};

/// Where the driver's output goes: the JS facade (`js.rs`) or the typed Rust
/// API (`typed.rs`). The driver calls it with nothing borrowed, so it may
/// call back into the socket.
pub(crate) trait Sink {
    /// One event of the core, in order. A message is the frame as the
    /// browser delivered it: decoding (JSON) is the sink's business.
    fn event(&self, event: CoreEvent<JsValue>);

    /// Hands `data` to the open socket `ws`. It throws only for data a
    /// browser cannot send (a resizable or shared buffer), which the
    /// producers of `data` rule out; a socket already closing drops it.
    fn transmit(&self, ws: &WebSocket, data: &JsValue) {
        let _ = ws.unchecked_ref::<sys::RawSocket>().send_value(data);
    }
}

/// A user predicate that recognises heartbeat replies the core's own rule
/// ([`HeartbeatConfig::pong`](crate::session::HeartbeatConfig::pong))
/// cannot: given the frame as it arrived, it decodes it as `'message'` would
/// and answers. It is user code, so the driver runs it before borrowing its
/// state and feeds the verdict as [`Input::Pong`].
pub(crate) type PongPredicate = Box<dyn Fn(&JsValue) -> bool>;

/// Fixed for the lifetime of a socket.
pub(crate) struct Options {
    pub(crate) url: String,
    /// `undefined` or an array of subprotocol names.
    pub(crate) protocols: JsValue,
    pub(crate) blob: bool,
    pub(crate) pong: Option<PongPredicate>,
}

pub(crate) struct Shared {
    me: Weak<Shared>,
    opts: Options,
    sink: Box<dyn Sink>,
    perf: sys::Performance,
    core: RefCell<Core>,
}

struct Core {
    session: Session<JsValue>,
    conn: Option<Conn>,
    timer: Option<Timer>,
    queue: VecDeque<CoreEvent<JsValue>>,
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
        sink: Box<dyn Sink>,
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
        let data = event.unchecked_into::<MessageEvent>().data();
        // User code (a reply predicate) runs here, with nothing borrowed.
        // Every frame then reaches the session, which checks its generation,
        // counts it and takes it as liveness, whatever its content.
        let pong = self
            .opts
            .pong
            .as_ref()
            .is_some_and(|is_pong| is_pong(&data));
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

    /// A page event seen by the facade.
    pub(crate) fn page(&self, event: crate::abi::PageEvent) {
        use crate::abi::PageEvent;
        let input = match event {
            PageEvent::Online => Input::Online,
            PageEvent::Offline => Input::Offline,
            PageEvent::Resumed => Input::Resumed,
            PageEvent::Hidden => Input::Hidden,
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

    /// [`Session::request`]; replies are matched by the sink, which then
    /// calls [`answer`](Self::answer).
    pub(crate) fn request(
        &self,
        data: JsValue,
        timeout: Option<u64>,
    ) -> Result<RequestId, SendError<JsValue>> {
        let mut data = Some(data);
        let mut result = Err(SendError::Closed(JsValue::UNDEFINED));
        self.enter(&mut |core, clock| {
            if let Some(data) = data.take() {
                result = core.session.request(data, timeout, clock.now());
            }
        });
        result
    }

    /// [`Session::answer`] (no action follows; a timer armed for its
    /// deadline fires early and re-arms).
    pub(crate) fn answer(&self, id: RequestId) -> bool {
        self.core().session.answer(id)
    }

    /// [`Session::cancel`].
    pub(crate) fn cancel(&self, id: RequestId) -> bool {
        self.core().session.cancel(id)
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

    /// Removes and returns the oldest message still waiting for an open
    /// (see [`Session::pop_queued`]).
    pub(crate) fn unqueue(&self) -> Option<JsValue> {
        self.core().session.pop_queued()
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
                Some(event) => self.sink.event(event),
                None => return,
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
                    let handlers = Handlers {
                        open: handler(&self.me, gen, Shared::on_open),
                        message: handler(&self.me, gen, Shared::on_message),
                        error: handler(&self.me, gen, Shared::on_error),
                        close: handler(&self.me, gen, Shared::on_close),
                    };
                    match Conn::open(&o.url, &o.protocols, o.blob, gen, handlers) {
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
                        self.sink.transmit(conn.socket(), &data);
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
                Action::Emit(event) => core.queue.push_back(event),
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
