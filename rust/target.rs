// SPDX-License-Identifier: GPL-2.0

//! The TARPIT target's behaviour, in safe Rust on top of the glue: check a
//! rule, and for each packet decide and send the answer, counting every
//! outcome.

use crate::counters::Outcome;
use crate::netfilter::{self, RuleCheck, Target, TargetTable};
use crate::packet::{self, Mode, HEADERS_MAX, REPLY_MAX_LEN, TARGET_DATA_SIZE};
use crate::settings;
use crate::skb::{Packet, SendError};
use core::ffi::CStr;
use kernel::prelude::*;

/// Storage for the registered `xt_target` entries.
pub(crate) static TARPIT: &TargetTable = &TABLE;
static TABLE: TargetTable = TargetTable::new();

/// The `TARPIT` target, revision 0.
pub(crate) struct Tarpit;

impl Target for Tarpit {
    const NAME: &'static CStr = c"TARPIT";
    const REVISION: u8 = 0;
    const DATA_SIZE: usize = TARGET_DATA_SIZE;

    fn check(rule: &RuleCheck<'_>) -> Result {
        if !rule.matches_only_tcp() {
            netfilter::log_ratelimited(
                c"rule refused: TARPIT handles TCP only; add -p tcp to the rule, e.g. iptables -A INPUT -p tcp --dport 25 -j TARPIT",
            );
            return Err(EINVAL);
        }
        if Mode::from_target_data(rule.data()).is_none() {
            netfilter::log_ratelimited(
                c"rule refused: unknown TARPIT mode (not --tarpit, --honeypot or --reset); update the iptables extension libxt_TARPIT.so",
            );
            return Err(EINVAL);
        }
        Ok(())
    }

    fn handle(packet: &mut Packet<'_>, data: &[u8]) {
        // `check` refused rules with any other data.
        let mode = Mode::from_target_data(data).unwrap_or(Mode::Tarpit);
        let outcome = answer(packet, mode);
        packet.count(outcome.counter());
    }
}

/// Answers one packet under `mode`; the packet itself is dropped by the
/// caller whatever happens here.
fn answer(packet: &mut Packet<'_>, mode: Mode) -> Outcome {
    if !packet.is_unicast_to_this_host() {
        return Outcome::Ignored(packet::Ignored::NotUnicast);
    }
    let mut buffer = [0u8; HEADERS_MAX];
    let headers = packet.headers(&mut buffer);
    let segment = match packet::parse(packet.family(), headers, packet.len()) {
        Ok(segment) => segment,
        Err(reason) => return Outcome::Ignored(reason),
    };
    if !packet.tcp_checksum_is_valid(segment.tcp_offset) {
        return Outcome::Ignored(packet::Ignored::BadChecksum);
    }
    let validate = settings::validate_acks();
    // Hashing costs time on every segment; only SYN-ACKs and the
    // validation of ACKs need the keyed ISN.
    let isn = if validate || segment.flags.contains(packet::TcpFlags::SYN) {
        let (tuple, tuple_len) = segment.tuple();
        settings::keyed_isn(&tuple[..tuple_len])
    } else {
        0
    };
    let settings = packet::Settings {
        isn,
        tarpit_synack_window: settings::synack_window(),
        validate,
    };
    let reply = match packet::decide(mode, &segment, &settings) {
        Ok(reply) => reply,
        Err(reason) => return Outcome::Ignored(reason),
    };
    let mut out = [0u8; REPLY_MAX_LEN];
    let length = packet::write_reply(&segment, &reply, packet.reply_hop_limit(), &mut out);
    match packet.send_reply(&out[..length], length - packet::TCP_HEADER_LEN) {
        Ok(()) => Outcome::Replied(reply.kind),
        Err(SendError::Allocation) => Outcome::AllocationFailed,
        Err(SendError::Routing) => Outcome::RoutingFailed,
    }
}
