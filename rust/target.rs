// SPDX-License-Identifier: GPL-2.0

//! The TARPIT target's behaviour, in safe Rust on top of the glue: check a
//! rule, and for each packet decide and send the answer, counting every
//! outcome. Revision 0 (the mode alone, shared with xtables-addons) and
//! revision 1 (per-rule options) differ only in how the rule's options
//! are decoded.

use crate::counters::Outcome;
use crate::family::FAMILIES;
use crate::netfilter::{
    self, Registration, RuleCheck, Target, TargetData, TargetEntry, TargetTable,
};
use crate::packet::{
    self, limiter, Mimic, RuleError, RuleOptions, TargetInfo, TargetInfoV1, HEADERS_MAX,
};
use crate::pernet;
use crate::settings;
use crate::skb::{Packet, SendError, Verdict, PLACEHOLDER_HOP_LIMIT};
use core::ffi::CStr;
use core::mem::MaybeUninit;
use kernel::prelude::*;

/// The target's entries: revisions 0 and 1, each for IPv4 and IPv6.
pub(crate) const ENTRIES: usize = 4;

/// Storage for the registered `xt_target` entries.
static TABLE: TargetTable<ENTRIES> = TargetTable::new();

/// Registers the `TARPIT` target, both revisions for both families, in
/// one call, once the per-boot secrets its replies use are drawn; dropping
/// the registration unregisters them.
pub(crate) fn register(
    module: &'static ThisModule,
    _keys: &settings::KeysDrawn,
) -> Result<Registration<ENTRIES>> {
    let [ipv4, ipv6] = FAMILIES;
    Registration::register(
        &TABLE,
        [
            TargetEntry::new::<Tarpit>(module, ipv4)?,
            TargetEntry::new::<Tarpit>(module, ipv6)?,
            TargetEntry::new::<TarpitV1>(module, ipv4)?,
            TargetEntry::new::<TarpitV1>(module, ipv6)?,
        ],
    )
}

// SAFETY: `struct xt_tarpit_tginfo` of the rule ABI: `#[repr(C)]`, one
// `__u8`.
unsafe impl TargetData for TargetInfo {}
// SAFETY: `struct xt_tarpit_tginfo_v1` of the rule ABI: `#[repr(C)]`,
// integer fields only, 4-byte aligned.
unsafe impl TargetData for TargetInfoV1 {}

/// The `TARPIT` target, revision 0.
pub(crate) struct Tarpit;

/// The `TARPIT` target, revision 1.
pub(crate) struct TarpitV1;

impl Target for Tarpit {
    const NAME: &'static CStr = c"TARPIT";
    const REVISION: u8 = 0;
    type Data = TargetInfo;

    fn check(rule: &RuleCheck<'_, TargetInfo>) -> Result {
        check_rule(rule, RuleOptions::check_v0(rule.data()))
    }

    fn handle(packet: Packet<'_>, data: &TargetInfo) -> Verdict {
        handle_rule(packet, &RuleOptions::from_v0(data))
    }
}

impl Target for TarpitV1 {
    const NAME: &'static CStr = c"TARPIT";
    const REVISION: u8 = 1;
    type Data = TargetInfoV1;

    fn check(rule: &RuleCheck<'_, TargetInfoV1>) -> Result {
        check_rule(rule, RuleOptions::check_v1(rule.data()))
    }

    fn handle(packet: Packet<'_>, data: &TargetInfoV1) -> Verdict {
        handle_rule(packet, &RuleOptions::from_v1(data))
    }
}

/// Answers and counts one packet under the options of an accepted rule
/// (either revision).
fn handle_rule(packet: Packet<'_>, options: &RuleOptions) -> Verdict {
    let counting = packet.counting();
    let (outcome, verdict) = match answer(packet, options) {
        Ok(answered) => answered,
        Err(outcome) => (outcome, Verdict::Drop),
    };
    counting.count(outcome.counter());
    verdict
}

fn check_rule<D>(rule: &RuleCheck<'_, D>, options: Result<RuleOptions, RuleError>) -> Result {
    let (protocol, inverted) = rule.protocol_match();
    if let Err(error) = packet::check_protocol(protocol, inverted) {
        netfilter::log_ratelimited(error.message());
        return Err(EINVAL);
    }
    // A reply sent from the nat table's INPUT chain would go through NAT
    // for a conntrack entry whose own NAT setup is still under way.
    if rule.is_in_nat_table() {
        netfilter::log_ratelimited(
            c"rule refused: TARPIT does not belong in the nat table; put it in filter, e.g. iptables -A INPUT -p tcp --dport 25 -j TARPIT",
        );
        return Err(EINVAL);
    }
    let options = match options {
        Ok(options) => options,
        Err(error) => {
            netfilter::log_ratelimited(error.message());
            return Err(EINVAL);
        }
    };
    // SAFETY: the rule's namespace is alive while it is checked, and the
    // module's registrations hold while xtables calls it.
    unsafe { pernet::ensure_monitor(rule.net()) }?;
    if options.is_limited() {
        // SAFETY: as above.
        unsafe { pernet::ensure_budgets(rule.net()) }?;
    }
    Ok(())
}

