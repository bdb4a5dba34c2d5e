//! A virtual-clock driver for the session machine, shared by the
//! `session_*` tests. It records every action with the time it was polled.
#![allow(dead_code)]

use steadyws::message::Message;
use steadyws::session::{
    Action, Config, Error, Event, Gen, Input, SendError, Sent, Session, State,
};

pub type Act = Action<Message>;
pub type Ev = Event<Message>;

pub fn text(s: &str) -> Message {
    Message::Text(s.to_owned())
}

/// The `RequestFailed` events among `events`: (request, error).
pub fn failures(
    events: &[Ev],
) -> Vec<(
    steadyws::session::RequestId,
    steadyws::session::RequestError,
)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::RequestFailed { id, error } => Some((*id, *error)),
            _ => None,
        })
        .collect()
}

/// Defaults of API.md with a text "ping" heartbeat.
pub fn config() -> Config<Message> {
    Config::new(text("ping"))
}

/// Defaults with jitter off, so delays are exact.
pub fn config_no_jitter() -> Config<Message> {
    let mut c = config();
    if let Some(rc) = c.reconnect.as_mut() {
        rc.jitter = 0.0;
    }
    c
}

pub struct Sim {
    pub s: Session<Message>,
    pub now: u64,
    /// Every action polled so far, with its time.
    pub log: Vec<(u64, Act)>,
    /// Index into `log` of the first action not yet returned by `take()`.
    cursor: usize,
}

impl Sim {
    pub fn new(config: Config<Message>) -> Sim {
        Self::with_seed(config, 7)
    }

    pub fn with_seed(config: Config<Message>, seed: u64) -> Sim {
        let s = Session::new(config, seed, 0).expect("valid config");
        let mut sim = Sim {
            s,
            now: 0,
            log: Vec::new(),
            cursor: 0,
        };
        sim.drain();
        sim
    }

    pub fn with_pong_matcher(mut self) -> Sim {
        self.s
            .set_pong_matcher(Box::new(|m: &Message| *m == Message::Text("pong".into())));
        self
    }

    fn drain(&mut self) {
        while let Some(a) = self.s.poll() {
            self.log.push((self.now, a));
        }
    }

    /// Actions polled since the last `take()`.
    pub fn take(&mut self) -> Vec<Act> {
        let out = self.log[self.cursor..]
            .iter()
            .map(|(_, a)| a.clone())
            .collect();
        self.cursor = self.log.len();
        out
    }

    /// Events only, since the last `take()`.
    pub fn take_events(&mut self) -> Vec<Ev> {
        self.take()
            .into_iter()
            .filter_map(|a| match a {
                Action::Emit(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    pub fn input(&mut self, input: Input<Message>) {
        self.s.handle(input, self.now);
        self.drain();
    }

    /// Moves the clock to `t`, firing every timer that falls due on the way
    /// exactly at its deadline (a timely event loop).
    pub fn advance_to(&mut self, t: u64) {
        while let Some(d) = self.s.poll_timeout() {
            if d > t {
                break;
            }
            self.now = self.now.max(d);
            self.s.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(t);
    }

    pub fn advance(&mut self, dt: u64) {
        self.advance_to(self.now + dt);
    }

    /// Jumps the clock to `t` without firing anything on the way (the page
    /// was frozen), then fires what is due, late.
    pub fn suspend_until(&mut self, t: u64) {
        self.now = t;
        if self.s.poll_timeout().is_some_and(|d| d <= t) {
            self.s.handle_timeout(t);
            self.drain();
        }
    }

    pub fn send(&mut self, m: &str) -> Result<Sent, SendError<Message>> {
        let r = self.s.send(text(m), self.now);
        self.drain();
        r
    }

    pub fn close(&mut self, code: u16) {
        self.s.close(code, String::new(), self.now);
        self.drain();
    }

    pub fn reconnect(&mut self) {
        self.s.reconnect(self.now);
        self.drain();
    }

    pub fn gen(&self) -> Gen {
        self.s.current_gen().expect("a live socket")
    }

    /// The generation of the last `Connect` action.
    pub fn last_connect(&self) -> Option<Gen> {
        self.log.iter().rev().find_map(|(_, a)| match a {
            Action::Connect { gen } => Some(*gen),
            _ => None,
        })
    }

    pub fn connects(&self) -> Vec<(u64, Gen)> {
        self.log
            .iter()
            .filter_map(|(t, a)| match a {
                Action::Connect { gen } => Some((*t, *gen)),
                _ => None,
            })
            .collect()
    }

    /// Opens the current socket.
    pub fn open(&mut self) {
        let gen = self.gen();
        self.input(Input::Opened {
            gen,
            protocol: String::new(),
        });
        assert_eq!(self.s.state(), State::Open);
    }

    pub fn message(&mut self, m: &str) {
        let gen = self.gen();
        self.input(Input::Message { gen, data: text(m) });
    }

    pub fn server_close(&mut self, code: u16) {
        let gen = self.gen();
        self.input(Input::Closed {
            gen,
            code,
            reason: String::new(),
            was_clean: true,
        });
    }

    /// A failed connect as browsers report it: `error`, then `close` 1006.
    pub fn fail_connect(&mut self) {
        let gen = self.gen();
        self.input(Input::Error { gen });
        self.input(Input::Closed {
            gen,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        });
    }

    /// Waits out the current backoff delay (if any) to the next Connect.
    pub fn wait_for_attempt(&mut self) {
        assert_eq!(self.s.state(), State::Reconnecting);
        let t = self.s.poll_timeout().expect("a backoff timer");
        self.advance_to(t);
        assert_eq!(self.s.state(), State::Connecting);
    }

    pub fn pings_sent(&self) -> usize {
        self.log
            .iter()
            .filter(|(_, a)| matches!(a, Action::Emit(Event::Ping)))
            .count()
    }

    pub fn delays(&self) -> Vec<u64> {
        self.log
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Emit(Event::Reconnecting { delay, .. }) => Some(*delay),
                _ => None,
            })
            .collect()
    }

    pub fn errors(&self) -> Vec<Error> {
        self.log
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Emit(Event::Error(e)) => Some(e.clone()),
                _ => None,
            })
            .collect()
    }
}
pub mod model;
