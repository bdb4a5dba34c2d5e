cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
