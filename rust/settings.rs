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
    if let [a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3] = *bytes {
        // An IPv4 tuple: the kernel's three-word SipHash (as
        // secure_tcp_seq() uses) gives the same value as hashing the 12
        // bytes, without the byte loop.
        // SAFETY: the key is initialised and no longer written (type
        // invariant of `IsnKey`); `siphash_key_t` is two u64s.
        return unsafe {
            bindings::siphash_3u32(
                u32::from_le_bytes([a0, a1, a2, a3]),
                u32::from_le_bytes([b0, b1, b2, b3]),
                u32::from_le_bytes([c0, c1, c2, c3]),
                ISN_KEY.0.get().cast::<bindings::siphash_key_t>(),
            )
        };
    }
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
