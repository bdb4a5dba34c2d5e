//! Panic reports to the facade: `onPanic(report)` stores `report`, and a
//! panic calls `report(file, line)` with its location before the module
//! traps, so it is never silent (the facade turns it into an `error` event
//! with code `'PANIC'` on every live socket).
//!
//! * With `std` (Rust users, the browser tests): a panic hook does it, then
//!   std's handler aborts (`panic = "abort"`: a trap).
//! * Without `std` (the npm build, feature `panic-handler`): the crate's own
//!   `#[panic_handler]` does it, then traps. It reads the location only
//!   (a `&str` and a `u32`), never the message: nothing ever writes the
//!   `fmt::Arguments` a panic builds, so the optimizer can leave
//!   `core::fmt` and the panic messages out of the module.
//!
//! The reporter is taken out of its slot while it runs: a panic inside it
//! (in wasm code the JS reporter called back into) finds no reporter and
//! only traps, so reports never loop.

use core::cell::Cell;

use js_sys::Function;

/// Calls the reporter in `slot`, if any, with `location`.
#[cfg(any(
    feature = "std",
    all(feature = "panic-handler", not(target_feature = "atomics"))
))]
fn report(slot: &Cell<Option<Function>>, location: Option<&core::panic::Location<'_>>) {
    use wasm_bindgen::JsValue;

    let (file, line) = location.map_or(("", 0), |l| (l.file(), l.line()));
    let reporter = slot.take();
    if let Some(f) = &reporter {
        let _ = f.call2(&JsValue::NULL, &JsValue::from_str(file), &line.into());
    }
    slot.set(reporter);
}

#[cfg(feature = "std")]
std::thread_local! {
    static REPORTER: Cell<Option<Function>> = const { Cell::new(None) };
}

/// Stores `reporter` and installs the hook that calls it.
#[cfg(feature = "std")]
pub(crate) fn set_reporter(reporter: Function) {
    let _ = REPORTER.try_with(|r| r.set(Some(reporter)));
    std::panic::set_hook(alloc::boxed::Box::new(|info| {
        let _ = REPORTER.try_with(|r| report(r, info.location()));
    }));
}

/// The reporter's slot without std's `thread_local!`.
#[cfg(all(not(feature = "std"), not(target_feature = "atomics")))]
struct Slot(Cell<Option<Function>>);

// SAFETY: without the `atomics` target feature wasm32 has exactly one
// thread (no shared memory, no way to start another), so the slot is never
// reached from two threads; and a `Function` is a handle into that one
// thread's JS heap, where it stays. With `atomics` this impl (and the
// static) do not exist.
#[cfg(all(not(feature = "std"), not(target_feature = "atomics")))]
unsafe impl Sync for Slot {}

#[cfg(all(not(feature = "std"), not(target_feature = "atomics")))]
static REPORTER: Slot = Slot(Cell::new(None));

/// Stores `reporter` for the panic handler (which only the npm build,
/// feature `panic-handler`, has; a Rust app's own handler ignores it).
#[cfg(not(feature = "std"))]
pub(crate) fn set_reporter(reporter: Function) {
    #[cfg(not(target_feature = "atomics"))]
    REPORTER.0.set(Some(reporter));
    // With threads there is no sound static slot for a JS value: no report.
    #[cfg(target_feature = "atomics")]
    drop(reporter);
}

/// The npm module's panic handler: report, then trap.
#[cfg(all(
    feature = "panic-handler",
    not(feature = "std"),
    not(target_feature = "atomics")
))]
#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    report(&REPORTER.0, info.location());
    core::arch::wasm32::unreachable()
}
