// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue, packet side (`unsafe` inside): the packet a target is
//! called for, what the target may ask of it, and sending the headers the
//! packet core wrote back, routed like the kernel's own REJECT replies, in
//! the packet's own skb (rewritten) or, when it cannot be reused, a fresh
//! one.

use crate::bindings;
use crate::family::{nfproto, Family};
use crate::pernet::{self, NetCounters};
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
    facts: bindings::xt_tarpit_facts,
    _lifetime: PhantomData<&'a mut bindings::sk_buff>,
}

impl Packet<'_> {
    /// Wraps the arguments of a target call.
    ///
    /// # Safety
    ///
    /// `skb` and `par` must be the pointers netfilter passed to the target
    /// function, used only during that call.
    pub(crate) unsafe fn new<'a>(
        skb: *mut bindings::sk_buff,
        par: *const bindings::xt_action_param,
    ) -> Packet<'a> {
        let mut facts = MaybeUninit::<bindings::xt_tarpit_facts>::uninit();
        // SAFETY: `skb` and `par` are valid (caller's contract); the helper
        // writes every field of `facts`, `net_state` with what
        // `net_generic` holds at our registered id.
        let facts = unsafe {
            bindings::xt_tarpit_packet_facts(skb, par, pernet::id(), facts.as_mut_ptr());
            facts.assume_init()
        };
        // INVARIANT: `skb` per the caller's contract; `facts` were read from
        // it and `par` during this call.
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
    /// there, copied into `buffer` otherwise.
    pub(crate) fn headers<'b>(&'b self, buffer: &'b mut [u8]) -> &'b [u8] {
        let wanted = self.len().min(buffer.len());
        // SAFETY: `skb` is valid (type invariant); `wanted` bytes from
        // offset 0 exist in the packet and fit in `buffer`.
        let found = unsafe {
            bindings::xt_tarpit_skb_header_pointer(
                self.skb,
                0,
                wanted as c_int,
                buffer.as_mut_ptr().cast::<c_void>(),
            )
        };
        if found.is_null() {
            return &buffer[..0];
        }
        if found.cast::<u8>() == buffer.as_ptr() {
            return &buffer[..wanted];
        }
        // SAFETY: a non-NULL result from `skb_header_pointer` that is not
        // our buffer points at `wanted` contiguous bytes of the linear area;
        // the skb outlives `'b` (type invariant) and nothing writes to its
        // data while the target runs.
        unsafe { core::slice::from_raw_parts(found.cast::<u8>(), wanted) }
    }
}

