// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue, registration side (`unsafe` inside): the xtables
//! registration API as a [`Registration`] owned by the module, and the
//! trampolines that hand each rule check and each packet to a safe
//! [`Target`] implementation ([`crate::skb::Packet`] for packets).

use crate::bindings;
use crate::compat;
use crate::family::{nfproto, Family};
use crate::skb::{Packet, Verdict};
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint, c_void, CStr};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;

/// Hooks a TARPIT-like target can answer from: INPUT and FORWARD, as in
/// xtables-addons. Replies from OUTPUT or PREROUTING would bypass the
/// routing decision the reply path relies on.
const ANSWERING_HOOKS: c_uint = (1 << bindings::nf_inet_hooks_NF_INET_LOCAL_IN)
    | (1 << bindings::nf_inet_hooks_NF_INET_FORWARD);

/// The target data a rule carries, a struct of the rule ABI.
///
/// # Safety
///
/// Implementors are `#[repr(C)]` structs of integer fields (every bit
/// pattern is a valid value), of at most 8-byte alignment: what xtables
/// hands the target as `targinfo` can be read as one.
pub(crate) unsafe trait TargetData: Sized {}

/// A netfilter target written in safe Rust.
pub(crate) trait Target {
    /// Name matched against `-j NAME`.
    const NAME: &'static CStr;
    /// Revision of the target data layout.
    const REVISION: u8;
    /// The target data the rule carries; its size is the target size.
    type Data: TargetData;

    /// Accepts or refuses a new rule's target data.
    fn check(rule: &RuleCheck<'_, Self::Data>) -> Result;

    /// Handles one packet of a rule [`Target::check`] accepted: drops it,
    /// or says it became the reply.
    fn handle(packet: Packet<'_>, data: &Self::Data) -> Verdict;
}

/// One `xt_target` entry: a target for one family, ready to register.
pub(crate) struct TargetEntry(bindings::xt_target);

impl TargetEntry {
    /// The entry of target `T` for `family`.
    pub(crate) fn new<T: Target>(module: &'static ThisModule, family: Family) -> Result<Self> {
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
        // No `proto`: xtables would refuse a rule without `-p tcp` with a
        // terse message of its own; `T::check` refuses it saying what to
        // write.
        entry.targetsize = core::mem::size_of::<T::Data>() as c_uint;
        entry.target = Some(target_trampoline::<T>);
        entry.checkentry = Some(checkentry_trampoline::<T>);
        entry.me = module.as_ptr().cast();
        Ok(TargetEntry(entry))
    }
}

/// Static storage for the `N` `xt_target` entries of one registration:
/// xtables keeps pointers to them while they are registered.
///
/// # Invariants
///
/// `in_use` is true from the moment a [`Registration`] claims the table
/// until that registration is dropped; only the claimant writes `entries`,
/// and only before handing them to `xt_register_targets`. While registered,
/// only netfilter touches them.
pub(crate) struct TargetTable<const N: usize> {
    entries: UnsafeCell<MaybeUninit<[bindings::xt_target; N]>>,
    in_use: AtomicBool,
}

// SAFETY: per the type invariant, the one writer holds the claim and writes
// before registering; netfilter serialises its own accesses afterwards.
unsafe impl<const N: usize> Sync for TargetTable<N> {}

impl<const N: usize> TargetTable<N> {
    /// An empty table, for a `static`.
    pub(crate) const fn new() -> Self {
        TargetTable {
            entries: UnsafeCell::new(MaybeUninit::zeroed()),
            in_use: AtomicBool::new(false),
        }
    }
}

/// Targets registered with xtables, all in one `xt_register_targets`
/// call; unregistered on drop.
///
/// # Invariants
///
/// `table` is claimed by this registration (its `in_use` is set) and its
/// entries are registered with xtables.
pub(crate) struct Registration<const N: usize> {
    table: &'static TargetTable<N>,
}

impl<const N: usize> Registration<N> {
    /// Registers `entries` with xtables, using `table` as their storage.
    /// `EBUSY` if the table is already in use by another registration.
    pub(crate) fn register(
        table: &'static TargetTable<N>,
        entries: [TargetEntry; N],
    ) -> Result<Self> {
        if table.in_use.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let entries = entries.map(|entry| entry.0);
        let storage = table.entries.get();
        // SAFETY: the table is claimed by this call and not registered, so
        // nothing else reads or writes it (type invariant); it holds `N`
        // entries.
        unsafe { storage.write(MaybeUninit::new(entries)) };
        // SAFETY: the `N` entries are initialised and live in static memory,
        // so they outlive the registration, which `Drop` undoes. On failure
        // xtables has registered none of them.
        let status = unsafe { bindings::xt_register_targets(storage.cast(), N as c_uint) };
        if let Err(error) = to_result(status) {
            table.in_use.store(false, Ordering::Release);
            return Err(error);
        }
        // INVARIANT: the table is claimed and its entries registered.
        Ok(Registration { table })
    }
}

impl<const N: usize> Drop for Registration<N> {
    fn drop(&mut self) {
        // SAFETY: the entries were registered by `register` (type
        // invariant), and this is the only place that unregisters them.
        unsafe { bindings::xt_unregister_targets(self.table.entries.get().cast(), N as c_uint) };
        self.table.in_use.store(false, Ordering::Release);
    }
}

/// A rule being inserted, as `checkentry` sees it.
///
/// # Invariants
///
/// `params` is the parameter block xtables passed to `checkentry`; its
/// `entryinfo` points to an `ipt_entry` (IPv4) or `ip6t_entry` (IPv6), as
/// both ip(6)_tables and nft_compat provide.
pub(crate) struct RuleCheck<'a, D> {
    params: &'a bindings::xt_tgchk_param,
    data: &'a D,
}

impl<D> RuleCheck<'_, D> {
    /// The rule's target data.
    pub(crate) fn data(&self) -> &D {
        self.data
    }

