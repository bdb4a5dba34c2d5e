//! The browser driver: feeds browser events and timer firings into the
//! [`Session`], carries out its actions, and hands its events to a sink (the
//! JS facade or a Rust callback).
//!
//! Re-entrancy (ARCHITECTURE rule 6): the state lives in one `RefCell`, and no
//! user code ever runs while it is borrowed. Every entry point borrows it,
//! updates the session, carries out the actions (socket calls only) and
//! queues the events; the borrow is then released and the queue drained one
//! event at a time. A browser socket never calls back from inside `close()`
//! or `send()`, but other `WebSocket`s do (Node's fails a connecting socket
//! with a synchronous `error` event; test doubles echo at once): such an
//! event is set aside and handled once the borrow is released, in order
//! ([`Owner::call`]). A handler that calls `send`/`close`/`reconnect`
//! re-enters, queues its own events behind the pending ones and returns; the
//! outer drain delivers them, so events always arrive in the order the core
//! produced them.

use alloc::rc::{Rc, Weak};
use alloc::{boxed::Box, vec::Vec};
use core::cell::{Cell, RefCell, RefMut};

use js_sys::Function;
use wasm_bindgen::prelude::*;
#[cfg(feature = "std")]
use web_sys::Event;
use web_sys::{MessageEvent, WebSocket};

use super::conn::{Conn, Handlers};
#[cfg(feature = "std")]
use super::handles::Listener;
use super::handles::{handler, Owner, Timer};
use super::sys;
use crate::session::{
    Action, Config, ConfigError, Event as CoreEvent, Fifo, Gen, Input, RequestId, SendError, Sent,
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

    /// Make the URL of attempt `gen` (the user's function) and answer with
    /// [`Shared::answer`] ([`Answer::Url`] or [`Answer::UrlFailed`]), now
    /// or later. Called with nothing borrowed.
    fn url(&self, shared: &Shared, gen: Gen, attempt: u32) {
        let _ = attempt;
        shared.answer(gen, Answer::UrlFailed, JsValue::UNDEFINED);
    }

    /// Make the init messages of the socket `gen` and hand them over with
    /// [`Shared::answer`] ([`Answer::Init`] each, then
    /// [`Answer::InitDone`]) or fail them, now or later.
    fn init(&self, shared: &Shared, gen: Gen, attempt: u32) {
        let _ = attempt;
        shared.answer(gen, Answer::InitFailed, JsValue::UNDEFINED);
    }
}

/// What a sink answers for a user function ([`Shared::answer`]); the
/// facade passes these numbers (`inner.input(SI_ANSWER, gen, what, value)`).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Answer {
    /// `value`: the attempt's URL, a string.
    Url,
    UrlFailed,
    /// `value`: one init message, ready to send.
    Init,
    InitDone,
    InitFailed,
}

impl Answer {
    pub(crate) fn from_index(i: u32) -> Option<Answer> {
        [
            Answer::Url,
            Answer::UrlFailed,
            Answer::Init,
            Answer::InitDone,
            Answer::InitFailed,
        ]
        .get(i as usize)
        .copied()
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
    /// `None`: made per attempt by the sink ([`Sink::url`]). A JS string.
    pub(crate) url: Option<JsValue>,
    /// `undefined` or an array of subprotocol names.
    pub(crate) protocols: JsValue,
    /// The `WebSocket` constructor used for every attempt.
    pub(crate) ctor: Function,
    pub(crate) blob: bool,
    pub(crate) pong: Option<PongPredicate>,
    /// Recognises the init's ack (user code, like `pong`), fed as
    /// [`Input::Ack`] while the session waits for one.
    pub(crate) ack: Option<PongPredicate>,
}

pub(crate) struct Shared {
    me: Weak<Shared>,
    opts: Options,
    sink: Box<dyn Sink>,
    perf: sys::Performance,
    core: RefCell<Core>,
    /// Socket events that arrived while `core` was borrowed (a socket that
    /// called back synchronously), handled once it is released, oldest
    /// first. A `Vec` in a `Cell` (taken and put back): no `VecDeque` and
    /// no `RefCell` borrow panic of its own in the wasm module.
    later: Cell<Vec<(SocketEntry, Gen, JsValue)>>,
}

/// What an entry point asks of the session ([`Shared::enter`]): one
/// `match` rather than a closure per entry point, each of which would be a
/// function and a vtable of its own in the wasm module.
enum Call {
    /// Nothing: the first attempt, already asked for by `Session::new`.
    Start,
    Input(Input<JsValue>),
    /// The timer fired.
    Timer,
    Send(JsValue),
    Request(JsValue, Option<u64>),
    Close(u16, JsValue),
    /// [`Answer::Url`] for `gen`: its URL (a JS string, else ignored).
    Url(Gen, JsValue),
    Reconnect,
}

/// What [`Shared::enter`] hands back: the result of `Send` / `Request`.
enum Outcome {
    Done,
    Sent(Result<Sent, SendError<JsValue>>),
    Requested(Result<RequestId, SendError<JsValue>>),
}

/// A socket event handler of [`Shared`].
type SocketEntry = fn(&Shared, Gen, JsValue);

struct Core {
    session: Session<JsValue>,
    conn: Option<Conn>,
    /// The URL of the current attempt (a JS string).
    url: JsValue,
    timer: Option<Timer>,
    /// What the sink gets once nothing is borrowed: events (`Emit`) and
    /// requests to run a user function (`ResolveUrl`, `Init`). The session's
    /// own action type, so the queue's code is shared with the session's.
    queue: Fifo<Action<JsValue>>,
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
#[cfg(feature = "std")]
pub(crate) struct PageListeners {
    _global: Listener,
    _document: Option<Listener>,
}

impl Shared {
    /// Validates `config` and starts the first attempt at once.
    pub(crate) fn start(
        mut config: Config<JsValue>,
        opts: Options,
        sink: Box<dyn Sink>,
    ) -> Result<Rc<Shared>, ConfigError> {
        let perf = sys::Scope::performance();
        let now = perf.now_ms();
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64 ^ now;
        config.url_per_attempt = opts.url.is_none();
        let session = Session::new(config, seed, now)?;
        let url = opts.url.clone().unwrap_or_default();
        let shared = Rc::new_cyclic(|me| Shared {
            me: me.clone(),
            opts,
            sink,
            perf,
            core: RefCell::new(Core {
                session,
                conn: None,
                url,
                timer: None,
                queue: Fifo::new(),
                dispatching: false,
            }),
            later: Cell::new(Vec::new()),
        });
        shared.enter(Call::Start);
        Ok(shared)
    }