/// Why a reply could not be sent. The incoming packet is dropped anyway.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendError {
    /// No memory for the reply skb (GFP_ATOMIC).
    Allocation,
    /// No route back to the sender.
    Routing,
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

    /// Takes one reply from the namespace's budgets for the current
    /// second (see [`pernet::take_reply_budget`]); false when one is spent.
    pub(crate) fn take_reply_budget(
        &self,
        prefix_hash: u32,
        limit: u32,
        limit_global: u32,
    ) -> bool {
        // SAFETY: `net_state` is the state of the packet's namespace, which
        // is alive during the hook.
        unsafe {
            pernet::take_reply_budget(
                self.facts.net_state,
                prefix_hash,
                limit,
                limit_global,
                self.facts.seconds,
            )
        }
    }

    /// Whether the packet was addressed to this host as unicast at the link
    /// layer and, for IPv4, by its route (not broadcast or multicast). The
    /// address checks themselves are the packet core's.
    pub(crate) fn is_unicast_to_this_host(&self) -> bool {
        if u32::from(self.facts.pkt_type) != bindings::PACKET_HOST {
            return false;
        }
        let route = self.route();
        if route.is_null() {
            return false;
        }
        match self.family() {
            Family::Ipv4 => {
                // SAFETY: an IPv4 packet's dst in INPUT/FORWARD is an
                // `rtable`, valid while the skb holds it.
                let flags = unsafe { bindings::xt_tarpit_rt_flags(route) };
                flags & (bindings::RTCF_BROADCAST | bindings::RTCF_MULTICAST) == 0
            }
            Family::Ipv6 => true,
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

    /// TTL / hop limit for a reply, from the packet's route, as the
    /// kernel's REJECT does.
    pub(crate) fn reply_hop_limit(&self) -> u8 {
        let route = self.route();
        if route.is_null() {
            return DEFAULT_HOP_LIMIT;
        }
        // SAFETY: `route` is the packet's non-NULL dst, valid while the skb
        // holds it; both helpers only read its metrics and device.
        let limit = unsafe {
            match self.family() {
                Family::Ipv4 => bindings::xt_tarpit_ip4_dst_hoplimit(route),
                Family::Ipv6 => bindings::ip6_dst_hoplimit(route),
            }
        };
        u8::try_from(limit).unwrap_or(DEFAULT_HOP_LIMIT)
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

    /// The counters of the packet's namespace, usable after
    /// [`Packet::send_reply`] has taken the packet.
    pub(crate) fn counting(&self) -> Counting<'a> {
        // INVARIANT: the packet's namespace, and so its state, is alive for
        // the hook call, `'a`.
        Counting {
            net_state: self.facts.net_state,
            _lifetime: PhantomData,
        }
    }

    /// Sends `headers` (a complete IP + TCP header block with checksums,
    /// `network_len` bytes of it the network header, never longer than
    /// the packet) back to the sender, routed like REJECT's replies,
    /// attached to the packet's conntrack entry, through LOCAL_OUT.
    ///
    /// The reply is the packet itself, rewritten (no allocation, and no
    /// packet to free): netfilter must then be told it was stolen. A
    /// packet that cannot be rewritten (shared) is answered with a fresh
    /// skb and dropped, as xtables-addons and REJECT do for every packet.
    pub(crate) fn send_reply(
        self,
        headers: &[u8],
        network_len: usize,
    ) -> Result<Verdict, SendError> {
        // SAFETY: `skb` is the packet netfilter passed to this call (type
        // invariant), not used by anyone else while the target runs;
        // `headers` is readable for its length. Nothing read from the skb
        // before (the `headers` view) is used after this call.
        let reused = unsafe {
            bindings::xt_tarpit_reuse_as_reply(
                self.skb,
                headers.as_ptr().cast::<c_void>(),
                headers.len() as c_uint,
                network_len as c_uint,
            )
        };
        match reused {
            0 => {
                // On failure netfilter drops the rewritten packet.
                self.route_and_send(self.skb, headers.len())?;
                Ok(Verdict::Stolen)
            }
            1 => self.send_fresh_reply(headers, network_len),
            _ => Err(SendError::Allocation),
        }
    }

    /// [`Packet::send_reply`] in a fresh skb, as nf_send_reset() does.
    fn send_fresh_reply(&self, headers: &[u8], network_len: usize) -> Result<Verdict, SendError> {
        let mut data = core::ptr::null_mut::<c_void>();
        // SAFETY: plain allocation (GFP_ATOMIC does not sleep, as required
        // in the softirq context targets run in); the route lookup needs a
        // dst to start from, as in nf_send_reset(), and the original's is
        // valid for this call (netfilter hooks run under RCU).
        let reply = unsafe {
            bindings::xt_tarpit_alloc_reply(
                bindings::LL_MAX_HEADER,
                headers.len() as c_uint,
                network_len as c_uint,
                self.route(),
                &mut data,
            )
        };
        if reply.is_null() {
            return Err(SendError::Allocation);
        }
        // SAFETY: `data` points at the `headers.len()` bytes the helper put
        // into the fresh skb `reply`, which we own; `skb` is the valid
        // original (type invariant).
        unsafe {
            core::ptr::copy_nonoverlapping(headers.as_ptr(), data.cast::<u8>(), headers.len());
            bindings::nf_ct_attach(reply, self.skb);
        }
        if let Err(error) = self.route_and_send(reply, headers.len()) {
            // SAFETY: `reply` is ours and was not handed to the stack.
            unsafe { bindings::xt_tarpit_kfree_skb(reply) };
            return Err(error);
        }
        Ok(Verdict::Drop)
    }

    /// Routes `reply` (network header and a dst to start from set) back
    /// to the sender and hands it to LOCAL_OUT, which takes it whatever
    /// the outcome (a drop by a LOCAL_OUT rule is not our failure). On
    /// `Err` the reply was not sent and is still the caller's.
    fn route_and_send(&self, reply: *mut bindings::sk_buff, len: usize) -> Result<(), SendError> {
        let net = self.network();
        // In INPUT the reply's source is one of our addresses: saying so
        // spares ip_route_me_harder() a FIB lookup to classify it (as
        // xtables-addons does; REJECT always asks).
        let source_type = if self.hook() == bindings::nf_inet_hooks_NF_INET_LOCAL_IN {
            bindings::RTN_LOCAL
        } else {
            bindings::RTN_UNSPEC
        };
        // SAFETY: `net` is the packet's namespace, valid during the hook;
        // `reply` is the caller's, with network header and dst set.
        let routed = unsafe {
            match self.family() {
                Family::Ipv4 => {
                    bindings::ip_route_me_harder(net, core::ptr::null_mut(), reply, source_type)
                }
                Family::Ipv6 => bindings::ip6_route_me_harder(net, core::ptr::null_mut(), reply),
            }
        };
        if routed != 0 {
            return Err(SendError::Routing);
        }
        // SAFETY: after a successful lookup `reply` holds its own valid dst.
        let mtu = unsafe { bindings::xt_tarpit_skb_dst_mtu(reply) };
        if (mtu as usize) < len {
            return Err(SendError::Routing);
        }
        // SAFETY: `reply` is the caller's to give away; `ip*_local_out`
        // takes ownership of it whatever the outcome.
        unsafe {
            match self.family() {
                Family::Ipv4 => bindings::ip_local_out(net, core::ptr::null_mut(), reply),
                Family::Ipv6 => bindings::ip6_local_out(net, core::ptr::null_mut(), reply),
            };
        }
        Ok(())
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
/// it was taken in.
#[derive(Clone, Copy)]
pub(crate) struct Counting<'a> {
    net_state: *mut c_void,
    _lifetime: PhantomData<&'a bindings::net>,
}

impl Counting<'_> {
    /// Adds one to counter `index` of the namespace.
    pub(crate) fn count(self, index: usize) {
        // SAFETY: `net_state` is alive (type invariant).
        if let Some(counters) = unsafe { NetCounters::of_state(self.net_state) } {
            counters.increment(index);
        }
    }
}

/// Hop limit when a route has none to give (the kernel's default).
const DEFAULT_HOP_LIMIT: u8 = 64;

/// See [`Packet::stack_shape`].
pub(crate) struct StackShape {
    /// MTU of the device the packet came in on.
    pub(crate) mtu: u32,
    /// `tcp_rmem[1]`.
    pub(crate) default_buffer: u32,
    /// The larger of `tcp_rmem[2]` and `rmem_max`.
    pub(crate) largest_buffer: u32,
}
