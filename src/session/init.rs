//! The app-level handshake: the `Handshake` phase between the socket's open
//! and its opening for the app.
//!
//! With [`Config::init`](super::Config::init), a socket that opens enters
//! `Handshake` (public state still `Connecting`, `send()` still queueing,
//! the heartbeat already running): its init messages go out first, before
//! anything queued (made by the driver when
//! [`InitConfig::messages`](super::InitConfig::messages) is `None`: asked
//! with [`Action::Init`], answered with [`Input::Init`](super::Input::Init)).
//! Without an ack the connection then opens for the app at once; with one,
//! it opens when a message matches ([`Ack::Equals`], or the driver's
//! [`Input::Ack`](super::Input::Ack)): the queue is flushed and `Open`
//! carries the ack, which is not emitted as a `Message`. Other messages are
//! delivered as usual. The whole handshake must finish within
//! `init.timeout` of the open, or the socket is abandoned with
//! `Error::InitTimeout`, a failed attempt. The backoff counts the
//! connection's stability (`stable_after`) from the ack.

use super::{Ack, Action, Gen, Heartbeat, Payload, Phase, Session};

impl<M: Payload> Session<M> {
    /// The socket `gen` opened and an init is configured.
    pub(super) fn start_handshake(&mut self, gen: Gen, protocol: String) {
        let Some(init) = &self.config.init else {
            return;
        };
        let deadline = self.now.saturating_add(init.timeout);
        let messages = init.messages.clone();
        let hb = self
            .config
            .heartbeat
            .as_ref()
            .map(|h| Heartbeat::start(self.now, h));
        self.phase = Phase::Handshake {
            gen,
            protocol,
            hb,
            deadline,
            init_sent: false,
        };
        match messages {
            Some(messages) => self.send_init(gen, messages),
            None => {
                let attempt = self.stats.attempt;
                self.out.push_back(Action::Init { gen, attempt });
            }
        }
    }

    /// Sends the init messages on `gen`, then opens for the app or waits
    /// for the ack.
    pub(super) fn send_init(&mut self, gen: Gen, messages: Vec<M>) {
        for data in messages {
            self.stats.messages_out += 1;
            self.out.push_back(Action::Send { gen, data });
        }
        let no_ack = matches!(self.config.init.as_ref().map(|i| &i.ack), Some(Ack::None));
        if let Phase::Handshake {
            protocol,
            init_sent,
            ..
        } = &mut self.phase
        {
            if no_ack {
                let protocol = std::mem::take(protocol);
                self.open_for_app(gen, protocol, None);
            } else {
                *init_sent = true;
            }
        }
    }

    /// The ack arrived on the current socket (waiting for it).
    pub(super) fn on_ack(&mut self, data: M) {
        self.stats.messages_in += 1;
        let now = self.now;
        if let Phase::Handshake {
            gen, protocol, hb, ..
        } = &mut self.phase
        {
            if let (Some(hb), Some(cfg)) = (hb.as_mut(), &self.config.heartbeat) {
                hb.on_message(now, false, cfg.any_message_counts);
            }
            let (gen, protocol) = (*gen, std::mem::take(protocol));
            self.open_for_app(gen, protocol, Some(data));
        }
    }

    /// Whether `data`, a message of the current socket, is the ack by the
    /// core's own rule ([`Ack::Equals`]).
    pub(super) fn is_ack(&self, data: &M) -> bool {
        self.awaiting_ack().is_some()
            && matches!(self.config.init.as_ref().map(|i| &i.ack), Some(Ack::Equals(a)) if a == data)
    }

    /// Whether the live socket still waits for its init messages.
    pub(super) fn phase_awaits_init(&self) -> bool {
        self.awaiting_init().is_some()
    }

    /// Re-arms the heartbeat of a socket in its handshake from now.
    pub(super) fn restart_heartbeat(&mut self) {
        let now = self.now;
        if let (Phase::Handshake { hb: Some(hb), .. }, Some(cfg)) =
            (&mut self.phase, &self.config.heartbeat)
        {
            *hb = Heartbeat::start(now, cfg);
        }
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
