//! `/rpc`: a request/response endpoint for `request()`.
//!
//! A text message `{"id", "op", ...}` is a request: `op: "add"` is answered
//! with `{"id", "result": a + b}` after its own `delay` ms (so replies come
//! out of order), `op: "never"` is never answered, `op: "drop"` drops the
//! TCP connection. Text `ping` gets `pong`; anything else is echoed. Every
//! request id received is logged per `?client=`, in order, for
//! `GET /rpc/log?client=ID` (`{"ids": [...]}`): what actually reached the
//! server (a test proves that an aborted queued request was never sent).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::registry::Conn;
use crate::message::Message;

/// Request ids received, per client.
#[derive(Debug, Default)]
pub struct Log(Mutex<HashMap<String, Vec<Value>>>);

impl Log {
    fn push(&self, client: &str, id: Value) {
        if let Ok(mut log) = self.0.lock() {
            log.entry(client.to_owned()).or_default().push(id);
        }
    }

    /// `GET /rpc/log?client=ID`.
    pub(crate) fn json(&self, client: &str) -> Value {
        let ids = self
            .0
            .lock()
            .ok()
            .and_then(|log| log.get(client).cloned())
            .unwrap_or_default();
        json!({ "client": client, "ids": ids })
    }
}

/// Handles one message of an `/rpc` connection; false when the connection
/// must end now (a failed write, `op: "drop"`).
pub(crate) fn handle(conn: &Arc<Conn>, msg: Message, log: &Log) -> bool {
    let send = |c: &Conn, m: &Message| c.send_with(|w| w.send(m)).is_ok();
    let req = match &msg {
        Message::Text(t) if t == "ping" => return send(conn, &Message::Text("pong".into())),
        Message::Text(t) => serde_json::from_str::<Value>(t).ok(),
        Message::Binary(_) => None,
    };
    let Some((id, op)) = req
        .as_ref()
        .and_then(|r| Some((r.get("id")?, r.get("op")?.as_str()?)))
    else {
        return send(conn, &msg);
    };
    log.push(&conn.client, id.clone());
    let num = |k: &str| req.as_ref().and_then(|r| r.get(k)).and_then(Value::as_f64);
    let reply = match op {
        "never" => return true,
        "drop" => {
            conn.drop_tcp();
            return false;
        }
        "add" => json!({ "id": id, "result": num("a").unwrap_or(0.0) + num("b").unwrap_or(0.0) }),
        _ => json!({ "id": id, "error": format!("unknown op {op:?}") }),
    };
    let reply = Message::Text(reply.to_string());
    match num("delay").filter(|d| *d >= 1.0) {
        None => send(conn, &reply),
        Some(delay) => {
            let conn = Arc::clone(conn);
            let delay = Duration::from_millis(delay.min(60_000.0) as u64);
            // A write after the connection ended fails and is dropped.
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                if conn.close_sent_at().is_none() {
                    let _ = conn.send_with(|w| w.send(&reply));
                }
            });
            true
        }
    }
}
