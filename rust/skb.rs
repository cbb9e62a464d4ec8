// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue, packet side (`unsafe` inside): the packet a target is
//! called for, what the target may ask of it, and sending the headers the
//! packet core wrote back where the kernel's own REJECT would send them,
//! in the packet's own skb, rewritten.

use crate::bindings;
use crate::family::{nfproto, Family};
use crate::pernet::{self, Monitoring, NetCounters};
use core::ffi::{c_int, c_uint, c_void};
use core::marker::PhantomData;
use core::mem::MaybeUninit;

/// The packet a target is called for.
///
/// # Invariants
///
/// `skb` is the valid pointer netfilter passed to the target function, and
/// stays valid for `'a`, the duration of that call; `facts` were read from
/// it and the call's `xt_action_param` (so `facts.net` and `facts.dst` are
/// live for `'a` too).
pub(crate) struct Packet<'a> {
    skb: *mut bindings::sk_buff,
    facts: &'a bindings::xt_tarpit_facts,
    _lifetime: PhantomData<&'a mut bindings::sk_buff>,
}

impl Packet<'_> {
    /// Wraps the arguments of a target call, with its facts read into
    /// `facts`, the caller's storage (read where they were written: moved
    /// into the packet, they would be copied on every packet).
    ///
    /// # Safety
    ///
    /// `skb` and `par` must be the pointers netfilter passed to the target
    /// function, used only during that call, which `'a` must not outlive.
    pub(crate) unsafe fn new<'a>(
        skb: *mut bindings::sk_buff,
        par: *const bindings::xt_action_param,
        facts: &'a mut MaybeUninit<bindings::xt_tarpit_facts>,
    ) -> Packet<'a> {
        // SAFETY: `skb` and `par` are valid (caller's contract); the helper
        // writes every field of `facts`, `net_state` with what
        // `net_generic` holds at our registered id.
        let facts = unsafe {
            bindings::xt_tarpit_packet_facts(skb, par, pernet::id(), facts.as_mut_ptr());
            facts.assume_init_ref()
        };
        // INVARIANT: `skb` per the caller's contract, for `'a` at most;
        // `facts` were read from it and `par` during this call.
        Packet {
            skb,
            facts,
            _lifetime: PhantomData,
        }
    }

    /// The family of the table whose rule matched.
    pub(crate) fn family(&self) -> Family {
        if self.facts.family == nfproto(Family::Ipv6) {
            Family::Ipv6
        } else {
            Family::Ipv4
        }
    }

    /// Number of bytes from the network header to the end of the packet.
    pub(crate) fn len(&self) -> usize {
        // In a target, `data` points at the network header, so `len` counts
        // from there.
        self.facts.len as usize
    }

    /// The packet's first `min(len, buffer.len())` bytes, from the network
    /// header on: straight from the skb's linear area when they are all
    /// there, copied into `buffer` otherwise. `buffer` needs no
    /// initialising (a packet's every segment would pay for it): only
    /// what `skb_header_pointer` copied into it is read.
    pub(crate) fn headers<'b>(&'b self, buffer: &'b mut [MaybeUninit<u8>]) -> &'b [u8] {
        let wanted = self.len().min(buffer.len());
        // SAFETY: `skb` is valid (type invariant); `wanted` bytes from
        // offset 0 exist in the packet and fit in `buffer`, which the
        // helper only writes to.
        let found = unsafe {
            bindings::xt_tarpit_skb_header_pointer(
                self.skb,
                0,
                wanted as c_int,
                buffer.as_mut_ptr().cast::<c_void>(),
            )
        };
        if found.is_null() {
            return &[];
        }
        // SAFETY: a non-NULL result from `skb_header_pointer` points at
        // `wanted` initialised, contiguous bytes: either our buffer, into
        // which it copied them, or the linear area; the skb outlives `'b`
        // (type invariant), and nothing writes to its data while the view
        // lives: the only writer, `send_reply`, consumes the packet the
        // view borrows.
        unsafe { core::slice::from_raw_parts(found.cast::<u8>(), wanted) }
    }
}

/// Why a reply could not be sent. The incoming packet is dropped anyway.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendError {
    /// No memory for the reply skb (GFP_ATOMIC).
    Allocation,
    /// No route back to the sender (or, bridged, no bridge port).
    Routing,
    /// The reply would come back to this host: see [`Packet::send_reply`].
    Loop,
}