    // ----- entry points ---------------------------------------------------
    // Browser callbacks all have the shape `fn(&Shared, Gen, JsValue)` (see
    // `handles::handler`); `arg` is the event, or nothing for the timer.

    pub(crate) fn on_open(&self, gen: Gen, _: JsValue) {
        // Read under a borrow of its own, then handled like any input (one
        // closure less in the module).
        let protocol = self
            .core()
            .conn
            .as_ref()
            .filter(|c| c.gen == gen)
            .map_or_else(|| "".into(), Conn::protocol);
        self.handle(Input::Opened { gen, protocol });
    }

    pub(crate) fn on_message(&self, gen: Gen, event: JsValue) {
        let data = event.unchecked_into::<MessageEvent>().data();
        if let Some(is_ack) = &self.opts.ack {
            let waiting = self.core().session.awaiting_ack() == Some(gen);
            // User code, with nothing borrowed (the borrow above has ended).
            if waiting && is_ack(&data) {
                return self.handle(Input::Ack { gen, data });
            }
        }
        // User code (a reply predicate) runs here, with nothing borrowed.
        // Every frame then reaches the session, which checks its generation,
        // counts it and takes it as liveness, whatever its content.
        let pong = self
            .opts
            .pong
            .as_ref()
            .is_some_and(|is_pong| is_pong(&data));
        let input = if pong {
            Input::Pong { gen, data }
        } else {
            Input::Message { gen, data }
        };
        self.handle(input);
    }

    pub(crate) fn on_error(&self, gen: Gen, _: JsValue) {
        self.handle(Input::Error { gen });
    }

    pub(crate) fn on_close(&self, gen: Gen, event: JsValue) {
        let e = event.unchecked_into::<sys::CloseInfo>();
        let input = Input::Closed {
            gen,
            code: e.code(),
            reason: e.reason_value(),
            was_clean: e.was_clean(),
        };
        {
            // The socket is gone: drop it (and detach its handlers) first.
            // Anything it reports meanwhile waits in `later` for the
            // `handle` below.
            let mut core = self.core();
            if core.conn.as_ref().is_some_and(|c| c.gen == gen) {
                core.conn = None;
            }
        }
        self.handle(input);
    }

    fn on_timer(&self, _: Gen, _: JsValue) {
        self.enter(Call::Timer);
    }

    #[cfg(feature = "std")]
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
        self.handle(input);
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
        self.handle(input);
    }

    fn handle(&self, input: Input<JsValue>) {
        self.enter(Call::Input(input));
    }

    pub(crate) fn send(&self, data: JsValue) -> Result<Sent, SendError<JsValue>> {
        match self.enter(Call::Send(data)) {
            Outcome::Sent(result) => result,
            _ => Err(SendError::Closed(JsValue::UNDEFINED)),
        }
    }

    /// [`Session::request`]; replies are matched by the sink, which then
    /// calls [`settle`](Self::settle).
    pub(crate) fn request(
        &self,
        data: JsValue,
        timeout: Option<u64>,
    ) -> Result<RequestId, SendError<JsValue>> {
        match self.enter(Call::Request(data, timeout)) {
            Outcome::Requested(result) => result,
            _ => Err(SendError::Closed(JsValue::UNDEFINED)),
        }
    }

