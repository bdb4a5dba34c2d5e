#![cfg(not(target_arch = "wasm32"))]
//! Configuration defaults and validation.

mod session_common;

use session_common::*;
use steadyws::message::Message;
use steadyws::session::{Config, ConfigError, QueueConfig, Session, DEFAULT_FATAL_CODES};

#[test]
fn defaults_are_those_of_the_api_contract() {
    let c = config();
    assert_eq!(c.connect_timeout, 10_000);
    let hb = c.heartbeat.as_ref().unwrap();
    assert_eq!((hb.interval, hb.timeout), (10_000, 10_000));
    assert_eq!(hb.ping, text("ping"));
    assert!(hb.any_message_counts);
    let rc = c.reconnect.as_ref().unwrap();
    assert_eq!((rc.min_delay, rc.max_delay), (1_000, 30_000));
    assert_eq!((rc.factor, rc.jitter), (2.0, 0.5));
    assert_eq!(rc.max_retries, None);
    assert_eq!(rc.stable_after, 5_000);
    assert_eq!(rc.fatal_codes, DEFAULT_FATAL_CODES.to_vec());
    assert_eq!(
        c.queue,
        Some(QueueConfig {
            max_messages: 1_000,
            max_bytes: 1 << 20
        })
    );
    assert_eq!(c.validate(), Ok(()));
    assert_eq!(Config::<Message>::without_heartbeat().heartbeat, None);
}

fn field_of(mutate: impl FnOnce(&mut Config<Message>)) -> &'static str {
    let mut c = config();
    mutate(&mut c);
    let err: ConfigError = match Session::new(c, 0, 0) {
        Err(e) => e,
        Ok(_) => panic!("accepted"),
    };
    assert!(!err.reason.js().is_empty());
    err.field.js()
}

#[test]
fn every_bad_option_is_named_by_its_js_path() {
    assert_eq!(
        field_of(|c| c.heartbeat.as_mut().unwrap().interval = 0),
        "heartbeat.interval"
    );
    assert_eq!(
        field_of(|c| c.heartbeat.as_mut().unwrap().timeout = 0),
        "heartbeat.timeout"
    );
    assert_eq!(
        field_of(|c| c.reconnect.as_mut().unwrap().min_delay = 0),
        "reconnect.minDelay"
    );
    assert_eq!(
        field_of(|c| c.reconnect.as_mut().unwrap().max_delay = 999),
        "reconnect.maxDelay"
    );
    for f in [f64::NAN, 0.5, -1.0, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            field_of(|c| c.reconnect.as_mut().unwrap().factor = f),
            "reconnect.factor",
            "{f}"
        );
    }
    for j in [f64::NAN, -0.01, 1.01, f64::INFINITY] {
        assert_eq!(
            field_of(|c| c.reconnect.as_mut().unwrap().jitter = j),
            "reconnect.jitter",
            "{j}"
        );
    }
    for code in [0, 999, 5000] {
        assert_eq!(
            field_of(|c| c.reconnect.as_mut().unwrap().fatal_codes = vec![1002, code]),
            "reconnect.fatalCodes"
        );
    }
    assert_eq!(
        field_of(|c| c.queue.as_mut().unwrap().max_messages = 0),
        "queue.maxMessages"
    );
    assert_eq!(
        field_of(|c| c.queue.as_mut().unwrap().max_bytes = 0),
        "queue.maxBytes"
    );
}

#[test]
fn edge_values_that_make_sense_are_accepted() {
    let mut c = config();
    {
        let rc = c.reconnect.as_mut().unwrap();
        rc.min_delay = 1;
        rc.max_delay = 1;
        rc.factor = 1.0;
        rc.jitter = 1.0;
        rc.stable_after = 0;
        rc.max_retries = Some(0);
        rc.fatal_codes = vec![];
    }
    c.connect_timeout = 0;
    c.close_timeout = 0;
    assert_eq!(c.validate(), Ok(()));
    let mut c = config();
    {
        let rc = c.reconnect.as_mut().unwrap();
        rc.min_delay = u64::MAX;
        rc.max_delay = u64::MAX;
        rc.factor = f64::MAX;
    }
    c.heartbeat.as_mut().unwrap().interval = u64::MAX;
    c.heartbeat.as_mut().unwrap().timeout = u64::MAX;
    c.connect_timeout = u64::MAX;
    // Huge values saturate instead of overflowing.
    let mut sim = Sim::new(c);
    sim.open();
    sim.advance_to(u64::MAX - 1);
    sim.server_close(1001);
    assert_eq!(sim.delays(), vec![u64::MAX]);
}

#[test]
fn disabled_sections_need_no_validation() {
    let c = Config::<Message> {
        connect_timeout: 0,
        close_timeout: 0,
        heartbeat: None,
        reconnect: None,
        queue: None,
        url_per_attempt: false,
        init: None,
        request_timeout: 0,
    };
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn errors_display_the_field_and_reason() {
    let mut c = config();
    c.reconnect.as_mut().unwrap().jitter = 2.0;
    let e = c.validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid option reconnect.jitter: must be between 0 and 1"
    );
    let err: Box<dyn std::error::Error> =
        Box::new(steadyws::session::Error::FatalClose { code: 1008 });
    assert_eq!(err.to_string(), "the server closed with fatal code 1008");
}
