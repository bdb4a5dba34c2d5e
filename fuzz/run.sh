#!/usr/bin/env bash
# Fuzz one target (stable Rust: cargo-fuzz needs RUSTC_BOOTSTRAP for its -Z
# flags; no sanitizer, optimised, with debug assertions and overflow checks).
#   bash fuzz/run.sh <target> [seconds]      default 60 s
# Targets: frame_decoder, message_assembly, handshake_request, inflate.
# The working corpus (fuzz/corpus/<target>, not committed) starts from the
# committed seeds in fuzz/seeds/<target>. A crash lands in
# fuzz/artifacts/<target>/ and should become a regression test in tests/.
set -euo pipefail
cd "$(dirname "$0")"
target="${1:?target}"
secs="${2:-60}"
mkdir -p "corpus/$target"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s none -O -a "$target" \
  "corpus/$target" "seeds/$target" -- -max_total_time="$secs" -print_final_stats=1
