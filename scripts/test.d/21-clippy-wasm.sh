set -euo pipefail
cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
# The npm module as scripts/build.sh builds it (no_std, its own allocator
# and panic handler): the artifact we ship.
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --features small-alloc,panic-handler -- -D warnings
