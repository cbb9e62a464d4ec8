// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue: the only layer of the module with `unsafe` code.
//!
//! It turns the xtables registration API into a [`Registration`] owned by
//! the module, hands each packet to a safe [`Target`] implementation as a
//! [`Packet`], and sends the headers the packet core wrote as a fresh reply
//! skb routed like the kernel's own REJECT replies.

use crate::bindings;
use crate::pernet::NetCounters;
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint, c_void, CStr};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use kernel::error::to_result;
use kernel::prelude::*;

pub(crate) use crate::packet::Family;

const FAMILIES: [Family; 2] = [Family::Ipv4, Family::Ipv6];

fn nfproto(family: Family) -> u8 {
    match family {
        Family::Ipv4 => bindings::NFPROTO_IPV4 as u8,
        Family::Ipv6 => bindings::NFPROTO_IPV6 as u8,
    }
}

/// Hooks a TARPIT-like target can answer from: INPUT and FORWARD, as in
/// xtables-addons. Replies from OUTPUT or PREROUTING would bypass the
/// routing decision the reply path relies on.
const ANSWERING_HOOKS: c_uint =
    (1 << bindings::nf_inet_hooks_NF_INET_LOCAL_IN) | (1 << bindings::nf_inet_hooks_NF_INET_FORWARD);

/// A netfilter target written in safe Rust.
pub(crate) trait Target {
    /// Name matched against `-j NAME`.
    const NAME: &'static CStr;
    /// Revision of the target data layout.
    const REVISION: u8;
    /// Size of the target data the rule carries (before `XT_ALIGN`).
    const DATA_SIZE: usize;

    /// Accepts or refuses a new rule's target data.
    fn check(rule: &RuleCheck<'_>) -> Result;

    /// Handles one packet; the packet is always dropped afterwards.
    fn handle(packet: &mut Packet<'_>, data: &[u8]);
}

/// Storage for the `xt_target` entries of one registration (IPv4 + IPv6).
///
/// # Invariants
///
/// The entries are written only by [`Registration::register`] before they
/// are handed to `xt_register_targets`; while registered, only netfilter
/// touches them.
pub(crate) struct TargetTable(UnsafeCell<MaybeUninit<[bindings::xt_target; 2]>>);

// SAFETY: per the type invariant, the only writer runs before registration
// (module init, single-threaded); netfilter serialises its own accesses.
unsafe impl Sync for TargetTable {}

impl TargetTable {
    /// An empty table, for a `static`.
    pub(crate) const fn new() -> Self {
        TargetTable(UnsafeCell::new(MaybeUninit::zeroed()))
    }
}

/// A target registered with xtables for IPv4 and IPv6; unregistered on drop.
pub(crate) struct Registration {
    table: &'static TargetTable,
}

impl Registration {
    /// Registers target `T` for both families, using `table` as storage.
    pub(crate) fn register<T: Target>(
        module: &'static ThisModule,
        table: &'static TargetTable,
    ) -> Result<Self> {
        let entries = table.0.get().cast::<bindings::xt_target>();
        for (index, family) in FAMILIES.into_iter().enumerate() {
            let entry = xt_target_for::<T>(module, family)?;
            // SAFETY: `entries` points to two `xt_target`s in a `'static`
            // table; `index < 2`; the table is not registered yet, so this
            // is its only user (type invariant).
            unsafe { entries.add(index).write(entry) };
        }
        // SAFETY: the two entries are fully initialised and live in static
        // memory, so they outlive the registration, which `Drop` undoes.
        // On failure xtables has registered none of them.
        to_result(unsafe { bindings::xt_register_targets(entries, 2) })?;
        Ok(Registration { table })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: `register` succeeded for exactly these two entries, and
        // this is the only place that unregisters them.
        unsafe { bindings::xt_unregister_targets(self.table.0.get().cast(), 2) };
    }
}

/// Builds one family's `xt_target` for `T`.
fn xt_target_for<T: Target>(
    module: &'static ThisModule,
    family: Family,
) -> Result<bindings::xt_target> {
    let mut entry = bindings::xt_target::default();
    let name = T::NAME.to_bytes();
    if name.len() >= entry.name.len() {
        return Err(EINVAL);
    }
    for (slot, &byte) in entry.name.iter_mut().zip(name) {
        *slot = byte as _;
    }
    entry.revision = T::REVISION;
    entry.family = nfproto(family).into();
    entry.hooks = ANSWERING_HOOKS;
    // No `proto`: xtables would refuse a rule without `-p tcp` with a terse
    // message of its own; `T::check` refuses it saying what to write.
    entry.targetsize = T::DATA_SIZE as c_uint;
    entry.target = Some(target_trampoline::<T>);
    entry.checkentry = Some(checkentry_trampoline::<T>);
    entry.me = module.as_ptr().cast();
    Ok(entry)
}

/// A rule being inserted, as `checkentry` sees it.
///
/// # Invariants
///
/// `params` is the parameter block xtables passed to `checkentry`; its
/// `entryinfo` points to an `ipt_entry` (IPv4) or `ip6t_entry` (IPv6), as
/// both ip(6)_tables and nft_compat provide.
pub(crate) struct RuleCheck<'a> {
    params: &'a bindings::xt_tgchk_param,
    data: &'a [u8],
}

impl RuleCheck<'_> {
    /// The rule's target data.
    pub(crate) fn data(&self) -> &[u8] {
        self.data
    }

