//! The `steadyws` command line. `src/bin/steadyws.rs` only calls [`run`].
//!
//! One argument parser serves every subcommand: a subcommand is a table of
//! [`Flag`]s ([`SERVE_FLAGS`], [`CONNECT_FLAGS`]), [`parse`] turns the
//! arguments into positionals and flag values by that table, and [`help`]
//! prints the same table with each flag's default, read from the defaults
//! themselves. A new subcommand adds a table, a `parse_*` function that
//! applies the values, and a match arm in [`run`].
//!
//! Syntax, for every subcommand: `--name value`, `--name=value`, `-x value`,
//! `-xvalue`, switches without a value (`--json`, `-k`), `--` ends the
//! flags; a flag given twice keeps the last value unless it is repeatable
//! (`--header`, `--protocol`); `-h`/`--help` anywhere prints the help.

use std::io::Write;
use std::path::PathBuf;

use super::driver::ConnectArgs;
use super::headers::{self, HeaderError};
use super::server::{Server, ServerConfig};
use crate::message::Message;
use crate::session::{Ack, ConfigError, HeartbeatConfig, InitConfig, QueueConfig, ReconnectConfig};

/// One flag of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// `--long`, without the dashes.
    pub long: &'static str,
    /// `-s`, if any.
    pub short: Option<char>,
    /// The value's placeholder in the help (`MS`, `FILE`); `None`: a switch.
    pub value: Option<&'static str>,
    /// May be given more than once, each value kept.
    pub repeat: bool,
    /// One line for `--help`.
    pub help: &'static str,
}

const fn switch(long: &'static str, short: Option<char>, help: &'static str) -> Flag {
    Flag {
        long,
        short,
        value: None,
        repeat: false,
        help,
    }
}

const fn valued(long: &'static str, value: &'static str, help: &'static str) -> Flag {
    Flag {
        long,
        short: None,
        value: Some(value),
        repeat: false,
        help,
    }
}

const HELP: Flag = switch("help", Some('h'), "print this help");

/// The flags of `steadyws serve`.
pub const SERVE_FLAGS: &[Flag] = &[
    valued("host", "ADDR", "address to listen on"),
    valued("port", "PORT", "port to listen on (0: any free port)"),
    valued(
        "root",
        "DIR",
        "directory of the static files (the demo page)",
    ),
    valued(
        "tls-cert",
        "FILE",
        "serve TLS (wss://, https://) with this PEM certificate chain, leaf first; needs --tls-key",
    ),
    valued("tls-key", "FILE", "the PEM private key of --tls-cert"),
    switch(
        "no-deflate",
        None,
        "do not accept permessage-deflate (it is accepted by default)",
    ),
    HELP,
];

