//! Size limits, checked from frame headers before anything is allocated.

/// Bounds on what a peer may make this endpoint buffer.
///
/// Every limit is checked as soon as a frame header arrives, before any
/// memory is reserved for its payload, and compared as `u64` so that a 64-bit
/// length cannot wrap on 32-bit targets (wasm32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload of a single frame (default 16 MiB).
    pub max_frame_size: u64,
    /// Largest payload of a complete, reassembled message (default 64 MiB).
    pub max_message_size: u64,
    /// Most frames one data message may be made of (default 262,144).
    ///
    /// Payload bytes alone cannot bound a flood of empty continuation
    /// frames, which would keep a message open forever at no memory cost.
    /// The default leaves four times the room Autobahn's most fragmented
    /// case needs (4 MiB in 64-byte fragments = 65,536 frames).
    pub max_fragments: u32,
}

impl Limits {
    /// 16 MiB.
    pub const DEFAULT_MAX_FRAME_SIZE: u64 = 16 << 20;
    /// 64 MiB.
    pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;
    /// 262,144 frames.
    pub const DEFAULT_MAX_FRAGMENTS: u32 = 1 << 18;

    /// Sets [`max_frame_size`](Self::max_frame_size).
    pub fn max_frame_size(mut self, bytes: u64) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets [`max_message_size`](Self::max_message_size).
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`max_fragments`](Self::max_fragments).
    pub fn max_fragments(mut self, frames: u32) -> Self {
        self.max_fragments = frames;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_size: Self::DEFAULT_MAX_FRAME_SIZE,
            max_message_size: Self::DEFAULT_MAX_MESSAGE_SIZE,
            max_fragments: Self::DEFAULT_MAX_FRAGMENTS,
        }
    }
}
