//! `Socket::request` of the typed API: the table of pending requests shared
//! by the socket (which adds them), its sink (which matches replies, with
//! nothing borrowed, and reports them to the core with
//! [`Shared::answer`]) and the [`Request`] futures. The core decides when a
//! request fails; the table only carries the verdict to the future.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use super::driver::Shared;
use super::sys;
use crate::session::{RequestError, RequestId};

/// What a request ended with.
pub(crate) enum Outcome {
    /// The reply, as parsed JSON.
    Reply(JsValue),
    Failed(RequestError),
}

struct Slot {
    rid: RequestId,
    /// The `[rpc.id]` sent.
    id: JsValue,
    outcome: Option<Outcome>,
    waker: Option<Waker>,
}

/// The pending requests of one socket.
#[derive(Default)]
pub(crate) struct Table {
    /// The request field that carries the id.
    pub(crate) field: JsValue,
    slots: RefCell<Vec<Slot>>,
    pub(crate) shared: RefCell<Weak<Shared>>,
    last: std::cell::Cell<u32>,
}

impl Table {
    pub(crate) fn new(field: &str) -> Rc<Table> {
        Rc::new(Table {
            field: JsValue::from_str(field),
            ..Table::default()
        })
    }

    /// A fresh id for a request without one.
    pub(crate) fn next_id(&self) -> JsValue {
        self.last.set(self.last.get().wrapping_add(1));
        JsValue::from(self.last.get())
    }

    pub(crate) fn has_id(&self, id: &JsValue) -> bool {
        self.slots
            .borrow()
            .iter()
            .any(|s| js_sys::Object::is(&s.id, id))
    }

    pub(crate) fn add(&self, rid: RequestId, id: JsValue) {
        self.slots.borrow_mut().push(Slot {
            rid,
            id,
            outcome: None,
            waker: None,
        });
    }

    fn finish(&self, rid: RequestId, outcome: Outcome) {
        let waker = {
            let mut slots = self.slots.borrow_mut();
            let Some(slot) = slots.iter_mut().find(|s| s.rid == rid) else {
                return;
            };
            slot.outcome = Some(outcome);
            slot.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The core failed `rid`.
    pub(crate) fn failed(&self, rid: RequestId, error: RequestError) {
        self.finish(rid, Outcome::Failed(error));
    }

    /// A frame the sink got: true when it is the reply to a pending request
    /// (the core agreeing), which is then not a message.
    pub(crate) fn reply(&self, raw: &JsValue) -> bool {
        if self.slots.borrow().is_empty() || !raw.is_string() {
            return false;
        }
        let Ok(msg) = sys::json_parse(raw) else {
            return false;
        };
        if !msg.is_object() {
            return false;
        }
        let Ok(id) = js_sys::Reflect::get(&msg, &self.field) else {
            return false;
        };
        let rid = self
            .slots
            .borrow()
            .iter()
            .find(|s| s.outcome.is_none() && js_sys::Object::is(&s.id, &id))
            .map(|s| s.rid);
        let Some(rid) = rid else { return false };
        let Some(shared) = self.shared.borrow().upgrade() else {
            return false;
        };
        if !shared.settle(rid, true) {
            return false;
        }
        self.finish(rid, Outcome::Reply(msg));
        true
    }

    fn poll(&self, rid: RequestId, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut slots = self.slots.borrow_mut();
        let Some(i) = slots.iter().position(|s| s.rid == rid) else {
            return Poll::Ready(Outcome::Failed(RequestError::Closed));
        };
        match slots[i].outcome.take() {
            Some(outcome) => {
                slots.remove(i);
                Poll::Ready(outcome)
            }
            None => {
                slots[i].waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// The future was dropped: forget it, and tell the core if it was still
    /// pending (a queued request is then never sent).
    fn drop_request(&self, rid: RequestId) {
        let pending = {
            let mut slots = self.slots.borrow_mut();
            match slots.iter().position(|s| s.rid == rid) {
                Some(i) => slots.remove(i).outcome.is_none(),
                None => false,
            }
        };
        if pending {
            if let Some(shared) = self.shared.borrow().upgrade() {
                shared.settle(rid, false);
            }
        }
    }
}

/// Why a [`Request`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestFailure {
    /// No reply within its timeout, the connection it was sent on was lost,
    /// or the socket was closed first.
    Failed(RequestError),
    /// Refused at once, as `send` would be.
    Refused(super::typed::SocketError),
    /// The reply did not decode into `Res`.
    Decode {
        /// The decoder's message.
        reason: String,
    },
}

/// The future of [`Socket::request`](super::typed::Socket::request):
/// resolves with the reply decoded into `Res`. Dropping it cancels the
/// request (if still queued, it is never sent).
pub struct Request<Res> {
    pub(crate) table: Rc<Table>,
    /// `Err`: refused at once.
    pub(crate) rid: Result<RequestId, Option<RequestFailure>>,
    pub(crate) _res: PhantomData<fn() -> Res>,
}

impl<Res: DeserializeOwned> Future for Request<Res> {
    type Output = Result<Res, RequestFailure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let rid = match &mut this.rid {
            Ok(rid) => *rid,
            Err(refused) => {
                let e = refused
                    .take()
                    .unwrap_or(RequestFailure::Failed(RequestError::Closed));
                return Poll::Ready(Err(e));
            }
        };
        match this.table.poll(rid, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(outcome) => {
                // Settled: nothing to cancel on drop.
                this.rid = Err(None);
                Poll::Ready(match outcome {
                    Outcome::Reply(v) => {
                        serde_wasm_bindgen::from_value(v).map_err(|e| RequestFailure::Decode {
                            reason: e.to_string(),
                        })
                    }
                    Outcome::Failed(e) => Err(RequestFailure::Failed(e)),
                })
            }
        }
    }
}

impl<Res> Drop for Request<Res> {
    fn drop(&mut self) {
        if let Ok(rid) = self.rid {
            self.table.drop_request(rid);
        }
    }
}
