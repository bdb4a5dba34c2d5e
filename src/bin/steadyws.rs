//! The `steadyws` command line (`steadyws serve`: the dev server). All logic
//! lives in the library (`steadyws::native::cli`), so subcommands are added
//! there.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(steadyws::native::cli::run(&args));
}

// The crate is also built for wasm32 (the browser SDK); the binary is
// native-only and does nothing there.
#[cfg(target_arch = "wasm32")]
fn main() {}
