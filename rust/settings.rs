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
