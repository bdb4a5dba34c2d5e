#![cfg(not(target_arch = "wasm32"))]
//! The tab relay (`steadyws::relay`) driven by simulated tabs: a lock that
//! grants one waiter at a time and frees a tab's hold when it closes or
//! crashes (as Web Locks do), a channel that delivers to every other live
//! tab, and an owner's connection that opens and drops. Tabs join, send,
//! ask, close and crash at random points.
//!
//! Like the browser driver, the model keeps every payload itself, filed by
//! `(tab, seq)`, and checks that the relay forgets exactly what was filed.
//!
//! The model delivers in causal order: a tab hears everything another tab
//! posted before it was granted the lock (Chromium's `BroadcastChannel` and
//! Web Locks behave so; no specification promises it, and without it a
//! graceful handover gives the same at-least-once as a crash).

use std::collections::{HashMap, VecDeque};

use proptest::prelude::*;
use steadyws::relay::{Action, Event, Input, Refused, Relay, TabId, Wire, VERSION};
use steadyws::session::RequestError;

/// What reaches a tab, in causal order.
#[derive(Debug, Clone)]
enum Delivery {
    /// A channel message and the payload posted with it.
    Heard(TabId, Wire, Option<String>),
    Granted,
    Gone(TabId),
}

struct Tab {
    id: TabId,
    relay: Relay,
    /// Payloads by (tab, seq), as the driver files them.
    pay: HashMap<(TabId, u32), String>,
    /// The payload of the reply being reported.
    stash: Option<String>,
    inbox: VecDeque<Delivery>,
    /// The owner's connection: open for the app, and its session's queue.
    open: bool,
    connected: bool,
    core_queue: Vec<String>,
    /// How many sends and requests this tab's app made (`tab:n`,
    /// `tab:rn`), the numbers of its sends, and how many requests.
    sent: u32,
    sends: Vec<u32>,
    asked: usize,
    watching: Vec<TabId>,
    replies: Vec<(u32, Result<String, RequestError>)>,
    requests: HashMap<String, (TabId, u32)>,
    mismatch: bool,
    /// The count of tabs this tab last heard of.
    tabs: u32,
}

#[derive(Default)]
struct World {
    tabs: Vec<Tab>,
    next_id: TabId,
    /// The lock: holder, then waiters in order.
    holder: Option<TabId>,
    waiters: VecDeque<TabId>,
    now: u64,
    /// What went out on the wire, over every connection, in order.
    wire: Vec<String>,
    /// Owners that died holding the lock (crashed, not closed).
    owner_crashes: u32,
    /// Requests on the wire, by the owner that sent them: (owner, data).
    on_wire: Vec<(TabId, String)>,
}

impl World {
    fn tab(&mut self, id: TabId) -> Option<&mut Tab> {
        self.tabs.iter_mut().find(|t| t.id == id)
    }

    fn join(&mut self, fp: &str) -> TabId {
        self.next_id += 1;
        let id = self.next_id;
        self.tabs.push(Tab {
            id,
            relay: Relay::new(id, fingerprint(fp), 100, self.now),
            pay: HashMap::new(),
            stash: None,
            inbox: VecDeque::new(),
            open: false,
            connected: false,
            core_queue: Vec::new(),
            sent: 0,
            sends: Vec::new(),
            asked: 0,
            watching: Vec::new(),
            replies: Vec::new(),
            requests: HashMap::new(),
            mismatch: false,
            tabs: 1,
        });
        self.waiters.push_back(id);
        let now = self.now;
        self.tab(id).unwrap().relay.handle(Input::Present, now);
        self.grant();
        self.pump(id);
        id
    }

    /// The lock goes to the first waiter once nobody holds it.
    fn grant(&mut self) {
        if self.holder.is_some() {
            return;
        }
        if let Some(next) = self.waiters.pop_front() {
            self.holder = Some(next);
            if let Some(t) = self.tab(next) {
                t.inbox.push_back(Delivery::Granted);
            }
        }
    }

    /// A tab ends (closed or crashed): its lock holds fall free, the owner
    /// watching it hears so.
    fn end(&mut self, id: TabId) {
        self.tabs.retain(|t| t.id != id);
        self.waiters.retain(|&w| w != id);
        if self.holder == Some(id) {
            self.holder = None;
            self.grant();
        }
        for t in &mut self.tabs {
            if t.watching.contains(&id) {
                t.inbox.push_back(Delivery::Gone(id));
            }
        }
    }

    fn crash(&mut self, id: TabId) {
        if self.holder == Some(id) {
            self.owner_crashes += 1;
        }
        self.end(id);
    }