/// The flags of `steadyws connect`.
pub const CONNECT_FLAGS: &[Flag] = &[
    switch(
        "json",
        None,
        "print one JSON object per event instead of readable lines",
    ),
    Flag {
        long: "header",
        short: Some('H'),
        value: Some("'NAME: VALUE'"),
        repeat: true,
        help: "add a request header (Authorization, Cookie, ...); repeatable. \
               Not Host, Upgrade, Connection, Sec-WebSocket-*, Origin, Content-Length, \
               Transfer-Encoding",
    },
    valued("origin", "URL", "send this Origin header"),
    Flag {
        long: "protocol",
        short: None,
        value: Some("NAME"),
        repeat: true,
        help: "offer this subprotocol; repeatable, in order of preference",
    },
    valued(
        "cacert",
        "FILE",
        "wss://: trust only the CA certificates of this PEM file",
    ),
    switch(
        "insecure",
        Some('k'),
        "wss://: do not verify the server's certificate (says so on stderr)",
    ),
    switch(
        "no-deflate",
        None,
        "do not offer permessage-deflate (offered by default)",
    ),
    valued("duration", "MS", "close after MS milliseconds"),
    valued(
        "connect-timeout",
        "MS",
        "a connection attempt may take this long (0: no limit)",
    ),
    valued(
        "close-timeout",
        "MS",
        "wait this long for the closing handshake",
    ),
    valued(
        "heartbeat-interval",
        "MS",
        "send a ping after this much silence",
    ),
    valued(
        "heartbeat-timeout",
        "MS",
        "after a ping, reconnect when nothing arrives for this long",
    ),
    valued("ping", "TEXT", "the ping message"),
    valued(
        "pong",
        "TEXT",
        "text replies equal to this are pongs (not printed as messages)",
    ),
    switch("no-heartbeat", None, "no heartbeat (no ping, no pong)"),
    valued("min-delay", "MS", "first reconnect delay"),
    valued("max-delay", "MS", "longest reconnect delay"),
    valued("factor", "F", "backoff factor between attempts"),
    valued("jitter", "J", "random share of each delay, 0 to 1"),
    valued(
        "max-retries",
        "N",
        "give up after N failed attempts in a row",
    ),
    valued(
        "stable-after",
        "MS",
        "a connection open this long resets the backoff",
    ),
    switch("no-reconnect", None, "never reconnect"),
    valued(
        "queue-messages",
        "N",
        "most messages queued while not connected",
    ),
    valued("queue-bytes", "N", "most bytes queued while not connected"),
    valued(
        "init",
        "TEXT",
        "send this text message first on every connection, before anything queued",
    ),
    valued(
        "ack",
        "TEXT",
        "with --init: the connection opens (and the queue flushes) only once this text arrives",
    ),
    valued(
        "init-timeout",
        "MS",
        "with --ack: give the connection up when no ack arrived this long after the open",
    ),
    valued(
        "rpc-id",
        "FIELD",
        "an input line ?{...} is a request: FIELD carries its id (set if absent); \
         its reply (the message with that FIELD) or its failure prints as a reply event",
    ),
    valued(
        "request-timeout",
        "MS",
        "a request fails with REQUEST_TIMEOUT after this long",
    ),
    HELP,
];

/// Usage of every subcommand, in one screen.
pub const USAGE: &str = "\
usage:
  steadyws serve [--host 127.0.0.1] [--port 8080] [--root DIR] [--tls-cert FILE --tls-key FILE] [--no-deflate]
      dev server: static files from DIR, WebSocket test endpoints
      (/echo /chat /silent /drop /close /flap /refuse /stall /babble /rpc),
      /stats and /control (see the steadyws::native::server docs);
      accepts permessage-deflate unless --no-deflate
  steadyws connect URL [options]
      ws:// or wss:// client with heartbeat and reconnection
  steadyws COMMAND --help   every option of COMMAND, with its default";

