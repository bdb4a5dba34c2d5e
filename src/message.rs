//! Messages as the native driver and the tests see them: text or binary.
//! (The browser driver carries JS values instead; see `web`.)

use crate::session::Payload;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// One complete WebSocket data message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message (valid UTF-8 by construction).
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

impl Payload for Message {
    type Text = String;

    fn byte_len(&self) -> usize {
        match self {
            Message::Text(s) => s.len(),
            Message::Binary(b) => b.len(),
        }
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::Text(s.to_owned())
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Message::Text(s)
    }
}

impl From<Vec<u8>> for Message {
    fn from(b: Vec<u8>) -> Self {
        Message::Binary(b)
    }
}