impl<'a> Packet<'a> {
    fn network(&self) -> *mut bindings::net {
        self.facts.net
    }

    /// The rule's target data (`par->targinfo`), valid during the call.
    pub(crate) fn target_data(&self) -> *const c_void {
        self.facts.targinfo
    }

    /// The `validate_acks` module parameter, as read for this packet.
    pub(crate) fn validate_acks(&self) -> bool {
        self.facts.validate_acks
    }

    /// The `synack_window` module parameter, as read for this packet.
    pub(crate) fn synack_window(&self) -> u16 {
        self.facts.synack_window
    }

    fn hook(&self) -> c_uint {
        self.facts.hook
    }

    /// The packet's route (NULL if it has none), valid while the skb holds
    /// it, that is for the whole target call.
    fn route(&self) -> *mut bindings::dst_entry {
        self.facts.dst
    }

    /// The identity of the rule being run: its target data's address,
    /// folded to 32 bits. Stable while the rule is in place (a table
    /// replacement makes new rules, with new budgets); it only keys the
    /// limiter's hashes and is never shown.
    pub(crate) fn rule_id(&self) -> u32 {
        let address = self.facts.targinfo as usize as u64;
        (address ^ (address >> 32)) as u32
    }

    /// Takes one reply from the rule's budgets in the packet's namespace
    /// for the current second (see [`pernet::take_reply_budget`]); false
    /// when one is spent.
    pub(crate) fn take_reply_budget(
        &self,
        prefix_hash: u32,
        rule_hash: u32,
        limit: u32,
        limit_global: u32,
    ) -> bool {
        // SAFETY: `net_state` is the state of the packet's namespace, which
        // is alive during the hook.
        unsafe {
            pernet::take_reply_budget(
                self.facts.net_state,
                prefix_hash,
                rule_hash,
                limit,
                limit_global,
                self.facts.seconds,
            )
        }
    }

    /// Whether the packet was addressed to this host as unicast at the link
    /// layer and by its route: not broadcast or multicast (IPv4), and, in
    /// INPUT, to one of this host's unicast addresses, not an anycast one
    /// (IPv6: what Linux's own TCP asks, `ipv6_unicast_destination()`).
    /// The address checks themselves are the packet core's.
    pub(crate) fn is_unicast_to_this_host(&self) -> bool {
        if u32::from(self.facts.pkt_type) != bindings::PACKET_HOST || self.route().is_null() {
            return false;
        }
        let flags = self.facts.route_flags;
        match self.family() {
            Family::Ipv4 => flags & (bindings::RTCF_BROADCAST | bindings::RTCF_MULTICAST) == 0,
            Family::Ipv6 => {
                self.hook() != bindings::nf_inet_hooks_NF_INET_LOCAL_IN
                    || flags & bindings::RTF_LOCAL != 0
            }
        }
    }

    /// Verifies the TCP checksum the way netfilter does, honouring
    /// checksum offload (`CHECKSUM_COMPLETE` / `CHECKSUM_UNNECESSARY`).
    pub(crate) fn tcp_checksum_is_valid(&self, tcp_offset: usize) -> bool {
        let protocol = bindings::IPPROTO_TCP as u8;
        // SAFETY: `skb` is valid and writable (type invariant); the
        // checksum helpers may only update its checksum state. `tcp_offset`
        // is within the packet (the packet core checked it).
        let sum = unsafe {
            match self.family() {
                Family::Ipv4 => {
                    bindings::nf_ip_checksum(self.skb, self.hook(), tcp_offset as c_uint, protocol)
                }
                Family::Ipv6 => {
                    bindings::nf_ip6_checksum(self.skb, self.hook(), tcp_offset as c_uint, protocol)
                }
            }
        };
        sum == 0
    }

