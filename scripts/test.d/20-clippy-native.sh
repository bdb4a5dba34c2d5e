cargo clippy --all-targets -- -D warnings
