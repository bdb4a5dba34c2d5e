//! One connection for every tab: the sans-IO machine behind `shared`.
//!
//! Tabs of one origin that share a name elect one owner with a lock (the
//! browser driver uses the Web Locks API, so the browser itself frees it
//! when a tab closes, crashes or is discarded); the owner runs the only
//! [`Session`](crate::session::Session) and its socket, the other tabs
//! relay through it over a channel (`BroadcastChannel`). This module is the
//! policy of that arrangement, and only that: who owns, what a tab keeps
//! until the owner confirms it, what is handed over when the owner goes.
//! The driver carries locks and channel messages and reports what happened.
//!
//! The machine never holds message data: an item is `(tab, seq)`, and the
//! driver keeps its payload until the machine says it is no longer needed
//! ([`Action::Forget`]). (In the wasm module that keeps every payload a JS
//! value on the JS side, and the machine small.)
//!
//! # The protocol
//!
//! Every tab runs one [`Relay`]. It starts waiting for the lock; a tab that
//! gets it ([`Input::Granted`]) becomes the owner: it connects at once
//! ([`Action::Connect`], no backoff: a takeover is not a failure) and says
//! so to every tab ([`Wire::Owner`]). Each tab answers with [`Wire::Hello`]
//! (so the owner counts it and watches for its end, [`Action::Watch`]) and
//! then hands over, in order, every item it still holds.
//!
//! **What a tab keeps.** `send()` and `request()` in a tab that does not own
//! the connection become items with a per-tab sequence number, posted to
//! the owner ([`Wire::Send`], [`Wire::Request`]) and kept until the owner
//! confirms that it gave them to the socket ([`Wire::Done`]). The owner
//! holds what it receives until the connection is open for the app (after
//! the init/ack), then gives it to the socket in arrival order and
//! confirms. When the owner changes, a tab posts again everything not
//! confirmed, oldest first: nothing is lost, and an item goes out twice only
//! if an owner died between giving it and its confirmation reaching the tab.
//! A request confirmed as sent and not answered when its owner goes fails
//! with [`RequestError::ConnectionLost`] (its connection ended).
//!
//! **Requests.** The reply is routed by the owner to the asking tab only
//! ([`Wire::Reply`], [`Wire::Failed`]). The asking tab also keeps the
//! request's deadline (the timer, [`Relay::poll_timeout`]), so a request
//! times out on time across takeovers; a late reply is then ignored.
//!
//! **Ending.** `close()` in a tab that does not own detaches it
//! ([`Wire::Bye`]); in the owner it hands the connection over if other tabs
//! remain ([`Action::Release`]), and closes it otherwise
//! ([`Action::Disconnect`]). A tab that hears a different protocol
//! [`VERSION`] works unshared from then on ([`Action::Unshare`]).
//!
//! **Two faces, one machine.** The machine works in the numbers of the
//! wasm ABI ([`RelayInput`](crate::abi::RelayInput) in,
//! [`RelayAct`](crate::abi::RelayAct) out, [`Act`]): the browser driver
//! passes them straight through ([`Relay::input`], [`Relay::poll_act`]),
//! with no translation in the module. [`Relay::handle`] and [`Relay::poll`]
//! are the same machine in Rust types ([`Input`], [`Action`]), for tests and
//! native use; a wasm build that never calls them does not contain them.
//!
//! Time is milliseconds from any fixed origin, as in `session`.

use crate::abi::{ErrorCode, RelayAct as K, RelayInput as I, SendResult};
use crate::session::{Fifo, RequestError};
use alloc::vec::Vec;

/// The protocol version carried by every channel message; a tab that sees
/// another one works unshared rather than misreading it.
pub const VERSION: u32 = 1;

/// A tab, as the driver numbers it (random per tab and socket).
pub type TabId = u32;