/// Why the arguments were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgError {
    /// No subcommand (`serve`, `connect`).
    MissingCommand,
    /// A subcommand that does not exist.
    UnknownCommand(String),
    /// A flag the subcommand does not take.
    UnknownFlag(String),
    /// A flag that takes a value was given none.
    MissingValue(String),
    /// A value the flag cannot take.
    InvalidValue {
        /// The flag, with its dashes.
        flag: String,
        /// What was given.
        value: String,
    },
    /// A switch was given a value (`--json=yes`).
    UnexpectedValue(String),
    /// A positional argument is missing (e.g. `URL`).
    MissingArgument(&'static str),
    /// A positional argument the command does not take.
    UnexpectedArgument(String),
    /// `flag` only works together with `needs`.
    Requires {
        /// The flag given.
        flag: &'static str,
        /// The flag it needs.
        needs: &'static str,
    },
    /// A `--header` breaks the rules of [`headers`].
    Header(HeaderError),
    /// The options parse but do not make a valid session configuration.
    Config(ConfigError),
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgError::MissingCommand => f.write_str("missing command"),
            ArgError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            ArgError::UnknownFlag(x) => write!(f, "unknown flag {x:?}"),
            ArgError::MissingValue(x) => write!(f, "{x} needs a value"),
            ArgError::InvalidValue { flag, value } => write!(f, "invalid {flag} {value:?}"),
            ArgError::UnexpectedValue(x) => write!(f, "{x} takes no value"),
            ArgError::MissingArgument(what) => write!(f, "missing {what}"),
            ArgError::UnexpectedArgument(x) => write!(f, "unexpected argument {x:?}"),
            ArgError::Requires { flag, needs } => write!(f, "--{flag} needs --{needs}"),
            ArgError::Header(e) => write!(f, "invalid --header: {e}"),
            ArgError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ArgError {}

/// What [`parse`] found, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// The arguments that are not flags, in order.
    pub positional: Vec<String>,
    /// Each flag as (`long` name, value); switches have an empty value.
    pub flags: Vec<(&'static str, String)>,
    /// `-h` or `--help` was given (parsing stopped there).
    pub help: bool,
}

/// Splits `args` by the table `flags` (see the module docs for the syntax).
pub fn parse(flags: &'static [Flag], args: &[String]) -> Result<Parsed, ArgError> {
    let mut out = Parsed::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--" {
            out.positional.extend(it.by_ref().cloned());
            break;
        }
        let (flag, inline) = if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let flag = flags
                .iter()
                .find(|f| f.long == name)
                .ok_or_else(|| ArgError::UnknownFlag(format!("--{name}")))?;
            (flag, inline)
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let c = chars.next().unwrap_or_default();
            let rest = chars.as_str();
            let flag = flags
                .iter()
                .find(|f| f.short == Some(c))
                .ok_or_else(|| ArgError::UnknownFlag(format!("-{c}")))?;
            (flag, (!rest.is_empty()).then(|| rest.to_owned()))
        } else {
            out.positional.push(arg.clone());
            continue;
        };
        if flag.long == HELP.long {
            out.help = true;
            return Ok(out);
        }
        let value = match (flag.value, inline) {
            (None, None) => String::new(),
            (None, Some(_)) => return Err(ArgError::UnexpectedValue(spelled(arg))),
            (Some(_), Some(v)) => v,
            (Some(_), None) => it
                .next()
                .cloned()
                .ok_or_else(|| ArgError::MissingValue(spelled(arg)))?,
        };
        out.flags.push((flag.long, value));
    }
    Ok(out)
}

/// The flag as the user wrote it, without any `=value`.
fn spelled(arg: &str) -> String {
    match arg.split_once('=') {
        Some((f, _)) if arg.starts_with("--") => f.to_owned(),
        _ if !arg.starts_with("--") => arg.chars().take(2).collect(),
        _ => arg.to_owned(),
    }
}

/// The help of a subcommand: `usage` and `about`, then every flag of the
/// table with its default as `default_of(long)` gives it.
pub fn help(
    usage: &str,
    about: &str,
    flags: &[Flag],
    default_of: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = format!("usage: {usage}\n\n");
    wrap(&mut out, "", about, 0, HELP_WIDTH);
    out.push_str("\noptions:\n");
    let left: Vec<String> = flags
        .iter()
        .map(|f| {
            let short = f.short.map_or("    ".to_owned(), |c| format!("-{c}, "));
            let value = f.value.map_or(String::new(), |v| format!(" {v}"));
            format!("  {short}--{}{value}", f.long)
        })
        .collect();
    let width = left.iter().map(String::len).max().unwrap_or(0) + 2;
    // The text column wraps at 80 columns (never narrower than 30).
    let room = HELP_WIDTH.saturating_sub(width).max(30);
    for (flag, left) in flags.iter().zip(left) {
        let mut text = flag.help.to_owned();
        if let Some(d) = default_of(flag.long) {
            text.push_str(&format!(" [default: {d}]"));
        }
        wrap(&mut out, &format!("{left:width$}"), &text, width, room);
    }
    out
}