    /// Whether the rule matches TCP only (`-p tcp`, not inverted).
    pub(crate) fn matches_only_tcp(&self) -> bool {
        let tcp = bindings::IPPROTO_TCP as u16;
        let inverted = bindings::XT_INV_PROTO as u8;
        if self.params.family == nfproto(Family::Ipv6) {
            // SAFETY: per the type invariant, an IPv6 rule's entry is an
            // `ip6t_entry`, valid for the duration of the check.
            let entry = unsafe { &(*self.params.entryinfo.cast::<bindings::ip6t_entry>()).ipv6 };
            entry.flags & bindings::IP6T_F_PROTO as u8 != 0
                && entry.proto == tcp
                && entry.invflags & inverted == 0
        } else {
            // SAFETY: per the type invariant, an IPv4 rule's entry is an
            // `ipt_entry`, valid for the duration of the check.
            let entry = unsafe { &(*self.params.entryinfo.cast::<bindings::ipt_entry>()).ip };
            entry.proto == tcp && entry.invflags & inverted == 0
        }
    }
}

/// Logs `message` (without the module prefix, which is added) at most a few
/// times per second: rules can be inserted from unprivileged user
/// namespaces, so refusals must not flood the log.
pub(crate) fn log_ratelimited(message: &CStr) {
    // SAFETY: `message` is a valid NUL-terminated string for the call.
    unsafe { bindings::xt_tarpit_pr_info_ratelimited(message.as_ptr()) };
}

unsafe extern "C" fn checkentry_trampoline<T: Target>(par: *const bindings::xt_tgchk_param) -> c_int {
    // SAFETY: xtables passes a valid parameter block for the duration of
    // the call.
    let params = unsafe { &*par };
    // SAFETY: xtables has checked that the rule's target data is
    // `XT_ALIGN(targetsize)` bytes long, so `DATA_SIZE` bytes are readable.
    let data = unsafe { core::slice::from_raw_parts(params.targinfo.cast::<u8>(), T::DATA_SIZE) };
    match T::check(&RuleCheck { params, data }) {
        Ok(()) => 0,
        Err(error) => error.to_errno(),
    }
}

unsafe extern "C" fn target_trampoline<T: Target>(
    skb: *mut bindings::sk_buff,
    par: *const bindings::xt_action_param,
) -> c_uint {
    // SAFETY: xtables passes a valid parameter block for the duration of
    // the call; the target data is `DATA_SIZE` bytes (checked at insertion).
    let data = unsafe {
        let info = bindings::xt_tarpit_targinfo(par).cast::<u8>();
        core::slice::from_raw_parts(info, T::DATA_SIZE)
    };
    let mut packet = Packet {
        skb,
        par,
        _lifetime: PhantomData,
    };
    T::handle(&mut packet, data);
    bindings::NF_DROP
}

