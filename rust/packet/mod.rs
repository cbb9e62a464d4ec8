// SPDX-License-Identifier: GPL-2.0

//! The pure packet core of xt_TARPIT: no kernel types, no `unsafe`, no
//! allocation. Built into the module and, through `rust/host.rs`, as a host
//! crate for `cargo test` and fuzzing.
//!
//! The flow for one packet: [`parse`] its headers into a [`Segment`] (or a
//! reason to stay silent), [`decide`] the [`Reply`] for the rule's [`Mode`],
//! and [`write_reply`] its headers, checksums included, into a buffer.

mod checksum;
mod ignored;
pub mod limiter;
mod mimic;
mod mode;
mod monitor;
mod reply;
mod rule;
mod segment;
pub mod wire;
mod write;

pub use checksum::{ipv4_header_checksum, tcp_checksum, Checksum};
pub use ignored::Ignored;
pub use mimic::{advmss_for_mtu, mimic_sends_timestamp, Mimic, TcpOptions};
pub use mode::Mode;
pub use monitor::{
    linear_count, top_sources, Held, HeldEstimate, SourcePrefix, TopSource, TopTable, HELD_BITS,
    HELD_EPOCH_DEFAULT, TOP_BUCKETS, TOP_SHOWN, TOP_WAYS,
};
pub use reply::{
    decide, Reply, ReplyKind, Settings, HONEYPOT_WINDOW, TARPIT_SPAN_MAX, TARPIT_SYNACK_WINDOW,
};
pub use rule::{
    check_protocol, RuleError, RuleOptions, TargetInfo, TargetInfoV1, FLAG_MIMIC, FLAG_NO_VALIDATE,
    FLAG_SYNACK_WINDOW, LIMIT_MAX,
};
pub use segment::{
    parse, Addresses, Family, Segment, SynOptions, TcpFlags, HEADERS_MAX, TUPLE_MAX,
};
pub use write::{reply_layout, write_reply, TooShort, Written, REPLY_MAX_LEN};