/// What tabs say to each other over the channel. Messages to one tab carry
/// its id (`to` of [`Action::Post`]); the others ignore them.
// The variants say what their fields are.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Wire {
    /// A tab joins (or answers a new owner).
    Hello,
    /// The sender owns the connection; `fp`: the options in force (a
    /// fingerprint).
    Owner { fp: u32 },
    /// Item `seq` of the sender, for the socket (its payload beside it).
    Send { seq: u32 },
    /// A request for the socket, with the time it has left.
    Request { seq: u32, timeout: u64 },
    /// The asking tab gave up on a request.
    Cancel { seq: u32 },
    /// The owner gave item `seq` to the socket.
    Done { seq: u32 },
    /// The reply to request `seq` (its payload beside it).
    Reply { seq: u32 },
    /// Request `seq` failed in the owner.
    Failed { seq: u32, error: RequestError },
    /// How many tabs share the connection now.
    Tabs { n: u32 },
    /// The sender detached.
    Bye,
}

/// What the driver reports.
// The variants say what their fields are.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// This tab can be watched: it holds its presence lock (the owner
    /// waits on that lock to learn that the tab ended, so the tab says
    /// hello only once it holds it).
    Present,
    /// This tab got the ownership lock.
    Granted,
    /// A channel message from tab `from` (already checked: [`VERSION`], and
    /// addressed to everyone or to this tab).
    Heard { from: TabId, wire: Wire },
    /// A channel message of another protocol version.
    Foreign,
    /// A tab the owner watches ended (its lock fell free).
    Gone { tab: TabId },
    /// The owner's connection is open for the app (`true`: after the
    /// open event, the queue flushed) or no longer is.
    Open(bool),
    /// The driver carried out [`Action::Give`]: `sent`, or refused (the
    /// item stays with the owner until the next open).
    Given { tab: TabId, seq: u32, sent: bool },
    /// The owner's session settled a request it was given for `tab`
    /// (`Ok`: the reply, whose payload the driver has).
    Settled {
        tab: TabId,
        seq: u32,
        result: Result<(), RequestError>,
    },
}

/// What the driver must do.
// The variants say what their fields are.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Post on the channel, to one tab or (`None`) to all.
    Post { to: Option<TabId>, wire: Wire },
    /// Become the owner: make the session and connect now.
    Connect,
    /// Report [`Input::Gone`] when `tab` ends.
    Watch { tab: TabId },
    /// Owner: hand item `seq` of `tab` to the socket (`request`: with that
    /// timeout), then report [`Input::Given`] (and later [`Input::Settled`]
    /// for a request).
    Give {
        tab: TabId,
        seq: u32,
        request: Option<u64>,
    },
    /// The payload of item `seq` of `tab` is no longer needed.
    Forget { tab: TabId, seq: u32 },
    /// Owner: `tab` gave up on request `seq`, already given: forget it in
    /// the session.
    Drop { tab: TabId, seq: u32 },
    /// Owner leaving while others remain: close the socket, then free the
    /// lock (once it has closed, so that the next owner's socket never
    /// overlaps it), and the next tab takes over.
    Release,
    /// The last tab left: close the connection for good.
    Disconnect,
    /// Another protocol version is around: connect alone, stop relaying.
    Unshare,
    /// For this tab's app.
    Emit(Event),
}

/// What a tab's app learns from the relay.
// The variants say what their fields are.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The reply to this tab's request `seq` (the payload that came with
    /// [`Wire::Reply`] or [`Input::Settled`]).
    Replied { seq: u32 },
    /// This tab's request `seq` failed.
    Failed { seq: u32, error: RequestError },
    /// The number of tabs sharing the connection.
    Tabs(u32),
    /// The tab that owns the connection now (maybe this one): a new
    /// connection, whose events follow.
    Owner(TabId),
    /// The owner's options differ from this tab's (said once).
    Mismatch,
}

/// Why an item was refused at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The tab already holds as many items as its queue allows.
    Full,
    /// The tab was closed.
    Closed,
}

/// An action in the numbers of the ABI: `sink.act(kind, to, seq, n)` (see
/// [`RelayAct`](crate::abi::RelayAct) for what each kind carries; `to` is a
/// tab, or -1 for every tab, or 0 when unused).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Act {
    /// What to do.
    pub kind: K,
    /// The tab it is for or about.
    pub to: f64,
    /// An item's sequence number (or the fingerprint of `Owner`).
    pub seq: u32,
    /// A timeout, an [`ErrorCode`] index or a count.
    pub n: f64,
}