/// The packet a target is called for.
///
/// # Invariants
///
/// `skb` and `par` are the valid pointers netfilter passed to the target
/// function, and stay valid for `'a`, the duration of that call.
pub(crate) struct Packet<'a> {
    skb: *mut bindings::sk_buff,
    par: *const bindings::xt_action_param,
    _lifetime: PhantomData<&'a mut bindings::sk_buff>,
}

impl Packet<'_> {
    /// The family of the table whose rule matched.
    pub(crate) fn family(&self) -> Family {
        // SAFETY: `par` is valid (type invariant) and so is its hook state.
        let pf = unsafe { (*(*self.par).state).pf };
        if pf == nfproto(Family::Ipv6) {
            Family::Ipv6
        } else {
            Family::Ipv4
        }
    }

    /// Number of bytes from the network header to the end of the packet.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: `skb` is valid (type invariant); in a target, `data`
        // points at the network header, so `len` counts from there.
        unsafe { (*self.skb).len as usize }
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

impl Packet<'_> {
    fn network(&self) -> *mut bindings::net {
        // SAFETY: `par` is valid (type invariant).
        unsafe { bindings::xt_tarpit_net(self.par) }
    }

    fn hook(&self) -> c_uint {
        // SAFETY: `par` is valid (type invariant).
        unsafe { bindings::xt_tarpit_hooknum(self.par) }
    }

    fn route(&self) -> *mut bindings::dst_entry {
        // SAFETY: `skb` is valid (type invariant).
        unsafe { bindings::xt_tarpit_skb_dst(self.skb) }
    }

    /// Adds one to counter `index` of the packet's namespace.
    pub(crate) fn count(&self, index: usize) {
        // SAFETY: the packet's namespace is alive during the hook.
        if let Some(counters) = unsafe { NetCounters::of(self.network()) } {
            counters.increment(index);
        }
    }

    /// Whether the packet was addressed to this host as unicast at the link
    /// layer and, for IPv4, by its route (not broadcast or multicast). The
    /// address checks themselves are the packet core's.
    pub(crate) fn is_unicast_to_this_host(&self) -> bool {
        // SAFETY: `skb` is valid (type invariant).
        let pkt_type = unsafe { bindings::xt_tarpit_pkt_type(self.skb) };
        if u32::from(pkt_type) != bindings::PACKET_HOST {
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
                Family::Ipv6 => bindings::nf_ip6_checksum(
                    self.skb,
                    self.hook(),
                    tcp_offset as c_uint,
                    protocol,
                ),
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

    /// Sends `headers` (a complete IP + TCP header block with checksums,
    /// `network_len` bytes of it the network header) back to the sender:
    /// in a fresh skb, routed like REJECT's replies, attached to the
    /// packet's conntrack entry, through LOCAL_OUT.
    pub(crate) fn send_reply(&self, headers: &[u8], network_len: usize) -> Result<(), SendError> {
        let reserve = bindings::LL_MAX_HEADER as usize;
        // SAFETY: plain allocation; GFP_ATOMIC does not sleep, as required
        // in the softirq context targets run in.
        let reply = unsafe { bindings::xt_tarpit_alloc_skb_atomic((reserve + headers.len()) as c_uint) };
        if reply.is_null() {
            return Err(SendError::Allocation);
        }
        // SAFETY: `reply` is a fresh skb we own with room for `reserve`
        // bytes of headroom plus `headers.len()` bytes of data (requested
        // above); `skb_put` returns a pointer to exactly those bytes.
        unsafe {
            bindings::xt_tarpit_skb_reserve(reply, reserve as c_int);
            let data = bindings::skb_put(reply, headers.len() as c_uint).cast::<u8>();
            core::ptr::copy_nonoverlapping(headers.as_ptr(), data, headers.len());
            bindings::xt_tarpit_skb_reset_network_header(reply);
            bindings::xt_tarpit_skb_set_transport_header(reply, network_len as c_int);
            // The route lookup below needs a dst to start from, as in
            // nf_send_reset(); the original's is valid for this call
            // (netfilter hooks run under RCU).
            bindings::xt_tarpit_skb_dst_set_noref(reply, self.route());
        }
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
        // `reply` is ours, with network header and dst set.
        let routed = unsafe {
            match self.family() {
                Family::Ipv4 => bindings::ip_route_me_harder(
                    net,
                    core::ptr::null_mut(),
                    reply,
                    source_type,
                ),
                Family::Ipv6 => bindings::ip6_route_me_harder(net, core::ptr::null_mut(), reply),
            }
        };
        // SAFETY: after a successful lookup `reply` holds its own valid dst.
        let fits = || unsafe { bindings::xt_tarpit_dst_mtu(bindings::xt_tarpit_skb_dst(reply)) } as usize >= headers.len();
        if routed != 0 || !fits() {
            // SAFETY: `reply` is ours and not yet handed to the stack.
            unsafe { bindings::xt_tarpit_kfree_skb(reply) };
            return Err(SendError::Routing);
        }
        // SAFETY: `reply` is ours; `skb` is the valid original (type
        // invariant). `ip*_local_out` takes ownership of `reply` whatever
        // the outcome (a drop by a LOCAL_OUT rule is not our failure).
        unsafe {
            bindings::nf_ct_attach(reply, self.skb);
            match self.family() {
                Family::Ipv4 => bindings::ip_local_out(net, core::ptr::null_mut(), reply),
                Family::Ipv6 => bindings::ip6_local_out(net, core::ptr::null_mut(), reply),
            };
        }
        Ok(())
    }
}

/// The per-boot secret of the keyed ISNs.
///
/// # Invariants
///
/// Written only by [`init_isn_key`], in module init, before the target is
/// registered; only read afterwards.
struct IsnKey(UnsafeCell<[u64; 2]>);

// SAFETY: per the type invariant, the one write happens before any reader
// can run.
unsafe impl Sync for IsnKey {}

static ISN_KEY: IsnKey = IsnKey(UnsafeCell::new([0; 2]));

/// Draws the per-boot secret of the keyed ISNs. Call once, in module init,
/// before registering the target.
pub(crate) fn init_isn_key() {
    // SAFETY: module init runs before the target exists, so nothing reads
    // the key yet (type invariant); the buffer is 16 writable bytes.
    unsafe { bindings::get_random_bytes(ISN_KEY.0.get().cast::<c_void>(), 16) };
}

/// The keyed ISN of a connection: SipHash of its tuple with the per-boot
/// secret, so it is the same for every segment of the connection and
/// unpredictable to anyone else.
pub(crate) fn keyed_isn(tuple: &[u8]) -> u32 {
    // SAFETY: `tuple` is valid for its length; the key is initialised and
    // no longer written (type invariant of `IsnKey`).
    let hash = unsafe {
        bindings::xt_tarpit_siphash(
            tuple.as_ptr().cast::<c_void>(),
            tuple.len(),
            ISN_KEY.0.get().cast::<u64>(),
        )
    };
    hash as u32
}

/// The `validate_acks` module parameter.
pub(crate) fn validate_acks() -> bool {
    // SAFETY: no preconditions; reads one parameter with READ_ONCE.
    unsafe { bindings::xt_tarpit_validate_acks() }
}

/// The `synack_window` module parameter.
pub(crate) fn synack_window() -> u16 {
    // SAFETY: no preconditions; reads one parameter with READ_ONCE.
    unsafe { bindings::xt_tarpit_synack_window() }
}

/// Hop limit when a route has none to give (the kernel's default).
const DEFAULT_HOP_LIMIT: u8 = 64;
