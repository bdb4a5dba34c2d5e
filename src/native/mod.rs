//! Native client transport and dev/test server (not wasm32).
