//! The `steadyws` command line. `src/bin/steadyws.rs` only calls [`run`].
//!
//! Subcommands are dispatched by [`run`]; a new one (e.g. `connect`) adds a
//! match arm and its own parsing function next to [`serve`].

use std::io::Write;
use std::path::PathBuf;

use super::server::{Server, ServerConfig};

/// Usage text of every subcommand.
pub const USAGE: &str = "\
usage:
  steadyws serve [--host 127.0.0.1] [--port 8080] [--root DIR] [--no-deflate]
      dev server: static files from DIR, WebSocket test endpoints
      (/echo /chat /silent /drop /close /flap /refuse /stall),
      /stats and /control (see the steadyws::native::server docs);
      accepts permessage-deflate unless --no-deflate
  steadyws connect URL [options]
      client with heartbeat and reconnection (`steadyws connect --help`)";

/// Why the arguments were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgError {
    MissingCommand,
    UnknownCommand(String),
    UnknownFlag(String),
    MissingValue(String),
    InvalidValue { flag: String, value: String },
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgError::MissingCommand => f.write_str("missing command"),
            ArgError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            ArgError::UnknownFlag(x) => write!(f, "unknown flag {x:?}"),
            ArgError::MissingValue(x) => write!(f, "{x} needs a value"),
            ArgError::InvalidValue { flag, value } => write!(f, "invalid {flag} {value:?}"),
        }
    }
}

impl std::error::Error for ArgError {}

/// Options of `steadyws serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeArgs {
    pub host: String,
    pub port: u16,
    pub root: PathBuf,
    /// Accept permessage-deflate (`--no-deflate` turns it off).
    pub deflate: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            host: "127.0.0.1".into(),
            port: 8080,
            root: PathBuf::from("."),
            deflate: true,
        }
    }
}

/// Splits `--flag value` and `--flag=value` pairs.
pub fn flag_pairs(args: &[String]) -> Result<Vec<(String, String)>, ArgError> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if !arg.starts_with("--") {
            return Err(ArgError::UnknownFlag(arg.clone()));
        }
        if let Some((k, v)) = arg.split_once('=') {
            out.push((k.to_owned(), v.to_owned()));
        } else {
            let v = it
                .next()
                .ok_or_else(|| ArgError::MissingValue(arg.clone()))?;
            out.push((arg.clone(), v.clone()));
        }
    }
    Ok(out)
}

/// Parses the options of `serve`.
pub fn parse_serve(args: &[String]) -> Result<ServeArgs, ArgError> {
    let mut out = ServeArgs::default();
    // The one flag without a value.
    let args: Vec<String> = args
        .iter()
        .filter(|a| {
            let off = *a == "--no-deflate";
            out.deflate &= !off;
            !off
        })
        .cloned()
        .collect();
    for (flag, value) in flag_pairs(&args)? {
        match flag.as_str() {
            "--host" => out.host = value,
            "--port" => {
                out.port = value.parse().map_err(|_| ArgError::InvalidValue {
                    flag: flag.clone(),
                    value: value.clone(),
                })?
            }
            "--root" => out.root = PathBuf::from(value),
            _ => return Err(ArgError::UnknownFlag(flag)),
        }
    }
    Ok(out)
}

/// Runs `steadyws serve`: prints `listening on ws://HOST:PORT` once bound,
/// then serves until killed.
pub fn serve(args: &ServeArgs) -> i32 {
    let host = if args.host.contains(':') && !args.host.starts_with('[') {
        format!("[{}]", args.host)
    } else {
        args.host.clone()
    };
    let config = ServerConfig {
        root: Some(args.root.clone()),
        ..ServerConfig::default()
    };
    #[cfg(feature = "deflate")]
    let config = ServerConfig {
        deflate: config.deflate.filter(|_| args.deflate),
        ..config
    };
    let server = match Server::bind(format!("{host}:{}", args.port), config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("steadyws: cannot listen on {host}:{}: {e}", args.port);
            return 1;
        }
    };
    let addr = match server.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("steadyws: {e}");
            return 1;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on ws://{addr}");
    let _ = writeln!(out, "demo page: http://{addr}/");
    let _ = out.flush();
    drop(out);
    match server.run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("steadyws: {e}");
            1
        }
    }
}

/// Entry point of the binary: `args` without the program name. Returns the
/// process exit code.
pub fn run(args: &[String]) -> i32 {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return 2;
    };
    let result = match command.as_str() {
        "serve" => parse_serve(rest).map(|a| serve(&a)),
        "connect" if rest.iter().any(|a| a == "--help" || a == "-h") => {
            println!("usage:\n{}", super::driver::ConnectArgs::USAGE);
            return 0;
        }
        "connect" => {
            return match super::driver::parse_connect(rest) {
                Ok(a) => super::driver::run(
                    a,
                    std::io::BufReader::new(std::io::stdin()),
                    std::io::stdout(),
                ),
                Err(e) => {
                    eprintln!("steadyws: {e}\n{USAGE}");
                    2
                }
            }
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            return 0;
        }
        other => Err(ArgError::UnknownCommand(other.to_owned())),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("steadyws: {e}\n{USAGE}");
            2
        }
    }
}
