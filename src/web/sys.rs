//! The few browser bindings web-sys does not offer in the shape the driver
//! needs: calls that take a `JsValue` as is, so message data never crosses into
//! linear memory, and globals that exist in windows and workers alike.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::session::Payload;

#[wasm_bindgen]
extern "C" {
    /// The global `performance` (windows and workers alike), which a socket
    /// looks up once: reaching it
    /// through the global object on every call cost more than `now()`
    /// itself, and was half of the SDK's own time per message. (A getter
    /// rather than a `thread_local_v2` static: 150 bytes less gzip.)
    pub(crate) type Performance;

    #[wasm_bindgen(js_name = globalThis)]
    pub(crate) type Scope;

    #[wasm_bindgen(static_method_of = Scope, js_class = "globalThis", getter)]
    pub(crate) fn performance() -> Performance;

    /// `performance.now()`: monotonic.
    #[wasm_bindgen(method, js_name = now)]
    fn now_of(this: &Performance) -> f64;

    /// The global `setTimeout` (window or worker scope alike).
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &Function, ms: f64) -> f64;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: f64);

    /// A function of one argument returning a boolean, that never throws.
    type Predicate;

    #[wasm_bindgen(method, js_name = call)]
    fn call_bool(this: &Predicate, this_arg: &JsValue, v: &JsValue) -> bool;

    /// `JSON.parse` on a JS string without copying it through Rust.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    /// `JSON.stringify` of any value (`undefined` when it has no JSON form).
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    pub(crate) fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;

    /// `globalThis` (a window or a worker scope).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub(crate) static GLOBAL: web_sys::EventTarget;

    /// `document` where there is one (not in workers).
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    pub(crate) static DOCUMENT: Option<web_sys::EventTarget>;

    pub(crate) type Doc;

    #[wasm_bindgen(method, getter)]
    pub(crate) fn hidden(this: &Doc) -> bool;

    #[wasm_bindgen(method, getter)]
    pub(crate) fn persisted(this: &Doc) -> bool;

    /// Anything with a `length` or `byteLength` (strings, buffers, views).
    pub(crate) type Sized;

    #[wasm_bindgen(method, getter)]
    fn length(this: &Sized) -> f64;

    #[wasm_bindgen(method, getter, js_name = byteLength)]
    fn byte_length(this: &Sized) -> f64;

    /// A `Blob`'s size.
    #[wasm_bindgen(method, getter)]
    fn size(this: &Sized) -> f64;

    /// `WebSocket.prototype.send` with the value handed over untouched
    /// (string, ArrayBuffer, view or Blob).
    pub(crate) type RawSocket;

    #[wasm_bindgen(method, js_name = send, catch)]
    pub(crate) fn send_value(this: &RawSocket, data: &JsValue) -> Result<(), JsValue>;

    /// `ws.close(code, reason)` with the reason a JS string as it came (the
    /// socket's strings stay JS values: see `Payload::Text`).
    #[wasm_bindgen(method, js_name = close, catch)]
    pub(crate) fn close_with(this: &RawSocket, code: u16, reason: &JsValue) -> Result<(), JsValue>;

    /// `ws.protocol`, as a JS string.
    #[wasm_bindgen(method, getter, js_name = protocol)]
    pub(crate) fn protocol_value(this: &RawSocket) -> JsValue;

    /// A `CloseEvent`'s fields, its reason as a JS string.
    pub(crate) type CloseInfo;

    #[wasm_bindgen(method, getter)]
    pub(crate) fn code(this: &CloseInfo) -> u16;

    #[wasm_bindgen(method, getter, js_name = reason)]
    pub(crate) fn reason_value(this: &CloseInfo) -> JsValue;

    #[wasm_bindgen(method, getter, js_name = wasClean)]
    pub(crate) fn was_clean(this: &CloseInfo) -> bool;
}

/// `f(v)` for a predicate that never throws (the facade wraps user
/// functions so): no exception wrapper on this per-message call.
pub(crate) fn test(f: &Function, v: &JsValue) -> bool {
    f.unchecked_ref::<Predicate>()
        .call_bool(&JsValue::UNDEFINED, v)
}

impl Performance {
    /// Milliseconds on the monotonic page clock, as the core counts time.
    pub(crate) fn now_ms(&self) -> u64 {
        self.now_of() as u64
    }
}

/// Browser messages are JS values: a string (text frame), an ArrayBuffer,
/// view or Blob (binary frame). Strings report their UTF-16 length, the estimate the
/// contract allows: measuring UTF-8 would copy the string into Rust.
impl Payload for JsValue {
    type Text = JsValue;

    fn byte_len(&self) -> usize {
        let sized = self.unchecked_ref::<Sized>();
        let n = if self.is_string() {
            sized.length()
        } else {
            let n = sized.byte_length();
            if n.is_nan() {
                sized.size()
            } else {
                n
            }
        };
        // NaN (a value without a length) and negatives become 0.
        n as usize
    }
}

/// The global `WebSocket` constructor, where there is one (Node 20 has it
/// only with `--experimental-websocket`). The typed API's (the facade
/// finds its own).
#[cfg(feature = "std")]
pub(crate) fn global_web_socket() -> Option<Function> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("WebSocket"))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}