/// `to` of a channel message for every tab.
const ALL: f64 = -1.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Waiting for the lock; `owner` is whoever said so last.
    Follower,
    Owner,
    /// Connected alone (another version is around).
    Solo,
    Closed,
}

/// One of this tab's items, kept until confirmed (a request: until settled).
#[derive(Debug, Clone, Copy)]
struct Item {
    seq: u32,
    request: bool,
    /// A request's absolute deadline, while this tab keeps it (not once its
    /// own session does).
    deadline: Option<u64>,
    /// Confirmed given to a socket (only requests stay after that).
    done: bool,
}

/// Something another tab handed to the owner, not yet given.
#[derive(Debug, Clone, Copy)]
struct Held {
    tab: TabId,
    seq: u32,
    /// `Give`'s `n`: -1 for a send, else the request's timeout.
    n: f64,
}

/// The relay of one tab. See the module docs.
#[derive(Debug)]
pub struct Relay {
    tab: TabId,
    fp: u32,
    role: Role,
    owner: Option<TabId>,
    max_items: usize,
    seq: u32,
    items: Vec<Item>,
    // ----- while owning
    /// The other tabs, while owning.
    peers: Vec<TabId>,
    held: Vec<Held>,
    open: bool,
    /// A `Give` is out and not yet reported `Given`.
    giving: bool,
    warned: bool,
    now: u64,
    out: Fifo<Act>,
}

impl Relay {
    /// The relay of tab `tab`, waiting for the lock. `fp` stands for its
    /// options (a fingerprint, compared with the owner's); `max_items`
    /// bounds what it keeps unconfirmed (its `queue.maxMessages`).
    pub fn new(tab: TabId, fp: u32, max_items: usize, now: u64) -> Self {
        Relay {
            tab,
            fp,
            role: Role::Follower,
            owner: None,
            max_items,
            seq: 0,
            items: Vec::new(),
            peers: Vec::new(),
            held: Vec::new(),
            open: false,
            giving: false,
            warned: false,
            now,
            out: Fifo::new(),
        }
    }

    /// Whether this tab owns the connection.
    pub fn owns(&self) -> bool {
        self.role == Role::Owner
    }

    /// The tab that owns the connection, as far as this tab knows.
    pub fn owner(&self) -> Option<TabId> {
        self.owner
    }

    /// Items this tab still keeps (unconfirmed sends, unsettled requests).
    pub fn kept(&self) -> usize {
        self.items.len()
    }

    /// The tabs sharing the connection (owner's count; 1 elsewhere).
    pub fn tabs(&self) -> u32 {
        self.peers.len() as u32 + 1
    }

    /// The next thing to do, in the numbers of the ABI.
    pub fn poll_act(&mut self) -> Option<Act> {
        self.out.pop()
    }

    /// The next thing to do.
    pub fn poll(&mut self) -> Option<Action> {
        loop {
            let act = self.out.pop()?;
            if let Some(action) = typed(act) {
                return Some(action);
            }
        }
    }

    /// The earliest deadline of this tab's requests.
    pub fn poll_timeout(&self) -> Option<u64> {
        // A plain loop: smaller in the wasm module than the iterator chain.
        let mut earliest = None;
        for d in self.items.iter().filter_map(|i| i.deadline) {
            match earliest {
                Some(e) if e <= d => {}
                _ => earliest = Some(d),
            }
        }
        earliest
    }

    /// Fails the requests whose deadline has passed.
    pub fn handle_timeout(&mut self, now: u64) {
        self.now = now;
        while let Some(seq) = self
            .items
            .iter()
            .find(|i| i.deadline.is_some_and(|d| d <= now))
            .map(|i| i.seq)
        {
            self.settle(seq, Err(RequestError::Timeout));
            self.tell_owner(K::Cancel, seq, 0.0);
        }
    }

    /// A `send()` of this tab's app while another tab owns the connection:
    /// the item's sequence number.
    pub fn send(&mut self) -> Result<u32, Refused> {
        self.item(None)
    }

    /// A `request()` of this tab's app waiting at most `timeout` ms.
    pub fn request(&mut self, timeout: u64, now: u64) -> Result<u32, Refused> {
        self.now = now;
        self.item(Some(now.saturating_add(timeout)))
    }

