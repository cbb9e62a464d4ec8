// SPDX-License-Identifier: GPL-2.0

//! Module-wide settings, glue side (`unsafe` inside): the per-boot secrets
//! of the keyed ISNs and of the limiter's prefix hash. (The module
//! parameters, declared in parameters.c, come with each packet's facts.)

use crate::bindings;
use crate::packet::limiter;
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, Ordering};

/// The per-boot secrets: the key of the keyed ISNs (SipHash, two words),
/// the key of the limiter's prefix hash (HalfSipHash, two words) and the
/// key that places source prefixes in the top-sources tables (two words),
/// drawn apart so no hash tells anything of another.
///
/// # Invariants
///
/// Written once, by the first call of [`draw_keys`], before it returns the
/// [`KeysDrawn`] proof; readers run only in the target, which is registered
/// only with that proof (`target::register`), so they start after the
/// write and never see another.
struct Keys(UnsafeCell<[u64; 6]>);

// SAFETY: per the type invariant, the one write happens before any reader
// can run.
unsafe impl Sync for Keys {}

static KEYS: Keys = Keys(UnsafeCell::new([0; 6]));
/// Whether [`draw_keys`] has run.
static DRAWN: AtomicBool = AtomicBool::new(false);

/// Proof that the per-boot secrets are drawn, required to register the
/// target: no packet can read them before.
pub(crate) struct KeysDrawn(());

impl Keys {
    /// The key of the keyed ISNs, as the kernel's siphash functions take it.
    fn isn(&self) -> *const bindings::siphash_key_t {
        self.0.get().cast::<bindings::siphash_key_t>()
    }

    /// The key of the limiter's prefix hash, as hsiphash takes it.
    fn prefix(&self) -> *const bindings::hsiphash_key_t {
        // Words 2 and 3; `hsiphash_key_t` is two `unsigned long`s on 64-bit
        // kernels, the only ones Rust modules build for here.
        self.0
            .get()
            .cast::<u64>()
            .wrapping_add(2)
            .cast::<bindings::hsiphash_key_t>()
    }
}

// The prefix key is words 2 and 3 of the six.
const _: () = assert!(core::mem::size_of::<bindings::hsiphash_key_t>() == 16);
const _: () = assert!(core::mem::size_of::<bindings::siphash_key_t>() == 16);

/// Draws the per-boot secrets, the first time it is called; `None` on any
/// later call, which changes nothing.
pub(crate) fn draw_keys() -> Option<KeysDrawn> {
    if DRAWN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: this is the first and only write (`DRAWN`), and no reader
    // runs before it returns the proof (type invariant of `Keys`); the
    // buffer is 48 writable bytes.
    unsafe { bindings::get_random_bytes(KEYS.0.get().cast::<c_void>(), 48) };
    // INVARIANT: the keys are written; from now on they are only read.
    Some(KeysDrawn(()))
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
        // invariant of `Keys`); `siphash_key_t` is two u64s.
        return unsafe {
            bindings::siphash_3u32(
                u32::from_le_bytes([a0, a1, a2, a3]),
                u32::from_le_bytes([b0, b1, b2, b3]),
                u32::from_le_bytes([c0, c1, c2, c3]),
                KEYS.isn(),
            )
        };
    }
    // SAFETY: `bytes` is valid for its length; the key is initialised and
    // no longer written (type invariant of `Keys`).
    unsafe {
        bindings::xt_tarpit_siphash(
            bytes.as_ptr().cast::<c_void>(),
            bytes.len(),
            KEYS.isn().cast::<u64>(),
        )
    }
}

/// A millisecond clock, the one TCP timestamps use (`tcp_clock_ms`).
pub(crate) fn clock_ms() -> u32 {
    // SAFETY: no preconditions; reads the clock.
    unsafe { bindings::xt_tarpit_tcp_clock_ms() }
}

/// The keyed hash that places a source prefix's budget under a rule in
/// the limiter's table: the kernel's HalfSipHash (`hsiphash`, SipHash-1-3
/// on 64-bit kernels) of the prefix and `rule` ([`crate::skb::RuleId`]),
/// with its own per-boot key. The table only needs bucket placement that
/// a remote sender cannot predict, not the ISN's strength, and a prefix is
/// one or two words.
pub(crate) fn prefix_hash(prefix: limiter::Prefix, rule: u32) -> u32 {
    // SAFETY: the key is initialised and no longer written (type invariant
    // of `Keys`) and has `hsiphash_key_t`'s size (asserted above).
    unsafe {
        match prefix {
            limiter::Prefix::V4(word) => bindings::hsiphash_2u32(word, rule, KEYS.prefix()),
            limiter::Prefix::V6(first, second) => {
                bindings::hsiphash_3u32(first, second, rule, KEYS.prefix())
            }
        }
    }
}

/// The keyed hash that places a rule's own budget in the limiter's table
/// (same key as [`prefix_hash`]).
pub(crate) fn rule_hash(rule: u32) -> u32 {
    // SAFETY: as in `prefix_hash`.
    unsafe { bindings::hsiphash_1u32(rule, KEYS.prefix()) }
}

/// The key that places source prefixes in the top-sources tables
/// ([`crate::packet::TopTable`]).
pub(crate) fn top_key() -> [u64; 2] {
    // SAFETY: the key is initialised and no longer written (type invariant
    // of `Keys`).
    let words = unsafe { &*KEYS.0.get() };
    [words[4], words[5]]
}
