// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue, registration side (`unsafe` inside): the xtables
//! registration API as a [`Registration`] owned by the module, and the
//! trampolines that hand each rule check and each packet to a safe
//! [`Target`] implementation ([`crate::skb::Packet`] for packets).

use crate::bindings;
use crate::skb::{Packet, Verdict};
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint, CStr};
use core::mem::MaybeUninit;
use kernel::error::to_result;
use kernel::prelude::*;

pub(crate) use crate::packet::Family;

const FAMILIES: [Family; 2] = [Family::Ipv4, Family::Ipv6];

pub(crate) fn nfproto(family: Family) -> u8 {
    match family {
        Family::Ipv4 => bindings::NFPROTO_IPV4 as u8,
        Family::Ipv6 => bindings::NFPROTO_IPV6 as u8,
    }
}

/// Hooks a TARPIT-like target can answer from: INPUT and FORWARD, as in
/// xtables-addons. Replies from OUTPUT or PREROUTING would bypass the
/// routing decision the reply path relies on.
const ANSWERING_HOOKS: c_uint = (1 << bindings::nf_inet_hooks_NF_INET_LOCAL_IN)
    | (1 << bindings::nf_inet_hooks_NF_INET_FORWARD);

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

    /// Handles one packet: drops it, or says it became the reply.
    fn handle(packet: Packet<'_>, data: &[u8]) -> Verdict;
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
        *slot = byte as core::ffi::c_char;
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
    // (Through the bytes: the kernel's clippy configuration bans
    // `CStr::as_ptr`, whose replacement differs between kernel lines.)
    unsafe { bindings::xt_tarpit_pr_info_ratelimited(message.to_bytes_with_nul().as_ptr().cast()) };
}

/// xtables' `checkentry` callback for `T`.
///
/// # Safety
///
/// Called by xtables only, with a valid `xt_tgchk_param` whose target data
/// is at least `T::DATA_SIZE` bytes long.
unsafe extern "C" fn checkentry_trampoline<T: Target>(
    par: *const bindings::xt_tgchk_param,
) -> c_int {
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

/// xtables' `target` callback for `T`.
///
/// # Safety
///
/// Called by netfilter only, with the packet's valid `skb` and a valid
/// `xt_action_param` of a rule `checkentry_trampoline` accepted.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast1")]
unsafe extern "C" fn target_trampoline<T: Target>(
    skb: *mut bindings::sk_buff,
    par: *const bindings::xt_action_param,
) -> c_uint {
    // SAFETY: these are the pointers netfilter passed to this target call,
    // valid for its duration.
    let packet = unsafe { Packet::new(skb, par) };
    // SAFETY: the rule's target data, valid for the duration of the call,
    // is `DATA_SIZE` bytes (checked at insertion).
    let data =
        unsafe { core::slice::from_raw_parts(packet.target_data().cast::<u8>(), T::DATA_SIZE) };
    match T::handle(packet, data) {
        Verdict::Drop => bindings::NF_DROP,
        // The skb was sent as the reply: netfilter must not touch it.
        Verdict::Stolen => bindings::NF_STOLEN,
    }
}