    /// The request `id` settles: its reply came (`reply`,
    /// [`Session::answer`]) or the app gave up ([`Session::cancel`]). No
    /// action follows; a timer armed for its deadline fires early and
    /// re-arms. (Not `answer`: that name is the URL / init answers'.)
    pub(crate) fn settle(&self, id: RequestId, reply: bool) -> bool {
        let session = &mut self.core().session;
        match reply {
            true => session.answer(id),
            false => session.cancel(id),
        }
    }

    pub(crate) fn close(&self, code: u16, reason: JsValue) {
        self.enter(Call::Close(code, reason));
    }

    /// What a user function made for `gen` (see [`Sink::url`],
    /// [`Sink::init`]); the session ignores answers for a generation that
    /// no longer waits for them.
    pub(crate) fn answer(&self, gen: Gen, what: Answer, value: JsValue) {
        self.enter(match what {
            Answer::Url => Call::Url(gen, value),
            Answer::UrlFailed => Call::Input(Input::UrlFailed { gen }),
            Answer::Init => Call::Input(Input::Init { gen, data: value }),
            Answer::InitDone => Call::Input(Input::InitDone { gen }),
            Answer::InitFailed => Call::Input(Input::InitFailed { gen }),
        });
    }

    pub(crate) fn reconnect(&self) {
        self.enter(Call::Reconnect);
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
    /// exception then, which the caller can catch, rather than panicking
    /// (a panic traps the module for every socket).
    fn core(&self) -> RefMut<'_, Core> {
        match self.core.try_borrow_mut() {
            Ok(core) => core,
            Err(_) => wasm_bindgen::throw_str("steadyws: socket state in use (after a panic?)"),
        }
    }

    /// Makes `call` on the borrowed state, carries out the resulting
    /// actions, then (unless an outer call is already doing it) delivers the
    /// queued events with nothing borrowed.
    #[inline(never)]
    fn enter(&self, call: Call) -> Outcome {
        let outcome;
        {
            let mut core = self.core();
            let mut clock = Clock {
                perf: &self.perf,
                at: None,
            };
            outcome = Self::call(&mut core, &mut clock, call);
            self.drive(&mut core, &mut clock);
            if core.dispatching {
                return outcome;
            }
            core.dispatching = true;
        }
        loop {
            // What a socket reported from inside the driver's calls, first:
            // it happened before the events still queued were delivered.
            // What they report meanwhile goes to a fresh list, after these.
            let later = self.later.take();
            if !later.is_empty() {
                for (entry, gen, arg) in later {
                    entry(self, gen, arg);
                }
                continue;
            }
            let next = {
                let mut core = self.core();
                let next = core.queue.pop();
                if next.is_none() {
                    core.dispatching = false;
                }
                next
            };
            match next {
                Some(Action::Emit(event)) => self.sink.event(event),
                Some(Action::ResolveUrl { gen, attempt }) => self.sink.url(self, gen, attempt),
                Some(Action::Init { gen, attempt }) => self.sink.init(self, gen, attempt),
                Some(_) => {}
                None => return outcome,
            }
        }
    }

    /// What an entry point asks of the session, on the borrowed state.
    fn call(core: &mut Core, clock: &mut Clock<'_>, call: Call) -> Outcome {
        let session = &mut core.session;
        match call {
            Call::Start => {}
            Call::Input(input) => session.handle(input, clock.now()),
            Call::Timer => {
                let now = clock.now();
                if let Some(timer) = core.timer.as_mut() {
                    timer.fired();
                }
                // The timer may have been armed for an earlier deadline than
                // the current one (see `Timer::arm`).
                if session.poll_timeout().is_some_and(|t| t <= now) {
                    session.handle_timeout(now);
                }
            }
            // No clock read: sending never depends on the time (see
            // `Session::send`), and this is the hottest path.
            Call::Send(data) => {
                let now = session.now();
                return Outcome::Sent(session.send(data, now));
            }
            Call::Request(data, timeout) => {
                let now = clock.now();
                return Outcome::Requested(session.request(data, timeout, now));
            }
            Call::Close(code, reason) => session.close(code, reason, clock.now()),
            Call::Url(gen, url) => {
                if url.is_string() && session.resolving() == Some(gen) {
                    core.url = url;
                    session.handle(Input::UrlReady { gen }, clock.now());
                }
            }
            Call::Reconnect => session.reconnect(clock.now()),
        }
        Outcome::Done
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
                    match Conn::open(&o.ctor, &core.url, &o.protocols, o.blob, gen, handlers) {
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
                                    reason: "".into(),
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
                // Run once nothing is borrowed, in order with the events.
                Action::Emit(_) | Action::ResolveUrl { .. } | Action::Init { .. } => {
                    core.queue.push(action)
                }
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

    #[cfg(feature = "std")]
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

impl Owner for Shared {
    /// While the state is borrowed, a socket is calling back from inside one
    /// of the driver's calls: the event waits until the borrow ends.
    fn call(&self, entry: SocketEntry, gen: Gen, arg: JsValue) {
        if self.core.try_borrow_mut().is_err() {
            let mut later = self.later.take();
            later.push((entry, gen, arg));
            self.later.set(later);
            return;
        }
        entry(self, gen, arg);
    }
}
