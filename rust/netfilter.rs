// SPDX-License-Identifier: GPL-2.0

//! Netfilter glue: the only layer of the module with `unsafe` code.
//!
//! It turns the xtables registration API into a [`Registration`] owned by
//! the module, hands each packet to a safe [`Target`] implementation as a
//! [`Packet`], and sends the headers the packet core wrote as a fresh reply
//! skb routed like the kernel's own REJECT replies.

use crate::bindings;
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint, c_void, CStr};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use kernel::error::to_result;
use kernel::prelude::*;

/// Address family of a registered target and of the packets it sees.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];

    fn nfproto(self) -> u16 {
        match self {
            Family::Ipv4 => bindings::NFPROTO_IPV4 as u16,
            Family::Ipv6 => bindings::NFPROTO_IPV6 as u16,
        }
    }
}

/// Hooks the target may be used from: INPUT and FORWARD, as in
/// xtables-addons' TARPIT. Replies from OUTPUT or PREROUTING would bypass
/// the routing decision the reply path relies on.
const TARGET_HOOKS: c_uint =
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
        for (index, family) in Family::ALL.into_iter().enumerate() {
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
    entry.family = family.nfproto();
    entry.proto = bindings::IPPROTO_TCP as u16;
    entry.hooks = TARGET_HOOKS;
    entry.targetsize = T::DATA_SIZE as c_uint;
    entry.target = Some(target_trampoline::<T>);
    entry.checkentry = Some(checkentry_trampoline::<T>);
    entry.me = module.as_ptr().cast();
    Ok(entry)
}

/// The parameters of a rule being inserted, as `checkentry` sees them.
pub(crate) struct RuleCheck<'a> {
    params: &'a bindings::xt_tgchk_param,
    data: &'a [u8],
}

impl RuleCheck<'_> {
    /// The rule's target data.
    pub(crate) fn data(&self) -> &[u8] {
        self.data
    }

    /// The family of the table the rule goes into.
    pub(crate) fn family(&self) -> Family {
        if u16::from(self.params.family) == Family::Ipv6.nfproto() {
            Family::Ipv6
        } else {
            Family::Ipv4
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
        if u16::from(pf) == Family::Ipv6.nfproto() {
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

    /// Copies the packet's first bytes (from the network header) into
    /// `buffer` and returns them: `min(len, buffer.len())` bytes.
    pub(crate) fn headers<'b>(&self, buffer: &'b mut [u8]) -> &'b [u8] {
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
        if found.cast::<u8>() != buffer.as_ptr() {
            // SAFETY: a non-NULL result from `skb_header_pointer` that is not
            // our buffer points at `wanted` contiguous bytes of the linear
            // area, valid while the skb is.
            let linear = unsafe { core::slice::from_raw_parts(found.cast::<u8>(), wanted) };
            buffer[..wanted].copy_from_slice(linear);
        }
        &buffer[..wanted]
    }
}
