//! One browser `WebSocket` and its four handlers, all owned: dropping a
//! [`Conn`] detaches the handlers and closes the socket, so a socket the core
//! has given up on can never report into the session again.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, WebSocket};

use super::handles::Handler;
use super::sys::RawSocket;
use crate::session::Gen;

const CONNECTING: u16 = 0;
const OPEN: u16 = 1;

/// The four handlers of one socket, made by the driver for its generation.
pub(crate) struct Handlers {
    pub(crate) open: Handler,
    pub(crate) message: Handler,
    /// A WebSocket `error` is a plain `Event` (not an `ErrorEvent`).
    pub(crate) error: Handler,
    pub(crate) close: Handler,
}

pub(crate) struct Conn {
    pub(crate) gen: Gen,
    ws: WebSocket,
    /// Kept alive as long as the socket; detached in `drop`.
    _handlers: Handlers,
}

impl Conn {
    /// Creates the socket with `new ctor(url, protocols)` (the global
    /// `WebSocket` or the one the app passed) and attaches every handler
    /// before returning to the event loop, so no event can be missed. Fails
    /// when the constructor throws (a URL or protocol the browser refuses).
    pub(crate) fn open(
        ctor: &Function,
        url: &JsValue,
        protocols: &JsValue,
        blob: bool,
        gen: Gen,
        handlers: Handlers,
    ) -> Result<Conn, JsValue> {
        // No `undefined` for a constructor that counts its arguments.
        let args = if protocols.is_undefined() {
            Array::of1(url)
        } else {
            Array::of2(url, protocols)
        };
        let ws: WebSocket = Reflect::construct(ctor, &args)?.unchecked_into();
        ws.set_binary_type(if blob {
            BinaryType::Blob
        } else {
            BinaryType::Arraybuffer
        });
        ws.set_onopen(Some(handlers.open.function()));
        ws.set_onmessage(Some(handlers.message.function()));
        ws.set_onerror(Some(handlers.error.function()));
        ws.set_onclose(Some(handlers.close.function()));
        Ok(Conn {
            gen,
            ws,
            _handlers: handlers,
        })
    }

    /// The subprotocol the server selected.
    pub(crate) fn protocol(&self) -> JsValue {
        self.ws.unchecked_ref::<RawSocket>().protocol_value()
    }

    /// The browser socket.
    pub(crate) fn socket(&self) -> &WebSocket {
        &self.ws
    }

    /// Starts the closing handshake unless it already started.
    pub(crate) fn shut(&self, code: Option<u16>, reason: &JsValue) {
        let state = self.ws.ready_state();
        if state != CONNECTING && state != OPEN {
            return;
        }
        let sent = match code {
            // Browsers accept only 1000 and 3000-4999 (and reasons up to 123
            // bytes); anything else falls back to a plain close.
            Some(code) => {
                let ws = self.ws.unchecked_ref::<RawSocket>();
                ws.close_with(code, reason).is_ok()
            }
            None => false,
        };
        if !sent {
            let _ = self.ws.close();
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        self.shut(None, &JsValue::UNDEFINED);
    }
}
