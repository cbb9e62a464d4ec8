// SPDX-License-Identifier: GPL-2.0

//! The TARPIT target's behaviour, in safe Rust on top of the glue.

use crate::netfilter::{self, Packet, RuleCheck, Target, TargetTable};
use crate::packet::{Mode, TARGET_DATA_SIZE};
use core::ffi::CStr;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// Storage for the registered `xt_target` entries.
pub(crate) static TARPIT: &TargetTable = &TABLE;
static TABLE: TargetTable = TargetTable::new();

static SEGMENTS_SEEN: AtomicU64 = AtomicU64::new(0);

/// Number of segments the target has been called for since load.
pub(crate) fn segments_seen() -> u64 {
    SEGMENTS_SEEN.load(Ordering::Relaxed)
}

/// The `TARPIT` target, revision 0.
pub(crate) struct Tarpit;

impl Target for Tarpit {
    const NAME: &'static CStr = c"TARPIT";
    const REVISION: u8 = 0;
    const DATA_SIZE: usize = TARGET_DATA_SIZE;

    fn check(rule: &RuleCheck<'_>) -> Result {
        if Mode::from_target_data(rule.data()).is_none() {
            netfilter::log_ratelimited(
                c"rule refused: unknown TARPIT mode (not --tarpit, --honeypot or --reset); update the iptables extension libxt_TARPIT.so",
            );
            return Err(EINVAL);
        }
        Ok(())
    }

    fn handle(_packet: &mut Packet<'_>, _data: &[u8]) {
        SEGMENTS_SEEN.fetch_add(1, Ordering::Relaxed);
    }
}
