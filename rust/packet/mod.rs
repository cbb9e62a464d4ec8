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
mod mode;
mod reply;
mod segment;

pub use checksum::{ipv4_header_checksum, tcp_checksum, Checksum};
pub use ignored::Ignored;
pub use mode::{Mode, TARGET_DATA_SIZE};
pub use reply::{
    decide, write_reply, Reply, ReplyKind, Settings, HONEYPOT_WINDOW, REPLY_MAX_LEN,
    TARPIT_SYNACK_WINDOW,
};
pub use segment::{
    parse, Addresses, Family, Segment, TcpFlags, HEADERS_MAX, IPV4_HEADER_LEN, IPV6_HEADER_LEN,
    TCP_HEADER_LEN, TUPLE_MAX,
};