    fn close(&mut self, id: TabId) {
        let now = self.now;
        if let Some(t) = self.tab(id) {
            t.relay.close();
            let _ = now;
        }
        self.pump(id);
        self.end(id);
    }

    /// The app of `id` sends its next message, through the relay unless
    /// the tab owns the connection (then straight to its session).
    fn send(&mut self, id: TabId) {
        let Some(t) = self.tab(id) else { return };
        t.sent += 1;
        t.sends.push(t.sent);
        let data = format!("{}:{}", id, t.sent);
        if t.relay.owns() {
            if t.open {
                self.wire.push(data);
            } else {
                t.core_queue.push(data);
            }
        } else {
            let seq = t.relay.send().expect("room in the relay");
            t.pay.insert((id, seq), data);
        }
        self.pump(id);
    }

    fn request(&mut self, id: TabId, timeout: u64) {
        let now = self.now;
        let Some(t) = self.tab(id) else { return };
        if t.relay.owns() {
            return; // the owner's own requests are the session's (session tests)
        }
        t.sent += 1;
        t.asked += 1;
        let data = format!("{}:r{}", id, t.sent);
        let seq = t.relay.request(timeout, now).expect("room");
        t.pay.insert((id, seq), data);
        self.pump(id);
    }

    /// The owner's connection opens (its session flushes its queue, then the
    /// app sees the open) or drops.
    fn connection(&mut self, up: bool) {
        let now = self.now;
        let Some(owner) = self.holder else { return };
        let Some(t) = self.tab(owner) else { return };
        if !t.connected || t.open == up {
            return;
        }
        if up {
            let flushed: Vec<String> = t.core_queue.drain(..).collect();
            t.open = true;
            t.relay.handle(Input::Open(true), now);
            self.wire.extend(flushed);
        } else {
            t.open = false;
            t.relay.handle(Input::Open(false), now);
            // The session fails what was on this connection.
            let lost: Vec<(String, (TabId, u32))> = t.requests.drain().collect();
            for (_, (tab, seq)) in lost {
                let input = Input::Settled {
                    tab,
                    seq,
                    result: Err(RequestError::ConnectionLost),
                };
                if let Some(t) = self.tab(owner) {
                    t.relay.handle(input, now);
                }
                self.pump(owner);
            }
        }
        self.pump(owner);
    }

    /// The server answers every request on the owner's connection.
    fn answer_all(&mut self) {
        let now = self.now;
        let Some(owner) = self.holder else { return };
        let Some(t) = self.tab(owner) else { return };
        let open: Vec<(String, (TabId, u32))> = t.requests.drain().collect();
        for (data, (tab, seq)) in open {
            let input = Input::Settled {
                tab,
                seq,
                result: Ok(()),
            };
            if let Some(t) = self.tab(owner) {
                t.stash = Some(format!("re {data}"));
                t.relay.handle(input, now);
            }
            self.pump(owner);
        }
        self.pump(owner);
    }

    /// Carries out what a tab's relay asks for.
    fn pump(&mut self, id: TabId) {
        let now = self.now;
        let World {
            tabs,
            wire: out,
            on_wire,
            ..
        } = self;
        loop {
            let Some(ti) = tabs.iter().position(|t| t.id == id) else {
                return;
            };
            let Some(action) = tabs[ti].relay.poll() else {
                return;
            };
            match action {
                Action::Post { to, wire } => {
                    let t = &mut tabs[ti];
                    let payload = match wire {
                        Wire::Send { seq } | Wire::Request { seq, .. } => Some(
                            t.pay
                                .get(&(id, seq))
                                .expect("a payload for what it posts")
                                .clone(),
                        ),
                        Wire::Reply { .. } => Some(t.stash.clone().expect("the reply's payload")),
                        _ => None,
                    };
                    for other in tabs.iter_mut() {
                        if other.id != id && to.map_or(true, |to| to == other.id) {
                            other.inbox.push_back(Delivery::Heard(
                                id,
                                wire.clone(),
                                payload.clone(),
                            ));
                        }
                    }
                }
                Action::Connect | Action::Unshare => {
                    tabs[ti].connected = true;
                    tabs[ti].open = false;
                }
                Action::Watch { tab } => {
                    if tabs.iter().any(|t| t.id == tab) {
                        tabs[ti].watching.push(tab);
                    } else {
                        tabs[ti].inbox.push_back(Delivery::Gone(tab));
                    }
                }
                Action::Give { tab, seq, request } => {
                    let t = &mut tabs[ti];
                    let data = t
                        .pay
                        .get(&(tab, seq))
                        .expect("a payload for what it gives")
                        .clone();
                    assert!(t.connected, "only a connected tab gives");
                    if request.is_some() {
                        t.requests.insert(data.clone(), (tab, seq));
                        on_wire.push((id, data.clone()));
                    }
                    if t.open {
                        out.push(data);
                    } else {
                        t.core_queue.push(data);
                    }
                    t.relay.handle(
                        Input::Given {
                            tab,
                            seq,
                            sent: true,
                        },
                        now,
                    );
                }
                Action::Forget { tab, seq } => {
                    assert!(
                        tabs[ti].pay.remove(&(tab, seq)).is_some(),
                        "forgot ({tab}, {seq}) twice, or never filed"
                    );
                }
                Action::Drop { tab, seq } => {
                    tabs[ti].requests.retain(|_, v| *v != (tab, seq));
                }
                Action::Release | Action::Disconnect => {
                    let t = &mut tabs[ti];
                    t.connected = false;
                    t.open = false;
                    t.core_queue.clear();
                }
                Action::Emit(Event::Replied { seq }) => {
                    let data = tabs[ti].stash.take().expect("the reply's payload");
                    tabs[ti].replies.push((seq, Ok(data)))
                }
                Action::Emit(Event::Failed { seq, error }) => {
                    tabs[ti].replies.push((seq, Err(error)))
                }
                Action::Emit(Event::Tabs(n)) => tabs[ti].tabs = n,
                Action::Emit(Event::Owner(_)) => {}
                Action::Emit(Event::Mismatch) => tabs[ti].mismatch = true,
            }
        }
    }