    /// The namespace the rule is checked in, alive for the check.
    pub(crate) fn net(&self) -> *const bindings::net {
        self.params.net
    }

    /// Whether the rule is in a table named `nat`.
    pub(crate) fn is_in_nat_table(&self) -> bool {
        if self.params.table.is_null() {
            return false;
        }
        let name = self.params.table.cast::<u8>();
        for (index, &expected) in b"nat\0".iter().enumerate() {
            // SAFETY: xtables (and nft_compat) pass the table's
            // NUL-terminated name, valid for the duration of the check; the
            // loop stops at the first byte that differs, at the latest at
            // the name's NUL, so it reads no further.
            if unsafe { *name.add(index) } != expected {
                return false;
            }
        }
        true
    }

    /// The rule's protocol match: the protocol number of its `-p` (0
    /// without one) and whether it is inverted (`! -p`).
    pub(crate) fn protocol_match(&self) -> (u16, bool) {
        let inverted = bindings::XT_INV_PROTO as u8;
        if self.params.family == nfproto(Family::Ipv6) {
            // SAFETY: per the type invariant, an IPv6 rule's entry is an
            // `ip6t_entry`, valid for the duration of the check.
            let entry = unsafe { &(*self.params.entryinfo.cast::<bindings::ip6t_entry>()).ipv6 };
            if entry.flags & bindings::IP6T_F_PROTO as u8 == 0 {
                return (0, false);
            }
            (entry.proto, entry.invflags & inverted != 0)
        } else {
            // SAFETY: per the type invariant, an IPv4 rule's entry is an
            // `ipt_entry`, valid for the duration of the check.
            let entry = unsafe { &(*self.params.entryinfo.cast::<bindings::ipt_entry>()).ip };
            (entry.proto, entry.invflags & inverted != 0)
        }
    }
}

/// Logs `message` (without the module prefix, which is added) at most a few
/// times per second: rules can be inserted from unprivileged user
/// namespaces, so refusals must not flood the log.
pub(crate) fn log_ratelimited(message: &CStr) {
    // SAFETY: `message` is a valid NUL-terminated string for the call.
    unsafe { bindings::xt_tarpit_pr_info_ratelimited(compat::c_str_ptr(message)) };
}

/// A rule's target data (`targinfo`) as the `D` it holds.
///
/// # Safety
///
/// `targinfo` must be the target data of a rule whose entry was made for a
/// target with `Data = D` (so xtables checked that it is
/// `XT_ALIGN(size_of::<D>())` bytes long), valid for `'a`.
unsafe fn target_data<'a, D: TargetData>(targinfo: *const c_void) -> &'a D {
    // SAFETY: the data is `size_of::<D>()` bytes or more, valid for `'a`
    // (caller's contract) and 8-byte aligned (`XT_ALIGN` in x_tables, a
    // u64-aligned expression in nft_compat); any bits are a valid `D`
    // (`TargetData`).
    unsafe { &*targinfo.cast::<D>() }
}

/// xtables' `checkentry` callback for `T`.
///
/// # Safety
///
/// Called by xtables only, with a valid `xt_tgchk_param` whose target data
/// is at least `size_of::<T::Data>()` bytes long.
unsafe extern "C" fn checkentry_trampoline<T: Target>(
    par: *const bindings::xt_tgchk_param,
) -> c_int {
    // SAFETY: xtables passes a valid parameter block for the duration of
    // the call.
    let params = unsafe { &*par };
    // SAFETY: `targinfo` is the target data of a rule of `T`'s entry,
    // valid for the duration of the call.
    let data = unsafe { target_data::<T::Data>(params.targinfo) };
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
/// `xt_action_param` of a rule `checkentry_trampoline::<T>` accepted.
unsafe extern "C" fn target_trampoline<T: Target>(
    skb: *mut bindings::sk_buff,
    par: *const bindings::xt_action_param,
) -> c_uint {
    let mut facts = MaybeUninit::uninit();
    // SAFETY: these are the pointers netfilter passed to this target call,
    // valid for its duration, which the packet does not outlive.
    let packet = unsafe { Packet::new(skb, par, &mut facts) };
    // SAFETY: the rule's target data, of a rule of `T`'s entry that
    // `T::check` accepted, valid for the duration of the call.
    let data = unsafe { target_data::<T::Data>(packet.target_data()) };
    match T::handle(packet, data) {
        Verdict::Drop => bindings::NF_DROP,
        // The skb was sent as the reply: netfilter must not touch it.
        Verdict::Stolen => bindings::NF_STOLEN,
    }
}
