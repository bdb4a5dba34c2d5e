//! Native (not wasm32) side: a blocking `std::net` client transport, the
//! dev/test server, and the native driver of the session machine.