/// Appends `text` after `first` (already `indent` wide), wrapped into
/// lines of at most `room` characters, continuation lines indented.
fn wrap(out: &mut String, first: &str, text: &str, indent: usize, room: usize) {
    let mut line = first.to_owned();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if used > 0 && used + 1 + word.len() > room {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            used = 0;
        } else if used > 0 {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += word.len();
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

const HELP_WIDTH: usize = 80;

/// Options of `steadyws serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeArgs {
    /// `--host`: the address to listen on.
    pub host: String,
    /// `--port` (0: any free port).
    pub port: u16,
    /// `--root`: the directory of the static files.
    pub root: PathBuf,
    /// PEM certificate chain and key: serve TLS only.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Accept permessage-deflate (`--no-deflate` turns it off).
    pub deflate: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            host: "127.0.0.1".into(),
            port: 8080,
            root: PathBuf::from("."),
            tls_cert: None,
            tls_key: None,
            deflate: true,
        }
    }
}

fn invalid(flag: &str, value: &str) -> ArgError {
    ArgError::InvalidValue {
        flag: format!("--{flag}"),
        value: value.to_owned(),
    }
}

fn no_positional(parsed: &Parsed) -> Result<(), ArgError> {
    match parsed.positional.first() {
        Some(extra) => Err(ArgError::UnexpectedArgument(extra.clone())),
        None => Ok(()),
    }
}

/// Parses the options of `serve` (`--help` is [`run`]'s business).
pub fn parse_serve(args: &[String]) -> Result<ServeArgs, ArgError> {
    serve_args(parse(SERVE_FLAGS, args)?)
}

/// Applies what [`parse`] found in `serve`'s arguments.
fn serve_args(parsed: Parsed) -> Result<ServeArgs, ArgError> {
    no_positional(&parsed)?;
    let mut out = ServeArgs::default();
    for (flag, value) in parsed.flags {
        match flag {
            "host" => out.host = value,
            "port" => out.port = value.parse().map_err(|_| invalid(flag, &value))?,
            "root" => out.root = PathBuf::from(value),
            "tls-cert" => out.tls_cert = Some(PathBuf::from(value)),
            "tls-key" => out.tls_key = Some(PathBuf::from(value)),
            "no-deflate" => out.deflate = false,
            _ => return Err(ArgError::UnknownFlag(format!("--{flag}"))),
        }
    }
    match (&out.tls_cert, &out.tls_key) {
        (Some(_), None) => Err(ArgError::Requires {
            flag: "tls-cert",
            needs: "tls-key",
        }),
        (None, Some(_)) => Err(ArgError::Requires {
            flag: "tls-key",
            needs: "tls-cert",
        }),
        _ => Ok(out),
    }
}

fn serve_default(flag: &str) -> Option<String> {
    let d = ServeArgs::default();
    Some(match flag {
        "host" => d.host,
        "port" => d.port.to_string(),
        "root" => d.root.display().to_string(),
        "tls-cert" => "none (plain TCP)".into(),
        _ => return None,
    })
}

/// The help of `steadyws serve`.
pub fn serve_help() -> String {
    help(
        "steadyws serve [options]",
        "dev server: static files, WebSocket test endpoints (/echo /chat /silent /drop \
         /close /flap /refuse /stall), /stats and /control",
        SERVE_FLAGS,
        serve_default,
    )
}

/// Parses `connect`'s arguments (after the word `connect`; `--help` is
/// [`run`]'s business).
pub fn parse_connect(args: &[String]) -> Result<ConnectArgs, ArgError> {
    connect_args(parse(CONNECT_FLAGS, args)?)
}

