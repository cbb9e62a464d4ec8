// SPDX-License-Identifier: GPL-2.0

//! Counters of what the target did: every packet lands in exactly one.

use crate::packet::{Ignored, ReplyKind};
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// What happened to one packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Outcome {
    /// Answered.
    Replied(ReplyKind),
    /// Dropped silently, for this reason.
    Ignored(Ignored),
    /// No memory for the reply.
    AllocationFailed,
    /// No route for the reply.
    RoutingFailed,
}

const REPLY_KINDS: [ReplyKind; 3] = [ReplyKind::SynAck, ReplyKind::Ack, ReplyKind::Reset];
const SLOTS: usize = REPLY_KINDS.len() + Ignored::ALL.len() + 2;

/// One counter per outcome.
pub(crate) struct Counters {
    slots: [AtomicU64; SLOTS],
}

impl Counters {
    /// All zero.
    pub(crate) const fn new() -> Self {
        Counters {
            slots: [const { AtomicU64::new(0) }; SLOTS],
        }
    }

    fn slot(outcome: Outcome) -> usize {
        match outcome {
            Outcome::Replied(ReplyKind::SynAck) => 0,
            Outcome::Replied(ReplyKind::Ack) => 1,
            Outcome::Replied(ReplyKind::Reset) => 2,
            Outcome::Ignored(reason) => REPLY_KINDS.len() + reason as usize,
            Outcome::AllocationFailed => SLOTS - 2,
            Outcome::RoutingFailed => SLOTS - 1,
        }
    }

    fn name(slot: usize) -> &'static str {
        match slot {
            0 => "reply_synack",
            1 => "reply_ack",
            2 => "reply_rst",
            _ if slot == SLOTS - 2 => "fail_alloc",
            _ if slot == SLOTS - 1 => "fail_route",
            _ => Ignored::ALL[slot - REPLY_KINDS.len()].name(),
        }
    }

    /// Counts one packet.
    pub(crate) fn count(&self, outcome: Outcome) {
        self.slots[Self::slot(outcome)].fetch_add(1, Ordering::Relaxed);
    }

    /// Writes every counter to the kernel log, one `name=value` each.
    pub(crate) fn log(&self) {
        let mut total = 0u64;
        for (slot, counter) in self.slots.iter().enumerate() {
            let value = counter.load(Ordering::Relaxed);
            total += value;
            pr_info!("counter {}={}\n", Self::name(slot), value);
        }
        pr_info!("counter total={}\n", total);
    }
}
