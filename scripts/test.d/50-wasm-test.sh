source scripts/env.sh
# Browser tests (tests/wasm*.rs) run in headless Chromium through
# wasm-bindgen-test-runner (the runner is set in .cargo/config.toml).
cargo test --target wasm32-unknown-unknown
