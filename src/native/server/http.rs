//! The plain-HTTP side of the dev server: query strings, small responses,
//! JSON with CORS, and static files.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::codec::handshake::reason_phrase;

/// Decodes `%XX` escapes and `+` (as space, form encoding). Invalid escapes
/// are kept literally; invalid UTF-8 is replaced (U+FFFD).
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_as_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `key=value` pairs of a query string, in order.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// The first value of `key` in decoded query pairs.
pub fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Writes a complete response (`Connection: close`). `head_only` leaves the
/// body out (HEAD requests) but keeps its length.
pub fn write_response(
    out: &mut impl Write,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(body)?;
    }
    out.flush()
}

/// A JSON response readable cross-origin (`/stats`, `/control`): browser
/// tests fetch these from wasm-bindgen-test-runner's own origin.
pub fn write_json(
    out: &mut impl Write,
    status: u16,
    body: &serde_json::Value,
    head_only: bool,
) -> io::Result<()> {
    write_response(
        out,
        status,
        &[
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", "*"),
            ("Cache-Control", "no-cache"),
        ],
        body.to_string().as_bytes(),
        head_only,
    )
}

/// Content type by file extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("ico") => "image/x-icon",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("ts") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Where a request path leads under `root`.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Serve this file.
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect there, so
    /// the page's relative URLs resolve.
    Redirect(String),
    /// Nothing there (404).
    NotFound,
    /// `..`, a drive prefix, a NUL or a backslash: refused (403).
    Forbidden,
}

/// Maps a URL path to a file under `root` (`index.html` for directories),
/// refusing anything that could leave `root`.
pub fn resolve(root: &Path, url_path: &str) -> Resolved {
    let decoded = percent_decode(url_path, false);
    if decoded.contains('\0') || decoded.contains('\\') {
        return Resolved::Forbidden;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    let mut path = root.to_path_buf();
    for comp in rel.components() {
        match comp {
            Component::Normal(c) => path.push(c),
            Component::CurDir => {}
            _ => return Resolved::Forbidden,
        }
    }
    // A symlink inside root may point elsewhere: compare canonical paths.
    let (Ok(canon_root), Ok(canon)) = (root.canonicalize(), path.canonicalize()) else {
        return Resolved::NotFound;
    };
    if !canon.starts_with(&canon_root) {
        return Resolved::Forbidden;
    }
    if canon.is_dir() {
        if !decoded.ends_with('/') {
            return Resolved::Redirect(format!("{url_path}/"));
        }
        let index = canon.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if canon.is_file() {
        Resolved::File(canon)
    } else {
        Resolved::NotFound
    }
}

/// Serves a GET/HEAD for a static file.
pub fn serve_static(
    out: &mut impl Write,
    root: &Path,
    url_path: &str,
    head_only: bool,
) -> io::Result<()> {
    let text = [("Content-Type", "text/plain; charset=utf-8")];
    match resolve(root, url_path) {
        Resolved::File(path) => match std::fs::read(&path) {
            Ok(body) => write_response(
                out,
                200,
                &[
                    ("Content-Type", content_type(&path)),
                    ("Cache-Control", "no-cache"),
                ],
                &body,
                head_only,
            ),
            Err(_) => write_response(out, 404, &text, b"not found\n", head_only),
        },
        Resolved::Redirect(to) => write_response(
            out,
            301,
            &[("Location", &to), ("Cache-Control", "no-cache")],
            b"",
            head_only,
        ),
        Resolved::NotFound => write_response(out, 404, &text, b"not found\n", head_only),
        Resolved::Forbidden => write_response(out, 403, &text, b"forbidden\n", head_only),
    }
}
