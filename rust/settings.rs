// SPDX-License-Identifier: GPL-2.0

//! Module-wide settings, glue side (`unsafe` inside): the per-boot secret
//! of the keyed ISNs and the module parameters (declared in parameters.c).

use crate::bindings;
use core::cell::UnsafeCell;
use core::ffi::c_void;

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

/// The keyed hash of `bytes` with the per-boot secret: SipHash, so it is
/// the same for the same bytes until reboot and unpredictable to anyone
/// else. The keyed ISN of a connection is the low half of its tuple's hash.
pub(crate) fn keyed_hash(bytes: &[u8]) -> u64 {
    // SAFETY: `bytes` is valid for its length; the key is initialised and
    // no longer written (type invariant of `IsnKey`).
    unsafe {
        bindings::xt_tarpit_siphash(
            bytes.as_ptr().cast::<c_void>(),
            bytes.len(),
            ISN_KEY.0.get().cast::<u64>(),
        )
    }
}

/// A millisecond clock, the one TCP timestamps use (`tcp_clock_ms`).
pub(crate) fn clock_ms() -> u32 {
    // SAFETY: no preconditions; reads the clock.
    unsafe { bindings::xt_tarpit_tcp_clock_ms() }
}

/// Seconds since boot (from jiffies), for the reply budgets.
pub(crate) fn seconds() -> u32 {
    // SAFETY: no preconditions; reads jiffies.
    unsafe { bindings::xt_tarpit_seconds() }
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