    /// What the local TCP stack's own SYN-ACK to this packet would be
    /// shaped by: the MTU of the device the packet came in on (the reply
    /// goes back out through it; the stack's MSS is that MTU less the
    /// headers unless a route sets another), its default receive buffer
    /// (`tcp_rmem[1]`) and the largest one it may grow to (the larger of
    /// `tcp_rmem[2]` and `rmem_max`).
    pub(crate) fn stack_shape(&self) -> StackShape {
        let mut shape = MaybeUninit::<bindings::xt_tarpit_shape>::uninit();
        // SAFETY: `skb` is valid (type invariant) and `net` is the packet's
        // namespace, alive during the hook; the helper reads the device's
        // MTU and three sysctls, and writes every field of `shape`.
        let shape = unsafe {
            bindings::xt_tarpit_stack_shape(self.skb, self.network(), shape.as_mut_ptr());
            shape.assume_init()
        };
        StackShape {
            mtu: shape.mtu,
            default_buffer: u32::try_from(shape.rmem_default).unwrap_or(0),
            largest_buffer: u32::try_from(shape.rmem_largest)
                .unwrap_or(0)
                .max(shape.rmem_max),
        }
    }

    /// The monitoring sketches of the packet's namespace, if a TARPIT rule
    /// set them up (one did: the rule being run).
    pub(crate) fn monitoring(&self) -> Option<Monitoring<'a>> {
        // SAFETY: `net_state` is the state of the packet's namespace, alive
        // for the hook call, `'a`, which runs with bottom halves off on the
        // CPU whose offset the facts hold.
        unsafe { Monitoring::of(self.facts.net_state, self.facts.cpu_offset as usize) }
    }

    /// The time, in seconds (`jiffies / HZ`), as read for this packet.
    pub(crate) fn seconds(&self) -> u32 {
        self.facts.seconds
    }

    /// The `held_epoch` module parameter, as read for this packet.
    pub(crate) fn held_epoch(&self) -> u32 {
        self.facts.held_epoch
    }

    /// The counters of the packet's namespace, usable after
    /// [`Packet::send_reply`] has taken the packet.
    pub(crate) fn counting(&self) -> Counting<'a> {
        // INVARIANT: the packet's namespace, and so its state, is alive for
        // the hook call, `'a`, which runs with bottom halves off on the CPU
        // whose offset the facts hold.
        Counting {
            net_state: self.facts.net_state,
            cpu_offset: self.facts.cpu_offset as usize,
            _lifetime: PhantomData,
        }
    }

    /// Turns the packet into its reply, `len` bytes, the first
    /// `network_len` of them the network header, which `write` writes
    /// (a complete IP + TCP header block with checksums; `write` returns
    /// false when it wrote nothing, which a reply of `len` bytes never
    /// does), and sends it back to the sender where the kernel's REJECT
    /// would send it: routed as REJECT routes its resets (see
    /// `xt_tarpit_route_reply()`), with the packet's mark when the
    /// `fwmark_reflect` sysctl says so, attached to the packet's conntrack
    /// entry, through LOCAL_OUT; or, for a bridged packet, straight out of
    /// the bridge port it came in on, MAC addresses swapped. The TTL / hop
    /// limit `write` writes is replaced by the route's.
    ///
    /// The reply is the packet itself, rewritten in place (no allocation,
    /// no copy, and no packet to free): netfilter must then be told it was
    /// stolen. Every packet a target sees can be: `ip_rcv()`, `ipv6_rcv()`
    /// and `br_handle_frame()` unshare the skbs they pass on, and no reply
    /// is longer than the segment it answers (rust/packet/write.rs).
    pub(crate) fn send_reply(
        self,
        len: usize,
        network_len: usize,
        write: impl FnOnce(&mut [u8]) -> bool,
    ) -> Result<Verdict, SendError> {
        let net = self.network();
        let mut origin = MaybeUninit::<bindings::xt_tarpit_bridge_origin>::uninit();
        if self.facts.bridged {
            // SAFETY: `skb` is valid (type invariant), `net` its namespace;
            // the helper fills `origin` when it returns true, with a port
            // that stays valid under the RCU read lock hooks run in.
            let found =
                unsafe { bindings::xt_tarpit_bridge_origin(self.skb, net, origin.as_mut_ptr()) };
            if !found {
                return Err(SendError::Routing);
            }
        }
        // SAFETY: `skb` is the packet netfilter passed to this call (type
        // invariant), not used by anyone else while the target runs. No
        // view of its data taken before (`Packet::headers`) is alive: they
        // borrow `self`, which this call consumes.
        let data = unsafe {
            bindings::xt_tarpit_reuse_as_reply(
                self.skb,
                len as c_uint,
                network_len as c_uint,
                self.facts.reply_mark,
            )
        };
        // On any failure from here on, netfilter drops the rewritten packet.
        if data.is_null() {
            return Err(SendError::Allocation);
        }
        // SAFETY: the helper returned the skb's data, `len` private, linear
        // bytes (initialised: the original's), which only this slice
        // reaches until it is dropped at the end of `write`.
        let out = unsafe { core::slice::from_raw_parts_mut(data.cast::<u8>(), len) };
        if !write(out) {
            return Err(SendError::Allocation);
        }
        if self.facts.bridged {
            // SAFETY: `origin` was filled above; the reply is ours to give
            // away, and the helper takes it only when it returns 0.
            let sent = unsafe {
                bindings::xt_tarpit_bridge_xmit(self.skb, origin.as_ptr(), self.facts.family)
            };
            return if sent == 0 {
                Ok(Verdict::Stolen)
            } else {
                Err(SendError::Allocation)
            };
        }
        // In INPUT the reply's source is one of our addresses: saying so
        // spares ip_route_me_harder() a FIB lookup to classify it (as
        // xtables-addons does; REJECT always asks).
        let source_type = if self.hook() == bindings::nf_inet_hooks_NF_INET_LOCAL_IN {
            bindings::RTN_LOCAL
        } else {
            bindings::RTN_UNSPEC
        };
        let in_ifindex = if self.facts.in_loopback {
            0
        } else {
            self.facts.in_ifindex
        };
        // SAFETY: `net` is the packet's namespace, valid during the hook;
        // the reply has its headers written and its original route.
        let routed = unsafe {
            bindings::xt_tarpit_route_reply(
                net,
                self.skb,
                self.facts.family,
                source_type,
                in_ifindex,
            )
        };
        match routed {
            0 => {}
            // Routed back to this host although the packet came from
            // outside: its source is one of our own addresses, spoofed,
            // and the reply would reach the rule again (a loop when ACKs
            // are not validated). From loopback it is a local client.
            1 if !self.facts.in_loopback => return Err(SendError::Loop),
            1 => {}
            _ => return Err(SendError::Routing),
        }
        // SAFETY: the reply is routed and ours to give away;
        // `ip*_local_out` takes ownership of it whatever the outcome (a
        // drop by a LOCAL_OUT rule is not our failure).
        unsafe {
            match self.family() {
                Family::Ipv4 => bindings::ip_local_out(net, core::ptr::null_mut(), self.skb),
                Family::Ipv6 => bindings::ip6_local_out(net, core::ptr::null_mut(), self.skb),
            };
        }
        Ok(Verdict::Stolen)
    }
}

