//! The per-attempt URL: the `Resolving` phase.
//!
//! With [`Config::url_per_attempt`](super::Config::url_per_attempt) every
//! attempt (the first included) starts with [`Action::ResolveUrl`] instead
//! of `Connect`. The driver runs the user's URL function outside the session
//! and answers with [`Input::UrlReady`](super::Input::UrlReady) or
//! [`Input::UrlFailed`](super::Input::UrlFailed), tagged with the attempt's
//! generation: an answer for an attempt given up meanwhile (connect timeout,
//! `reconnect()`, `close()`) is ignored. The time it takes counts against
//! the connect timeout; a failure is a failed attempt without a socket
//! (`Error::UrlFailed`, no `Close`), with the usual backoff and retry limit.

use super::{Action, Error, Event, Gen, Payload, Phase, Session};

impl<M: Payload> Session<M> {
    /// The URL of `gen` is ready (`ok`) or could not be made.
    pub(super) fn on_url(&mut self, gen: Gen, ok: bool) {
        let Phase::Resolving {
            gen: waiting,
            started,
            deadline,
            graced,
        } = self.phase
        else {
            return;
        };
        if waiting != gen {
            return;
        }
        if ok {
            self.out.push(Action::Connect { gen });
            // Still `Connecting` for the app: no State event.
            self.phase = Phase::Connecting {
                gen,
                started,
                deadline,
                graced,
            };
        } else {
            self.emit(Event::Error(Error::UrlFailed));
            self.attempt_failed(None);
        }
    }

    /// The attempt waiting for its URL (`Action::ResolveUrl` not answered
    /// yet), if any.
    pub fn resolving(&self) -> Option<Gen> {
        match self.phase {
            Phase::Resolving { gen, .. } => Some(gen),
            _ => None,
        }
    }
}