    /// Delivers the oldest thing waiting for tab `id`.
    fn deliver(&mut self, id: TabId) -> bool {
        let now = self.now;
        let Some(t) = self.tab(id) else { return false };
        let Some(d) = t.inbox.pop_front() else {
            return false;
        };
        let input = match d {
            Delivery::Heard(from, wire, payload) => {
                // Filed as the driver files it: an item by its sender and
                // seq, a reply aside for the event it becomes.
                match (&wire, payload) {
                    (Wire::Send { seq } | Wire::Request { seq, .. }, Some(p)) => {
                        t.pay.insert((from, *seq), p);
                    }
                    (Wire::Reply { .. }, p) => t.stash = p,
                    _ => {}
                }
                Input::Heard { from, wire }
            }
            Delivery::Granted => Input::Granted,
            Delivery::Gone(tab) => Input::Gone { tab },
        };
        t.relay.handle(input, now);
        self.pump(id);
        true
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        let now = self.now;
        let ids: Vec<TabId> = self.tabs.iter().map(|t| t.id).collect();
        for id in ids {
            let t = self.tab(id).unwrap();
            if t.relay.poll_timeout().is_some_and(|d| d <= now) {
                t.relay.handle_timeout(now);
                self.pump(id);
            }
        }
    }

    /// Runs every tab's inbox dry, the owner's connection open.
    fn settle(&mut self) {
        for _ in 0..10_000 {
            self.connection(true);
            let ids: Vec<TabId> = self.tabs.iter().map(|t| t.id).collect();
            let mut any = false;
            for id in ids {
                any |= self.deliver(id);
            }
            if !any {
                return;
            }
        }
        panic!("the tabs never went quiet");
    }

    fn owners(&self) -> usize {
        self.tabs.iter().filter(|t| t.relay.owns()).count()
    }
}

fn given(world: &World, tab: TabId) -> Vec<u32> {
    let prefix = format!("{tab}:");
    world
        .wire
        .iter()
        .filter_map(|m| m.strip_prefix(&prefix)?.parse().ok())
        .collect()
}

#[test]
fn the_first_tab_owns_and_the_others_relay_through_it() {
    let mut w = World::default();
    let a = w.join("opts");
    let b = w.join("opts");
    let c = w.join("opts");
    w.settle();
    assert_eq!(w.owners(), 1);
    assert!(w.tab(a).unwrap().relay.owns());
    assert_eq!(w.tab(a).unwrap().relay.tabs(), 3);
    assert_eq!(w.tab(b).unwrap().relay.owner(), Some(a));
    w.send(b);
    w.send(c);
    w.send(b);
    w.settle();
    assert_eq!(given(&w, b), [1, 2]);
    assert_eq!(given(&w, c), [1]);
    assert_eq!(
        w.tab(b).unwrap().relay.kept(),
        0,
        "confirmed items are let go"
    );
}

