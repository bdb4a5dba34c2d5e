//! The app-level handshake: the `Handshake` phase between the socket's open
//! and its opening for the app.
//!
//! With [`Config::init`](super::Config::init), a socket that opens enters
//! `Handshake` (public state still `Connecting`, `send()` still queueing)
//! and the driver is asked for its init messages ([`Action::Init`]): they
//! go out first, before anything queued, as they are handed over
//! ([`Input::Init`](super::Input::Init), then
//! [`Input::InitDone`](super::Input::InitDone)). The heartbeat starts then,
//! so no ping precedes the init. Without an ack the connection then opens
//! for the app at once; with one, it opens when a message matches
//! ([`Ack::Equals`], or the driver's [`Input::Ack`](super::Input::Ack)): the
//! queue is flushed and `Open` carries the ack, which is not emitted as a
//! `Message`. Other messages are delivered as usual. The whole handshake
//! must finish within `init.timeout` of the open, or the socket is abandoned
//! with `Error::InitTimeout`, a failed attempt. The backoff counts the
//! connection's stability (`stable_after`) from the ack.

use super::{Ack, Action, Gen, Heartbeat, Payload, Phase, Session};

impl<M: Payload> Session<M> {
    /// The socket `gen` opened and an init is configured.
    pub(super) fn start_handshake(&mut self, gen: Gen, protocol: M::Text) {
        let Some(init) = &self.config.init else {
            return;
        };
        let deadline = self.now.saturating_add(init.timeout);
        self.phase = Phase::Handshake {
            gen,
            protocol,
            hb: None,
            deadline,
            init_sent: false,
        };
        let attempt = self.stats.attempt;
        self.out.push(Action::Init { gen, attempt });
    }

    /// The init messages of `gen` are out: open for the app, or wait for
    /// the ack with the heartbeat running.
    pub(super) fn init_sent(&mut self, gen: Gen) {
        let now = self.now;
        let no_ack = matches!(self.config.init.as_ref().map(|i| &i.ack), Some(Ack::None));
        let cfg = &self.config.heartbeat;
        if let Phase::Handshake {
            protocol,
            init_sent,
            hb,
            ..
        } = &mut self.phase
        {
            *hb = cfg.as_ref().map(|h| Heartbeat::start(now, h));
            if no_ack {
                let protocol = core::mem::take(protocol);
                self.open_for_app(gen, protocol, None);
            } else {
                *init_sent = true;
            }
        }
    }

    /// The ack arrived on the current socket (waiting for it).
    pub(super) fn on_ack(&mut self, data: M) {
        self.stats.messages_in += 1;
        if let Phase::Handshake { gen, protocol, .. } = &mut self.phase {
            // The ack proves liveness: the heartbeat restarts with the open.
            let (gen, protocol) = (*gen, core::mem::take(protocol));
            self.open_for_app(gen, protocol, Some(data));
        }
    }

    /// Whether `data`, a message of the current socket, is the ack by the
    /// core's own rule ([`Ack::Equals`]).
    pub(super) fn is_ack(&self, data: &M) -> bool {
        self.awaiting_ack().is_some()
            && matches!(self.config.init.as_ref().map(|i| &i.ack), Some(Ack::Equals(a)) if a == data)
    }

    /// The open socket waiting for the driver's init messages, if any.
    pub fn awaiting_init(&self) -> Option<Gen> {
        match self.phase {
            Phase::Handshake {
                gen,
                init_sent: false,
                ..
            } => Some(gen),
            _ => None,
        }
    }

    /// The open socket whose init is out and which waits for the ack, if
    /// any: a driver that recognises acks itself feeds its messages as
    /// [`Input::Ack`](super::Input::Ack) meanwhile.
    pub fn awaiting_ack(&self) -> Option<Gen> {
        match self.phase {
            Phase::Handshake {
                gen,
                init_sent: true,
                ..
            } => Some(gen),
            _ => None,
        }
    }
}