/// What netfilter does with the packet once the target has handled it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Drop it (`NF_DROP`): it was not answered, or answered by a copy.
    Drop,
    /// Leave it alone (`NF_STOLEN`): it became the reply and was sent.
    Stolen,
}

/// The counters of a packet's namespace (see [`Packet::counting`]).
///
/// # Invariants
///
/// `net_state` is the state of a namespace alive for `'a`, the target call
/// it was taken in, which runs with bottom halves off on the CPU whose
/// per-CPU areas are at `cpu_offset`.
#[derive(Clone, Copy)]
pub(crate) struct Counting<'a> {
    net_state: *mut c_void,
    cpu_offset: usize,
    _lifetime: PhantomData<&'a bindings::net>,
}

impl Counting<'_> {
    /// Adds one to counter `index` of the namespace.
    pub(crate) fn count(self, index: usize) {
        // SAFETY: `net_state` is alive and the call runs on the CPU at
        // `cpu_offset`, with bottom halves off (type invariant).
        if let Some(counters) = unsafe { NetCounters::of_state(self.net_state) } {
            // SAFETY: as above.
            unsafe { counters.increment(index, self.cpu_offset) };
        }
    }
}

/// TTL / hop limit written into a reply before it is routed: the route's
/// replaces it; a bridged reply, not routed, keeps it (the kernel's default
/// for both families).
pub(crate) const PLACEHOLDER_HOP_LIMIT: u8 = 64;

/// See [`Packet::stack_shape`].
pub(crate) struct StackShape {
    /// MTU of the device the packet came in on.
    pub(crate) mtu: u32,
    /// `tcp_rmem[1]`.
    pub(crate) default_buffer: u32,
    /// The larger of `tcp_rmem[2]` and `rmem_max`.
    pub(crate) largest_buffer: u32,
}