#[test]
fn items_sent_before_the_open_wait_in_the_owner_and_go_out_in_order() {
    let mut w = World::default();
    let a = w.join("o");
    let b = w.join("o");
    for _ in 0..5 {
        w.send(b);
    }
    // Delivered with the connection still connecting: held, not given.
    while w.deliver(a) || w.deliver(b) {}
    assert!(w.wire.is_empty());
    w.settle();
    assert_eq!(given(&w, b), [1, 2, 3, 4, 5]);
}

#[test]
fn a_crashed_owner_is_replaced_and_unconfirmed_items_are_handed_to_the_next() {
    let mut w = World::default();
    let a = w.join("o");
    let b = w.join("o");
    let c = w.join("o");
    w.settle();
    w.send(c);
    w.send(c);
    // The owner dies before it heard them.
    w.crash(a);
    w.settle();
    assert_eq!(w.owners(), 1);
    assert!(w.tab(b).unwrap().relay.owns());
    assert_eq!(given(&w, c), [1, 2]);
    assert_eq!(w.tab(b).unwrap().relay.tabs(), 2);
}

#[test]
fn closing_the_owner_hands_the_connection_over_and_the_last_tab_closes_it() {
    let mut w = World::default();
    let a = w.join("o");
    let b = w.join("o");
    w.settle();
    w.close(a);
    w.send(b);
    w.settle();
    assert!(w.tab(b).unwrap().relay.owns());
    assert_eq!(given(&w, b), [1]);
    w.tab(b).unwrap().relay.close();
    let mut last = Vec::new();
    while let Some(action) = w.tab(b).unwrap().relay.poll() {
        last.push(action);
    }
    assert!(last.contains(&Action::Disconnect), "{last:?}");
}

#[test]
fn a_reply_reaches_only_the_tab_that_asked() {
    let mut w = World::default();
    let _a = w.join("o");
    let b = w.join("o");
    let c = w.join("o");
    w.settle();
    w.request(b, 10_000);
    w.request(c, 10_000);
    w.settle();
    w.answer_all();
    w.settle();
    assert_eq!(w.tab(b).unwrap().replies, [(1, Ok("re 2:r1".to_string()))]);
    assert_eq!(w.tab(c).unwrap().replies, [(1, Ok("re 3:r1".to_string()))]);
}

#[test]
fn a_request_on_the_wire_when_its_owner_dies_fails_connection_lost() {
    let mut w = World::default();
    let a = w.join("o");
    let b = w.join("o");
    let _c = w.join("o");
    w.settle();
    w.request(b, 10_000);
    w.settle();
    assert_eq!(w.on_wire.len(), 1);
    w.crash(a);
    w.settle();
    assert_eq!(
        w.tab(b).unwrap().replies,
        [(1, Err(RequestError::ConnectionLost))]
    );
}

#[test]
fn a_request_not_yet_sent_survives_a_takeover_and_times_out_on_its_own_clock() {
    let mut w = World::default();
    let a = w.join("o");
    let _b = w.join("o");
    let c = w.join("o");
    w.settle();
    w.connection(false);
    w.request(c, 1_000);
    while w.deliver(a) {}
    // Held by a (not open), then a dies: c hands it to the next owner, b.
    w.crash(a);
    w.advance(400);
    w.settle();
    assert_eq!(w.on_wire.len(), 1, "given once, by the new owner");
    assert!(w.tab(c).unwrap().replies.is_empty());
    w.advance(599);
    assert!(w.tab(c).unwrap().replies.is_empty(), "not early");
    w.advance(1);
    assert_eq!(w.tab(c).unwrap().replies, [(1, Err(RequestError::Timeout))]);
    // A late reply is ignored: settled once.
    w.answer_all();
    w.settle();
    assert_eq!(w.tab(c).unwrap().replies.len(), 1);
}

#[test]
fn closing_a_tab_fails_its_pending_requests_closed_and_refuses_more() {
    let mut w = World::default();
    let _a = w.join("o");
    let b = w.join("o");
    w.settle();
    w.request(b, 10_000);
    let t = w.tab(b).unwrap();
    t.relay.close();
    assert_eq!(t.relay.send(), Err(Refused::Closed));
    w.pump(b);
    assert_eq!(w.tab(b).unwrap().replies, [(1, Err(RequestError::Closed))]);
}

#[test]
fn a_tab_keeps_no_more_than_its_queue_allows() {
    let mut relay = Relay::new(1, 0, 2, 0);
    relay.send().unwrap();
    relay.send().unwrap();
    assert_eq!(relay.send(), Err(Refused::Full));
}

#[test]
fn different_options_under_one_name_warn_once_and_the_owners_apply() {
    let mut w = World::default();
    let _a = w.join("mine");
    let b = w.join("other");
    w.settle();
    assert!(w.tab(b).unwrap().mismatch);
    let c = w.join("mine");
    w.settle();
    assert!(!w.tab(c).unwrap().mismatch);
}

