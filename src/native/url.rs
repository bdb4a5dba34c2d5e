//! `ws://` and `wss://` URLs, as the native client needs them.

use core::fmt;

/// A parsed `ws[s]://host[:port][/path][?query]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `wss://`: TLS, with `host` as the server name (SNI, verification).
    pub secure: bool,
    /// Host name or IP (IPv6 without brackets).
    pub host: String,
    /// The port (default 80 for `ws://`, 443 for `wss://`).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub resource: String,
    /// Whether the port was written in the URL (it then goes in `Host`).
    pub explicit_port: bool,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Neither `ws://` nor `wss://`.
    UnsupportedScheme(String),
    /// No host after the scheme.
    MissingHost,
    /// The port is not a number 1-65535.
    InvalidPort,
    /// Userinfo, a fragment, whitespace or control characters.
    Invalid,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::UnsupportedScheme(s) => {
                write!(f, "unsupported scheme {s:?} (use ws:// or wss://)")
            }
            UrlError::MissingHost => f.write_str("the URL has no host"),
            UrlError::InvalidPort => f.write_str("the URL's port is not a number 1-65535"),
            UrlError::Invalid => f.write_str("invalid URL"),
        }
    }
}

impl std::error::Error for UrlError {}

impl WsUrl {
    /// Parses a `ws://` or `wss://` URL (default ports 80 and 443; the
    /// resource defaults to `/`).
    pub fn parse(url: &str) -> Result<WsUrl, UrlError> {
        if url.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(UrlError::Invalid);
        }
        let (scheme, rest) = url.split_once("://").ok_or(UrlError::Invalid)?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "ws" => false,
            "wss" => true,
            other => return Err(UrlError::UnsupportedScheme(other.to_owned())),
        };
        if rest.contains('#') {
            return Err(UrlError::Invalid);
        }
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, resource) = rest.split_at(split);
        if authority.contains('@') {
            return Err(UrlError::Invalid);
        }
        let resource = match resource {
            "" => "/".to_owned(),
            r if r.starts_with('?') => format!("/{r}"),
            r => r.to_owned(),
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or(UrlError::Invalid)?;
            match after {
                "" => (host, None),
                p => (host, Some(p.strip_prefix(':').ok_or(UrlError::Invalid)?)),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(UrlError::MissingHost);
        }
        let (port, explicit_port) = match port {
            None => (if secure { 443 } else { 80 }, false),
            Some(p) => (
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or(UrlError::InvalidPort)?,
                true,
            ),
        };
        Ok(WsUrl {
            secure,
            host: host.to_owned(),
            port,
            resource,
            explicit_port,
        })
    }

    /// The `Host` header value.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.explicit_port {
            format!("{host}:{}", self.port)
        } else {
            host
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_default_ports() {
        let u = WsUrl::parse("wss://example.com/feed?x=1").unwrap();
        assert!(u.secure);
        assert_eq!((u.host.as_str(), u.port), ("example.com", 443));
        assert_eq!(u.resource, "/feed?x=1");
        assert_eq!(u.host_header(), "example.com");
        let u = WsUrl::parse("WS://[::1]:9000").unwrap();
        assert!(!u.secure);
        assert_eq!((u.host.as_str(), u.port), ("::1", 9000));
        assert_eq!(u.host_header(), "[::1]:9000");
        assert_eq!(WsUrl::parse("ws://h").unwrap().port, 80);
        assert_eq!(
            WsUrl::parse("https://h/"),
            Err(UrlError::UnsupportedScheme("https".into()))
        );
    }
}
