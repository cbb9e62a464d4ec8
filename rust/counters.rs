// SPDX-License-Identifier: GPL-2.0

//! What the target did, as counters: every packet it sees lands in exactly
//! one. The storage (per namespace, per CPU) is the glue's, in
//! [`crate::pernet`]; this file names the counters and maps outcomes to
//! them.

use crate::packet::{Ignored, ReplyKind};

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
const FIRST_IGNORED: usize = REPLY_KINDS.len();
const ALLOCATION_FAILED: usize = FIRST_IGNORED + Ignored::ALL.len();
const ROUTING_FAILED: usize = ALLOCATION_FAILED + 1;

/// Number of counters.
pub(crate) const COUNTERS: usize = ROUTING_FAILED + 1;

impl Outcome {
    /// The index of this outcome's counter.
    pub(crate) fn counter(self) -> usize {
        match self {
            Outcome::Replied(ReplyKind::SynAck) => 0,
            Outcome::Replied(ReplyKind::Ack) => 1,
            Outcome::Replied(ReplyKind::Reset) => 2,
            Outcome::Ignored(reason) => FIRST_IGNORED + reason as usize,
            Outcome::AllocationFailed => ALLOCATION_FAILED,
            Outcome::RoutingFailed => ROUTING_FAILED,
        }
    }
}

/// The name of counter `index`, as `/proc/net/xt_TARPIT` shows it.
pub(crate) fn name(index: usize) -> &'static str {
    match index {
        0 => "reply_synack",
        1 => "reply_ack",
        2 => "reply_rst",
        ALLOCATION_FAILED => "fail_alloc",
        ROUTING_FAILED => "fail_route",
        _ => Ignored::ALL
            .get(index - FIRST_IGNORED)
            .map_or("unknown", |reason| reason.name()),
    }
}