#[test]
fn another_protocol_version_makes_a_follower_connect_alone() {
    let mut relay = Relay::new(7, 0, 10, 0);
    relay.handle(Input::Present, 0);
    while relay.poll().is_some() {}
    let kept = relay.send().unwrap();
    while relay.poll().is_some() {}
    relay.handle(Input::Foreign, 0);
    let actions: Vec<_> = std::iter::from_fn(|| relay.poll()).collect();
    assert_eq!(actions[0], Action::Unshare);
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::Give { tab: 7, seq, .. } if *seq == kept)));
    assert!(!relay.owns());
    assert_eq!(VERSION, 1);
}

#[test]
fn a_cancelled_held_request_is_never_given() {
    let mut w = World::default();
    let a = w.join("o");
    let b = w.join("o");
    w.settle();
    w.connection(false);
    w.request(b, 10_000);
    assert!(w.tab(b).unwrap().relay.cancel(1));
    w.pump(b);
    while w.deliver(a) {}
    w.settle();
    assert!(w.on_wire.is_empty());
}

// ----- random interleavings ---------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Join,
    Send(u8),
    Request(u8),
    Deliver(u8),
    Crash(u8),
    Close(u8),
    Connection(bool),
    Answer,
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Join),
        8 => any::<u8>().prop_map(Op::Send),
        2 => any::<u8>().prop_map(Op::Request),
        12 => any::<u8>().prop_map(Op::Deliver),
        1 => any::<u8>().prop_map(Op::Crash),
        1 => any::<u8>().prop_map(Op::Close),
        2 => any::<bool>().prop_map(Op::Connection),
        1 => Just(Op::Answer),
        2 => (0u16..2_000).prop_map(Op::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn tabs_that_crash_join_and_send_at_random(ops in proptest::collection::vec(op(), 1..120)) {
        let mut w = World::default();
        w.join("o");
        for op in ops {
            let pick = |w: &World, i: u8| (!w.tabs.is_empty()).then(|| w.tabs[i as usize % w.tabs.len()].id);
            match op {
                Op::Join if w.tabs.len() < 6 => { w.join("o"); }
                Op::Join => {}
                Op::Send(i) => if let Some(id) = pick(&w, i) { w.send(id) },
                Op::Request(i) => if let Some(id) = pick(&w, i) { w.request(id, 5_000) },
                Op::Deliver(i) => if let Some(id) = pick(&w, i) { w.deliver(id); },
                Op::Crash(i) => if let Some(id) = pick(&w, i) { w.crash(id) },
                Op::Close(i) => if let Some(id) = pick(&w, i) { w.close(id) },
                Op::Connection(up) => w.connection(up),
                Op::Answer => w.answer_all(),
                Op::Advance(ms) => w.advance(u64::from(ms)),
            }
            // At most one owner, and only the lock's holder.
            prop_assert!(w.owners() <= 1);
            for t in &w.tabs {
                prop_assert!(!t.relay.owns() || w.holder == Some(t.id));
            }
        }
        w.settle();
        w.answer_all();
        w.settle();
        let live = w.tabs.len() as u32;
        for t in &w.tabs {
            prop_assert_eq!(t.tabs, live, "tab {} counts {} of {} tabs", t.id, t.tabs, live);
            let got = given(&w, t.id);
            // Every message of a live tab went out, in its order (first
            // occurrences), exactly once unless an owner crashed.
            let mut first = Vec::new();
            for n in &got {
                if !first.contains(n) {
                    first.push(*n);
                }
            }
            prop_assert_eq!(&first, &t.sends, "tab {}", t.id);
            if w.owner_crashes == 0 {
                prop_assert_eq!(got.len(), first.len(), "sent twice without a crash: tab {}", t.id);
            }
            prop_assert_eq!(t.relay.kept(), 0, "tab {} still keeps items", t.id);
            prop_assert!(t.pay.is_empty(), "tab {} still files payloads {:?}", t.id, t.pay.keys().collect::<Vec<_>>());
            // Every request of a live tab settled, exactly once.
            let mut seqs: Vec<u32> = t.replies.iter().map(|r| r.0).collect();
            seqs.sort_unstable();
            seqs.dedup();
            prop_assert_eq!(seqs.len(), t.replies.len(), "a request settled twice in tab {}", t.id);
            prop_assert_eq!(t.replies.len(), t.asked, "tab {}: a request never settled", t.id);
        }
    }
}

/// A tab's options as the driver fingerprints them.
fn fingerprint(options: &str) -> u32 {
    options.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}
