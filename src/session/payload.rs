//! What the core needs to know about a message type.

/// What the core needs to know about a message.
pub trait Payload: Clone + PartialEq {
    /// Size in bytes, for the send queue's `max_bytes` bound (an estimate is
    /// fine where exact UTF-8 length is costly, e.g. UTF-16 JS strings).
    fn byte_len(&self) -> usize;
}
