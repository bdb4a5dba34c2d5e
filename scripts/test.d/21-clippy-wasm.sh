set -euo pipefail
cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
# The crate as the npm module (npm/) builds it (no_std, its own allocator
# and panic handler): the artifact we ship; then npm/ itself.
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --features small-alloc,panic-handler -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p steadyws-npm -- -D warnings
