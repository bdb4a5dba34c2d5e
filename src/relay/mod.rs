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
//! Time is milliseconds from any fixed origin, as in `session`.

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
    request: Option<u64>,
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
    /// A [`Action::Give`] is out and not yet reported [`Input::Given`].
    giving: bool,
    warned: bool,
    now: u64,
    out: Fifo<Action>,
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

    /// The next thing to do.
    pub fn poll(&mut self) -> Option<Action> {
        self.out.pop()
    }

    /// The earliest deadline of this tab's requests.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.items.iter().filter_map(|i| i.deadline).min()
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
            self.tell_owner(Wire::Cancel { seq });
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
            Role::Follower => self.tell_owner(Wire::Cancel { seq }),
            // Given to this tab's own session: forget it there.
            _ if item.done => self.out.push(Action::Drop { tab: self.tab, seq }),
            _ => {}
        }
        true
    }

    /// This tab's app closed its socket: detach (or hand over / close).
    pub fn close(&mut self) {
        match self.role {
            Role::Closed => return,
            Role::Owner if !self.peers.is_empty() => self.out.push(Action::Release),
            Role::Owner | Role::Solo => self.out.push(Action::Disconnect),
            Role::Follower => {}
        }
        if self.role != Role::Solo {
            self.post(None, Wire::Bye);
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
                self.emit(Event::Failed {
                    seq: item.seq,
                    error: RequestError::Closed,
                });
            }
        }
    }

    /// Feeds what happened.
    pub fn handle(&mut self, input: Input, now: u64) {
        self.now = now;
        if self.role == Role::Closed {
            return;
        }
        match input {
            Input::Present => {
                self.post(None, Wire::Hello);
            }
            Input::Granted if self.role == Role::Follower => self.take_over(),
            Input::Granted => {}
            Input::Foreign => self.unshare(),
            Input::Heard { from, wire } => self.heard(from, wire),
            Input::Gone { tab } => self.gone(tab),
            Input::Open(open) => {
                self.open = open;
                self.flush();
            }
            Input::Given { tab, seq, sent } => {
                self.giving = false;
                if self.held.iter().any(|h| h.tab == tab && h.seq == seq) {
                    if !sent {
                        // Refused (the connection closed in between): it
                        // stays first, given again at the next open.
                        self.open = false;
                        return;
                    }
                    take(&mut self.held, |h| h.tab == tab && h.seq == seq);
                    self.forget(tab, seq);
                }
                self.done(tab, seq, sent);
                self.flush();
            }
            Input::Settled { tab, seq, result } if tab == self.tab => self.settle(seq, result),
            Input::Settled { tab, seq, result } => {
                let wire = match result {
                    Ok(()) => Wire::Reply { seq },
                    Err(error) => Wire::Failed { seq, error },
                };
                self.post(Some(tab), wire);
            }
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
        self.tell_owner(wire(&item, self.now));
        Ok(seq)
    }

    fn settle(&mut self, seq: u32, result: Result<(), RequestError>) {
        if take(&mut self.items, |i| i.seq == seq).is_none() {
            return; // settled already (a late reply, a timeout raced it)
        }
        self.emit(match result {
            Ok(()) => Event::Replied { seq },
            Err(error) => Event::Failed { seq, error },
        });
        self.forget(self.tab, seq);
    }

    /// The owner changed (to `owner`, maybe this tab): requests already
    /// sent lost their connection; everything else is handed over again.
    fn new_owner(&mut self, owner: TabId) {
        self.owner = Some(owner);
        self.emit(Event::Owner(owner));
        while let Some(seq) = self.items.iter().find(|i| i.done).map(|i| i.seq) {
            self.settle(seq, Err(RequestError::ConnectionLost));
        }
        if owner == self.tab {
            // This tab's own session takes them now, ahead of anything its
            // app sends from here on (its queue keeps them until the open).
            let me = self.tab;
            for item in &self.items {
                self.out.push(Action::Give {
                    tab: me,
                    seq: item.seq,
                    request: item
                        .request
                        .then(|| item.deadline.map_or(0, |d| d.saturating_sub(self.now))),
                });
            }
            // The session keeps their deadlines from here on.
            for item in self.items.iter_mut() {
                item.deadline = None;
            }
            return;
        }
        self.post(Some(owner), Wire::Hello);
        for item in &self.items {
            let wire = wire(item, self.now);
            self.out.push(Action::Post {
                to: Some(owner),
                wire,
            });
        }
    }

    fn heard(&mut self, from: TabId, wire: Wire) {
        match wire {
            Wire::Owner { fp } => {
                if self.role == Role::Owner {
                    return; // the lock makes this impossible; keep ours
                }
                if fp != self.fp && !self.warned {
                    self.warned = true;
                    self.emit(Event::Mismatch);
                }
                if self.role == Role::Follower && self.owner != Some(from) {
                    self.new_owner(from);
                }
            }
            Wire::Done { seq } if self.owner == Some(from) => self.done(self.tab, seq, true),
            Wire::Reply { seq } if self.owner == Some(from) => self.settle(seq, Ok(())),
            Wire::Failed { seq, error } if self.owner == Some(from) => self.settle(seq, Err(error)),
            Wire::Tabs { n } if self.owner == Some(from) => self.emit(Event::Tabs(n)),
            Wire::Bye if self.owner == Some(from) => self.owner = None,
            // Not the owner (any more): what was sent to it is not its.
            Wire::Send { seq } | Wire::Request { seq, .. } if self.role != Role::Owner => {
                self.forget(from, seq)
            }
            _ if self.role != Role::Owner => {}
            // ----- what the owner hears
            Wire::Hello => {
                // Owner first: the tab heeds the count only from its owner.
                self.post(Some(from), Wire::Owner { fp: self.fp });
                self.join(from);
            }
            Wire::Send { seq } => self.hold(from, seq, None),
            Wire::Request { seq, timeout } => self.hold(from, seq, Some(timeout)),
            Wire::Cancel { seq } => match take(&mut self.held, |h| h.tab == from && h.seq == seq) {
                Some(_) => self.forget(from, seq),
                None => self.out.push(Action::Drop { tab: from, seq }),
            },
            Wire::Bye => self.gone(from),
            _ => {}
        }
    }

    // ----- owner side ---------------------------------------------------

    fn take_over(&mut self) {
        self.role = Role::Owner;
        self.open = false;
        self.out.push(Action::Connect);
        self.post(None, Wire::Owner { fp: self.fp });
        // Counted afresh: the other tabs join again as they hear of it.
        self.tabs_changed();
        self.new_owner(self.tab);
    }

    fn unshare(&mut self) {
        if self.role != Role::Follower {
            return; // the owner keeps its connection; the other tab goes solo
        }
        self.role = Role::Solo;
        self.out.push(Action::Unshare);
        self.new_owner(self.tab);
        self.owner = None;
    }

    fn join(&mut self, tab: TabId) {
        if tab == self.tab || self.peers.contains(&tab) {
            return;
        }
        self.peers.push(tab);
        self.out.push(Action::Watch { tab });
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
                    out.push(Action::Forget { tab, seq: h.seq });
                }
                !gone
            });
            self.tabs_changed();
        }
    }

    fn tabs_changed(&mut self) {
        let n = self.tabs();
        self.post(None, Wire::Tabs { n });
        self.emit(Event::Tabs(n));
    }

    fn hold(&mut self, tab: TabId, seq: u32, request: Option<u64>) {
        self.join(tab);
        self.held.push(Held { tab, seq, request });
        self.flush();
    }

    /// Gives the first held item if the connection is open (the rest follow
    /// one by one as each is reported [`Input::Given`]).
    fn flush(&mut self) {
        if !self.open || self.giving || self.role != Role::Owner {
            return;
        }
        if let Some(h) = self.held.first() {
            self.giving = true;
            let give = Action::Give {
                tab: h.tab,
                seq: h.seq,
                request: h.request,
            };
            self.out.push(give);
        }
    }

    /// Item `seq` of `tab` went to the socket (`sent`) or was refused.
    fn done(&mut self, tab: TabId, seq: u32, sent: bool) {
        if tab != self.tab {
            return self.post(Some(tab), Wire::Done { seq });
        }
        // One of this tab's own: a request stays until it settles.
        let Some(request) = self.items.iter().find(|i| i.seq == seq).map(|i| i.request) else {
            return;
        };
        if sent && request {
            for item in self.items.iter_mut().filter(|i| i.seq == seq) {
                item.done = true;
            }
            return;
        }
        take(&mut self.items, |i| i.seq == seq);
        self.forget(tab, seq);
        if !sent && request {
            // Refused by this tab's session: it never went out.
            self.emit(Event::Failed {
                seq,
                error: RequestError::Closed,
            });
        }
    }

    /// Posts to the owner, if this tab follows a known one.
    fn tell_owner(&mut self, wire: Wire) {
        if let Some(owner) = self.owner.filter(|_| self.role == Role::Follower) {
            self.post(Some(owner), wire);
        }
    }

    fn post(&mut self, to: Option<TabId>, wire: Wire) {
        self.out.push(Action::Post { to, wire });
    }

    fn emit(&mut self, event: Event) {
        self.out.push(Action::Emit(event));
    }

    fn forget(&mut self, tab: TabId, seq: u32) {
        self.out.push(Action::Forget { tab, seq });
    }
}

/// What a tab posts for its item: a send, or a request with the time left.
fn wire(item: &Item, now: u64) -> Wire {
    let seq = item.seq;
    match item.request {
        false => Wire::Send { seq },
        true => Wire::Request {
            seq,
            timeout: item.deadline.map_or(0, |d| d.saturating_sub(now)),
        },
    }
}

/// Takes the first element `hit` accepts out of `v`. (`retain`, not
/// `position` + `remove`: their panics would pull integer formatting into
/// the wasm module.)
fn take<T: Copy>(v: &mut Vec<T>, hit: impl Fn(&T) -> bool) -> Option<T> {
    let mut taken = None;
    v.retain(|x| {
        let first = taken.is_none() && hit(x);
        if first {
            taken = Some(*x);
        }
        !first
    });
    taken
}
