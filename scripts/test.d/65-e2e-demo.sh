# The demo page end to end in headless Chromium (after 40-build): heartbeat
# timeout and recovery, queued chat across an outage, screenshots in
# target/screenshots/.
node tests/e2e/demo.mjs