    /// This tab's app gave up on request `seq`: true if it was pending.
    pub fn cancel(&mut self, seq: u32) -> bool {
        let Some(item) = take(&mut self.items, |i| i.seq == seq) else {
            return false;
        };
        self.forget(self.tab, seq);
        match self.role {
            Role::Follower => self.tell_owner(K::Cancel, seq, 0.0),
            // Given to this tab's own session: forget it there.
            _ if item.done => self.act(K::Drop, f64::from(self.tab), seq, 0.0),
            _ => {}
        }
        true
    }

    /// This tab's app closed its socket: detach (or hand over / close).
    pub fn close(&mut self) {
        match self.role {
            Role::Closed => return,
            Role::Owner if !self.peers.is_empty() => self.act(K::Release, 0.0, 0, 0.0),
            Role::Owner | Role::Solo => self.act(K::Disconnect, 0.0, 0, 0.0),
            Role::Follower => {}
        }
        if self.role != Role::Solo {
            self.act(K::Bye, ALL, 0, 0.0);
        }
        self.role = Role::Closed;
        self.owner = None;
        self.peers.clear();
        for h in core::mem::take(&mut self.held) {
            self.forget(h.tab, h.seq);
        }
        for item in core::mem::take(&mut self.items) {
            self.forget(self.tab, item.seq);
            if item.request {
                self.failed(item.seq, RequestError::Closed);
            }
        }
    }

    /// Feeds what happened.
    pub fn handle(&mut self, input: Input, now: u64) {
        let (kind, tab, seq, n) = match input {
            Input::Present => (I::Present, 0, 0, 0.0),
            Input::Granted => (I::Granted, 0, 0, 0.0),
            Input::Foreign => (I::Foreign, 0, 0, 0.0),
            Input::Gone { tab } => (I::Gone, tab, 0, 0.0),
            Input::Open(open) => (I::Open, 0, 0, f64::from(u8::from(open))),
            Input::Given { tab, seq, sent } => (I::Given, tab, seq, f64::from(u8::from(sent))),
            Input::Settled { tab, seq, result } => {
                (I::Settled, tab, seq, result.map_or_else(code, |()| -1.0))
            }
            Input::Heard { from, wire } => {
                let (k, seq, n) = wire.parts();
                return self.reported(I::Heard as u32 + k as u32, from, seq, n, now);
            }
        };
        self.reported(kind as u32, tab, seq, n, now);
    }

    /// An input in the numbers of the ABI (`relay.input(kind, tab, seq, n)`,
    /// see [`RelayInput`](crate::abi::RelayInput); a request's NaN timeout
    /// already replaced by `rpc.timeout`): what it answers, 0 for nothing.
    pub fn input(&mut self, kind: u32, tab: TabId, seq: u32, n: f64, now: u64) -> f64 {
        match I::from_index(kind) {
            Some(I::Send) => item(self.send()),
            Some(I::Request) => item(self.request(n as u64, now)),
            Some(I::Cancel) => f64::from(u8::from(self.cancel(seq))),
            Some(I::Close) => {
                self.close();
                0.0
            }
            Some(I::Timeout) => {
                self.handle_timeout(now);
                0.0
            }
            Some(I::Kept) => self.kept() as f64,
            _ => {
                self.reported(kind, tab, seq, n, now);
                0.0
            }
        }
    }