/// Decides the answer to one packet under the rule's `options` and sends
/// it, written over the packet itself: what was sent and the verdict, or
/// why the packet gets silence.
fn answer(packet: Packet<'_>, options: &RuleOptions) -> Result<(Outcome, Verdict), Outcome> {
    if !packet.is_unicast_to_this_host() {
        return Err(Outcome::Ignored(packet::Ignored::NotUnicast));
    }
    let mut buffer = [MaybeUninit::<u8>::uninit(); HEADERS_MAX];
    let headers = packet.headers(&mut buffer);
    // Borrowed out of the results, not moved: a move is a copy of the
    // whole struct on every packet.
    let parsed = packet::parse(packet.family(), headers, packet.len());
    let segment = match &parsed {
        Ok(segment) => segment,
        Err(reason) => return Err(Outcome::Ignored(*reason)),
    };
    if !packet.tcp_checksum_is_valid(segment.tcp_offset) {
        return Err(Outcome::Ignored(packet::Ignored::BadChecksum));
    }
    let monitoring = packet.monitoring();
    if let Some(monitoring) = &monitoring {
        monitoring.count_source(packet::SourcePrefix::of(segment), settings::top_key());
    }
    let validate = options.validate && packet.validate_acks();
    let syn = segment.flags.contains(packet::TcpFlags::SYN);
    // Hashing costs time on every segment; SYN-ACKs, the validation of
    // ACKs and `--tarpit`'s acknowledgment numbers need the key.
    let hash = if validate || syn || options.mode == packet::Mode::Tarpit {
        let (tuple, tuple_len) = segment.tuple();
        settings::keyed_hash(&tuple[..tuple_len])
    } else {
        0
    };
    let mimic = (options.mimic && syn).then(|| mimic_shape(&packet, segment, hash));
    let settings = packet::Settings {
        key: hash as u32,
        tarpit_synack_window: options.synack_window.unwrap_or(packet.synack_window()),
        validate,
        mimic,
    };
    let decided = packet::decide(options.mode, segment, &settings);
    let reply = match &decided {
        Ok(reply) => reply,
        Err(reason) => return Err(Outcome::Ignored(*reason)),
    };
    if let (true, Some(monitoring)) = (reply.held, &monitoring) {
        monitoring.record_held(hash, packet.seconds(), packet.held_epoch());
    }
    if options.is_limited() {
        let rule = packet.rule_id();
        let prefix_hash = if options.limit != 0 {
            settings::prefix_hash(limiter::source_prefix(segment), rule)
        } else {
            0
        };
        let rule_hash = if options.limit_global != 0 {
            settings::rule_hash(rule)
        } else {
            0
        };
        if !packet.take_reply_budget(prefix_hash, rule_hash, options.limit, options.limit_global) {
            return Err(Outcome::Ignored(packet::Ignored::RateLimited));
        }
    }
    let layout = packet::reply_layout(segment, reply);
    let write =
        |out: &mut [u8]| packet::write_reply(segment, reply, PLACEHOLDER_HOP_LIMIT, out).is_ok();
    match packet.send_reply(layout.len, layout.network_len, write) {
        Ok(verdict) => Ok((Outcome::Replied(reply.kind), verdict)),
        Err(SendError::Allocation) => Err(Outcome::AllocationFailed),
        Err(SendError::Routing) => Err(Outcome::RoutingFailed),
        Err(SendError::Loop) => Err(Outcome::Ignored(packet::Ignored::Loop)),
    }
}

/// What a `--mimic` SYN-ACK to `segment` copies from the local stack, with
/// `hash` the segment's keyed hash.
fn mimic_shape(packet: &Packet<'_>, segment: &packet::Segment, hash: u64) -> Mimic {
    let shape = packet.stack_shape();
    Mimic {
        advmss: packet::advmss_for_mtu(packet.family(), shape.mtu),
        // tcp_full_space() of a new listener: half the default buffer
        // (the initial scaling ratio, TCP_DEFAULT_SCALING_RATIO).
        receive_space: shape.default_buffer / 2,
        receive_space_max: shape.largest_buffer,
        // A per-connection offset, as Linux's secure_tcp_ts_off(); the
        // clock is read only for a reply that carries it.
        timestamp: if packet::mimic_sends_timestamp(segment) {
            settings::clock_ms().wrapping_add((hash >> 32) as u32)
        } else {
            0
        },
        flow_label: (hash >> 12) as u32,
    }
}
