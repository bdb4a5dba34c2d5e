//! The `steadyws` command line: `steadyws serve` (the dev server).
//!
//! FOUNDATION VERSION: static files only. The dev server with its WebSocket
//! endpoints replaces this (owned by the codec/native work).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native_main::run(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native_main {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::path::{Path, PathBuf};

    pub fn run(args: Vec<String>) -> i32 {
        let mut it = args.into_iter();
        match it.next().as_deref() {
            Some("serve") => {}
            _ => {
                eprintln!("usage: steadyws serve [--host 127.0.0.1] [--port 8080] [--root DIR]");
                return 2;
            }
        }
        let (mut host, mut port, mut root) =
            ("127.0.0.1".to_string(), "8080".to_string(), ".".to_string());
        while let Some(flag) = it.next() {
            let Some(value) = it.next() else {
                eprintln!("steadyws: {flag} needs a value");
                return 2;
            };
            match flag.as_str() {
                "--host" => host = value,
                "--port" => port = value,
                "--root" => root = value,
                _ => {
                    eprintln!("steadyws: unknown flag {flag}");
                    return 2;
                }
            }
        }
        let listener = match TcpListener::bind(format!("{host}:{port}")) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("steadyws: cannot listen on {host}:{port}: {e}");
                return 1;
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("steadyws: {e}");
                return 1;
            }
        };
        println!("listening on ws://{addr}");
        println!("demo page: http://{addr}/");
        let root = PathBuf::from(root);
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || serve_file(stream, &root));
        }
        0
    }

    fn serve_file(mut stream: TcpStream, root: &Path) {
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line).is_err() {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split('?').next().unwrap_or("/");
        let rel = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        let resp = if rel.split('/').any(|seg| seg == "..") {
            None
        } else {
            std::fs::read(root.join(rel.trim_start_matches('/'))).ok()
        };
        let _ = match resp {
            Some(body) => {
                let ctype = match rel.rsplit('.').next() {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js" | "mjs") => "text/javascript",
                    Some("wasm") => "application/wasm",
                    Some("css") => "text/css",
                    Some("json") => "application/json",
                    _ => "application/octet-stream",
                };
                write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                    .and_then(|_| stream.write_all(&body))
            }
            None => stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            ),
        };
    }
}