    /// A lock, channel or driver report (`kind` from `Present` on, or
    /// `Heard` plus a channel message kind).
    fn reported(&mut self, kind: u32, tab: TabId, seq: u32, n: f64, now: u64) {
        self.now = now;
        if self.role == Role::Closed {
            return;
        }
        if let Some(k) = kind.checked_sub(I::Heard as u32) {
            if let Some(k) = K::from_index(k) {
                self.heard(tab, k, seq, n);
            }
            return;
        }
        match I::from_index(kind) {
            Some(I::Present) => self.act(K::Hello, ALL, 0, 0.0),
            Some(I::Granted) if self.role == Role::Follower => self.take_over(),
            Some(I::Foreign) => self.unshare(),
            Some(I::Gone) => self.gone(tab),
            Some(I::Open) => {
                self.open = n != 0.0;
                self.flush();
            }
            Some(I::Given) => {
                let sent = n != 0.0;
                self.giving = false;
                if let Some(i) = self.held.iter().position(|h| h.tab == tab && h.seq == seq) {
                    if !sent {
                        // Refused (the connection closed in between): it
                        // stays first, given again at the next open.
                        self.open = false;
                        return;
                    }
                    self.held.remove(i);
                    self.forget(tab, seq);
                }
                self.done(tab, seq, sent);
                self.flush();
            }
            Some(I::Settled) => {
                let result = match n < 0.0 {
                    true => Ok(()),
                    false => Err(ErrorCode::request_error(n as u32)),
                };
                if tab == self.tab {
                    return self.settle(seq, result);
                }
                // To the asking tab.
                match result {
                    Ok(()) => self.act(K::Reply, f64::from(tab), seq, 0.0),
                    Err(error) => self.act(K::Failed, f64::from(tab), seq, code(error)),
                }
            }
            _ => {}
        }
    }

    // ----- follower side ------------------------------------------------

    fn item(&mut self, deadline: Option<u64>) -> Result<u32, Refused> {
        if self.role == Role::Closed {
            return Err(Refused::Closed);
        }
        if self.items.len() >= self.max_items {
            return Err(Refused::Full);
        }
        self.seq += 1;
        let seq = self.seq;
        let item = Item {
            seq,
            request: deadline.is_some(),
            deadline,
            done: false,
        };
        self.items.push(item);
        let (k, n) = self.wire(&item);
        self.tell_owner(k, seq, n);
        Ok(seq)
    }

    fn settle(&mut self, seq: u32, result: Result<(), RequestError>) {
        if take(&mut self.items, |i| i.seq == seq).is_none() {
            return; // settled already (a late reply, a timeout raced it)
        }
        match result {
            Ok(()) => self.act(K::Replied, 0.0, seq, 0.0),
            Err(error) => self.failed(seq, error),
        }
        self.forget(self.tab, seq);
    }

    /// The owner changed (to `owner`, maybe this tab): requests already
    /// sent lost their connection; everything else is handed over again.
    fn new_owner(&mut self, owner: TabId) {
        self.owner = Some(owner);
        self.act(K::NewOwner, f64::from(owner), 0, 0.0);
        while let Some(seq) = self.items.iter().find(|i| i.done).map(|i| i.seq) {
            self.settle(seq, Err(RequestError::ConnectionLost));
        }
        let me = owner == self.tab;
        if !me {
            self.act(K::Hello, f64::from(owner), 0, 0.0);
        }
        for i in 0..self.items.len() {
            let Some(&item) = self.items.get(i) else {
                break;
            };
            let (k, n) = self.wire(&item);
            if me {
                // This tab's own session takes them now, ahead of anything
                // its app sends from here on (its queue keeps them until
                // the open), and keeps their deadlines from here on.
                let n = if item.request { n } else { -1.0 };
                self.act(K::Give, f64::from(owner), item.seq, n);
            } else {
                self.act(k, f64::from(owner), item.seq, n);
            }
        }
        if me {
            for item in self.items.iter_mut() {
                item.deadline = None;
            }
        }
    }

    fn heard(&mut self, from: TabId, k: K, seq: u32, n: f64) {
        let owner = self.owner == Some(from);
        let owning = self.role == Role::Owner;
        match k {
            K::Owner => {
                if owning {
                    return; // the lock makes this impossible; keep ours
                }
                if seq != self.fp && !self.warned {
                    self.warned = true;
                    self.act(K::Mismatch, 0.0, 0, 0.0);
                }
                if self.role == Role::Follower && !owner {
                    self.new_owner(from);
                }
            }
            K::Done if owner => self.done(self.tab, seq, true),
            K::Reply if owner => self.settle(seq, Ok(())),
            K::Failed if owner => self.settle(seq, Err(ErrorCode::request_error(n as u32))),
            K::Tabs if owner => self.act(K::TabCount, 0.0, 0, f64::from(n as u32)),
            K::Bye if owner => self.owner = None,
            // Not the owner (any more): what was sent to it is not its.
            K::Send | K::Request if !owning => self.forget(from, seq),
            _ if !owning => {}
            // ----- what the owner hears
            K::Hello => {
                // Owner first: the tab heeds the count only from its owner.
                self.act(K::Owner, f64::from(from), self.fp, 0.0);
                self.join(from);
            }
            K::Send => self.hold(from, seq, -1.0),
            // The timeout as a `u64` would take it (`as` saturates).
            K::Request => self.hold(from, seq, n as u64 as f64),
            K::Cancel => match take(&mut self.held, |h| h.tab == from && h.seq == seq) {
                Some(_) => self.forget(from, seq),
                None => self.act(K::Drop, f64::from(from), seq, 0.0),
            },
            K::Bye => self.gone(from),
            _ => {}
        }
    }

