//! RFC 6455 codec (owned by the codec work; see ARCHITECTURE.md).