/// Applies what [`parse`] found in `connect`'s arguments.
fn connect_args(parsed: Parsed) -> Result<ConnectArgs, ArgError> {
    let mut positional = parsed.positional.into_iter();
    let url = positional.next().ok_or(ArgError::MissingArgument("URL"))?;
    if let Some(extra) = positional.next() {
        return Err(ArgError::UnexpectedArgument(extra));
    }
    let mut out = ConnectArgs::new(url);
    let mut heartbeat = true;
    let mut reconnect = true;
    let (mut init, mut ack, mut init_timeout) = (None, None, None);
    for (flag, value) in parsed.flags {
        let value = value.as_str();
        let bad = || invalid(flag, value);
        let ms = || value.parse::<u64>().map_err(|_| bad());
        let count = || value.parse::<usize>().map_err(|_| bad());
        let float = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(bad)
        };
        let config = &mut out.config;
        fn hb(c: &mut crate::session::Config<Message>) -> &mut HeartbeatConfig<Message> {
            c.heartbeat
                .get_or_insert_with(|| HeartbeatConfig::new(Message::Text("ping".into())))
        }
        fn rc(c: &mut crate::session::Config<Message>) -> &mut ReconnectConfig {
            c.reconnect.get_or_insert_with(ReconnectConfig::default)
        }
        fn q(c: &mut crate::session::Config<Message>) -> &mut QueueConfig {
            c.queue.get_or_insert_with(QueueConfig::default)
        }
        match flag {
            "json" => out.json = true,
            "header" => out
                .headers
                .push(headers::parse(value).map_err(ArgError::Header)?),
            "origin" if headers::is_header_value(value) && !value.is_empty() => {
                out.origin = Some(value.to_owned())
            }
            "protocol" if headers::is_token(value) => out.protocols.push(value.to_owned()),
            "origin" | "protocol" => return Err(bad()),
            "cacert" => out.cacert = Some(PathBuf::from(value)),
            "insecure" => out.insecure = true,
            "no-deflate" => out.deflate = false,
            "duration" => out.duration = Some(ms()?),
            "pong" => out.pong = Some(value.to_owned()),
            "ping" => hb(config).ping = Message::Text(value.to_owned()),
            "no-heartbeat" => heartbeat = false,
            "heartbeat-interval" => hb(config).interval = ms()?,
            "heartbeat-timeout" => hb(config).timeout = ms()?,
            "connect-timeout" => config.connect_timeout = ms()?,
            "close-timeout" => config.close_timeout = ms()?,
            "min-delay" => rc(config).min_delay = ms()?,
            "max-delay" => rc(config).max_delay = ms()?,
            "factor" => rc(config).factor = float()?,
            "jitter" => rc(config).jitter = float()?,
            "max-retries" => rc(config).max_retries = Some(value.parse().map_err(|_| bad())?),
            "stable-after" => rc(config).stable_after = ms()?,
            "no-reconnect" => reconnect = false,
            "queue-messages" => q(config).max_messages = count()?,
            "queue-bytes" => q(config).max_bytes = count()?,
            "init" => init = Some(value.to_owned()),
            "ack" => ack = Some(value.to_owned()),
            "init-timeout" => init_timeout = Some(ms()?),
            "rpc-id" if !value.is_empty() => out.rpc_id = value.to_owned(),
            "rpc-id" => return Err(bad()),
            "request-timeout" => config.request_timeout = ms()?,
            _ => return Err(ArgError::UnknownFlag(format!("--{flag}"))),
        }
    }
    if !heartbeat {
        out.config.heartbeat = None;
        out.pong = None;
    }
    if !reconnect {
        out.config.reconnect = None;
    }
    match init {
        Some(text) => {
            out.init = vec![Message::Text(text)];
            let mut i = InitConfig::new();
            if let Some(ack) = ack {
                i.ack = Ack::Equals(Message::Text(ack));
            }
            if let Some(ms) = init_timeout {
                i.timeout = ms;
            }
            out.config.init = Some(i);
        }
        None if ack.is_some() => return Err(invalid("ack", "(needs --init)")),
        None => {}
    }
    out.config.validate().map_err(ArgError::Config)?;
    Ok(out)
}