    // ----- owner side ---------------------------------------------------

    fn take_over(&mut self) {
        self.role = Role::Owner;
        self.open = false;
        self.act(K::Connect, 0.0, 0, 0.0);
        self.act(K::Owner, ALL, self.fp, 0.0);
        // Counted afresh: the other tabs join again as they hear of it.
        self.tabs_changed();
        self.new_owner(self.tab);
    }

    fn unshare(&mut self) {
        if self.role != Role::Follower {
            return; // the owner keeps its connection; the other tab goes solo
        }
        self.role = Role::Solo;
        self.act(K::Unshare, 0.0, 0, 0.0);
        self.new_owner(self.tab);
        self.owner = None;
    }

    fn join(&mut self, tab: TabId) {
        if tab == self.tab || self.peers.contains(&tab) {
            return;
        }
        self.peers.push(tab);
        self.act(K::Watch, f64::from(tab), 0, 0.0);
        self.tabs_changed();
    }

    fn gone(&mut self, tab: TabId) {
        let before = self.peers.len();
        self.peers.retain(|&p| p != tab);
        if self.peers.len() != before {
            // Nobody is left to confirm these to.
            let out = &mut self.out;
            self.held.retain(|h| {
                let gone = h.tab == tab;
                if gone {
                    out.push(forget(tab, h.seq));
                }
                !gone
            });
            self.tabs_changed();
        }
    }

    fn tabs_changed(&mut self) {
        let n = f64::from(self.tabs());
        self.act(K::Tabs, ALL, 0, n);
        self.act(K::TabCount, 0.0, 0, n);
    }

    fn hold(&mut self, tab: TabId, seq: u32, n: f64) {
        self.join(tab);
        self.held.push(Held { tab, seq, n });
        self.flush();
    }

    /// Gives the first held item if the connection is open (the rest follow
    /// one by one as each is reported `Given`).
    fn flush(&mut self) {
        if !self.open || self.giving || self.role != Role::Owner {
            return;
        }
        if let Some(&h) = self.held.first() {
            self.giving = true;
            self.act(K::Give, f64::from(h.tab), h.seq, h.n);
        }
    }

    /// Item `seq` of `tab` went to the socket (`sent`) or was refused.
    fn done(&mut self, tab: TabId, seq: u32, sent: bool) {
        if tab != self.tab {
            return self.act(K::Done, f64::from(tab), seq, 0.0);
        }
        // One of this tab's own: a request stays until it settles.
        let Some(i) = self.items.iter().position(|i| i.seq == seq) else {
            return;
        };
        let Some(item) = self.items.get_mut(i) else {
            return;
        };
        let request = item.request;
        if sent && request {
            item.done = true;
            return;
        }
        self.items.remove(i);
        self.forget(tab, seq);
        if !sent && request {
            // Refused by this tab's session: it never went out.
            self.failed(seq, RequestError::Closed);
        }
    }

    /// What a tab posts for its item: a send, or a request with the time
    /// left.
    fn wire(&self, item: &Item) -> (K, f64) {
        match item.request {
            false => (K::Send, 0.0),
            true => (
                K::Request,
                item.deadline.map_or(0, |d| d.saturating_sub(self.now)) as f64,
            ),
        }
    }

    /// Posts to the owner, if this tab follows a known one.
    fn tell_owner(&mut self, k: K, seq: u32, n: f64) {
        if let Some(owner) = self.owner.filter(|_| self.role == Role::Follower) {
            self.act(k, f64::from(owner), seq, n);
        }
    }