fn connect_default(flag: &str) -> Option<String> {
    let d = ConnectArgs::new("");
    let c = &d.config;
    let hb = c.heartbeat.as_ref();
    let rc = c.reconnect.as_ref();
    let q = c.queue.as_ref();
    let text = |m: &Message| match m {
        Message::Text(t) => t.clone(),
        Message::Binary(b) => format!("{} bytes", b.len()),
    };
    Some(match flag {
        "header" | "protocol" => "none".into(),
        "origin" => "none (no Origin header)".into(),
        "cacert" => "the built-in Mozilla roots (webpki-roots)".into(),
        "duration" => d
            .duration
            .map_or("until the input ends".into(), |ms| ms.to_string()),
        "connect-timeout" => c.connect_timeout.to_string(),
        "close-timeout" => c.close_timeout.to_string(),
        "heartbeat-interval" => hb?.interval.to_string(),
        "heartbeat-timeout" => hb?.timeout.to_string(),
        "ping" => text(&hb?.ping),
        "pong" => d.pong?,
        "min-delay" => rc?.min_delay.to_string(),
        "max-delay" => rc?.max_delay.to_string(),
        "factor" => rc?.factor.to_string(),
        "jitter" => rc?.jitter.to_string(),
        "max-retries" => rc?
            .max_retries
            .map_or("unlimited".into(), |n| n.to_string()),
        "stable-after" => rc?.stable_after.to_string(),
        "queue-messages" => q?.max_messages.to_string(),
        "queue-bytes" => q?.max_bytes.to_string(),
        "init" => "none".into(),
        "ack" => "none (open as soon as the init is sent)".into(),
        "init-timeout" => crate::session::DEFAULT_INIT_TIMEOUT.to_string(),
        "rpc-id" => d.rpc_id,
        "request-timeout" => c.request_timeout.to_string(),
        _ => return None,
    })
}

/// The help of `steadyws connect`.
pub fn connect_help() -> String {
    help(
        "steadyws connect URL [options]",
        "ws:// or wss:// client with heartbeat and reconnection: sends each input line as a \
         text message, prints every event (--json: one JSON object per line); closes when the \
         input ends or after --duration",
        CONNECT_FLAGS,
        connect_default,
    )
}

/// Runs `steadyws serve`: prints `listening on ws://HOST:PORT` (`wss://`
/// with TLS) once bound, then serves until killed.
pub fn serve(args: &ServeArgs) -> i32 {
    let host = if args.host.contains(':') && !args.host.starts_with('[') {
        format!("[{}]", args.host)
    } else {
        args.host.clone()
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match super::tls::server_config(cert, key) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("steadyws: cannot serve TLS: {e}");
                return 2;
            }
        },
        _ => None,
    };
    let (ws, http) = if tls.is_some() {
        ("wss", "https")
    } else {
        ("ws", "http")
    };
    let config = ServerConfig {
        root: Some(args.root.clone()),
        tls,
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
    let _ = writeln!(out, "listening on {ws}://{addr}");
    let _ = writeln!(out, "demo page: {http}://{addr}/");
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
    let (flags, help_text): (&'static [Flag], fn() -> String) = match command.as_str() {
        "serve" => (SERVE_FLAGS, serve_help),
        "connect" => (CONNECT_FLAGS, connect_help),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            return 0;
        }
        other => {
            eprintln!(
                "steadyws: {}\n{USAGE}",
                ArgError::UnknownCommand(other.to_owned())
            );
            return 2;
        }
    };
    let fail = |e: ArgError| {
        eprintln!("steadyws {command}: {e}\n(steadyws {command} --help lists every option)");
        2
    };
    let parsed = match parse(flags, rest) {
        Ok(p) if p.help => {
            print!("{}", help_text());
            return 0;
        }
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    match command.as_str() {
        "serve" => match serve_args(parsed) {
            Ok(a) => serve(&a),
            Err(e) => fail(e),
        },
        _ => match connect_args(parsed) {
            Ok(a) => super::driver::run(
                a,
                std::io::BufReader::new(std::io::stdin()),
                std::io::stdout(),
            ),
            Err(e) => fail(e),
        },
    }
}