    fn failed(&mut self, seq: u32, error: RequestError) {
        self.act(K::RequestFailed, 0.0, seq, code(error));
    }

    fn forget(&mut self, tab: TabId, seq: u32) {
        self.out.push(forget(tab, seq));
    }

    fn act(&mut self, kind: K, to: f64, seq: u32, n: f64) {
        self.out.push(Act { kind, to, seq, n });
    }
}

fn forget(tab: TabId, seq: u32) -> Act {
    Act {
        kind: K::Forget,
        to: f64::from(tab),
        seq,
        n: 0.0,
    }
}

/// The [`ErrorCode`] index of a failed request.
fn code(error: RequestError) -> f64 {
    f64::from(ErrorCode::of_request(error) as u32)
}

/// An accepted item's seq, or minus the [`SendResult`] of the refusal.
fn item(r: Result<u32, Refused>) -> f64 {
    match r {
        Ok(seq) => f64::from(seq),
        Err(Refused::Full) => -f64::from(SendResult::QueueFull as u32),
        Err(Refused::Closed) => -f64::from(SendResult::Closed as u32),
    }
}

impl Wire {
    /// The message as `(kind, seq, n)` on the channel.
    fn parts(&self) -> (K, u32, f64) {
        match *self {
            Wire::Hello => (K::Hello, 0, 0.0),
            Wire::Owner { fp } => (K::Owner, fp, 0.0),
            Wire::Send { seq } => (K::Send, seq, 0.0),
            Wire::Request { seq, timeout } => (K::Request, seq, timeout as f64),
            Wire::Cancel { seq } => (K::Cancel, seq, 0.0),
            Wire::Done { seq } => (K::Done, seq, 0.0),
            Wire::Reply { seq } => (K::Reply, seq, 0.0),
            Wire::Failed { seq, error } => (K::Failed, seq, code(error)),
            Wire::Tabs { n } => (K::Tabs, 0, f64::from(n)),
            Wire::Bye => (K::Bye, 0, 0.0),
        }
    }
}

/// An [`Act`] as an [`Action`] (`None` for kinds the machine never makes).
fn typed(act: Act) -> Option<Action> {
    let Act { kind, to, seq, n } = act;
    let tab = to as TabId;
    let post = |wire| Action::Post {
        to: (to >= 0.0).then_some(tab),
        wire,
    };
    let error = || ErrorCode::request_error(n as u32);
    Some(match kind {
        K::Hello => post(Wire::Hello),
        K::Owner => post(Wire::Owner { fp: seq }),
        K::Send => post(Wire::Send { seq }),
        K::Request => post(Wire::Request {
            seq,
            timeout: n as u64,
        }),
        K::Cancel => post(Wire::Cancel { seq }),
        K::Done => post(Wire::Done { seq }),
        K::Reply => post(Wire::Reply { seq }),
        K::Failed => post(Wire::Failed {
            seq,
            error: error(),
        }),
        K::Tabs => post(Wire::Tabs { n: n as u32 }),
        K::Bye => post(Wire::Bye),
        K::Connect => Action::Connect,
        K::Watch => Action::Watch { tab },
        K::Give => Action::Give {
            tab,
            seq,
            request: (n >= 0.0).then_some(n as u64),
        },
        K::Forget => Action::Forget { tab, seq },
        K::Drop => Action::Drop { tab, seq },
        K::Release => Action::Release,
        K::Disconnect => Action::Disconnect,
        K::Unshare => Action::Unshare,
        K::Replied => Action::Emit(Event::Replied { seq }),
        K::RequestFailed => Action::Emit(Event::Failed {
            seq,
            error: error(),
        }),
        K::TabCount => Action::Emit(Event::Tabs(n as u32)),
        K::Mismatch => Action::Emit(Event::Mismatch),
        K::NewOwner => Action::Emit(Event::Owner(tab)),
        // The facade's own (Event) and the wrapper's (Arm).
        K::Event | K::Arm => return None,
    })
}

/// Takes the first element `hit` accepts out of `v`, keeping the order of
/// the rest.
fn take<T>(v: &mut Vec<T>, hit: impl Fn(&T) -> bool) -> Option<T> {
    let i = v.iter().position(hit)?;
    Some(v.remove(i))
}
