// SPDX-License-Identifier: GPL-2.0

//! Writing a [`Reply`] into the caller's buffer, one header at a time: the
//! IPv4 or IPv6 header, then the TCP header with the reply's options, each
//! with its checksum. No payload.

use super::checksum::{ipv4_header_checksum, tcp_checksum};
use super::reply::Reply;
use super::segment::{Addresses, Segment};
use super::wire::{ipv4, ipv6, tcp, IPPROTO_TCP};

/// Longest reply [`write_reply`] writes: an IPv6 header and a TCP header
/// with options.
pub const REPLY_MAX_LEN: usize = ipv6::HEADER_LEN + tcp::HEADER_LEN + tcp::OPTIONS_MAX;

/// What [`write_reply`] wrote at the start of its buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Written {
    /// Bytes of the whole reply: network header, TCP header and options.
    pub len: usize,
    /// Bytes of its network header (IPv4 or IPv6), where the TCP header
    /// starts.
    pub network_len: usize,
}

/// The lengths of the reply to `segment`: what [`write_reply`] writes.
pub fn reply_layout(segment: &Segment, reply: &Reply) -> Written {
    let network_len = match segment.addresses {
        Addresses::V4 { .. } => ipv4::HEADER_LEN,
        Addresses::V6 { .. } => ipv6::HEADER_LEN,
    };
    Written {
        len: network_len + tcp::HEADER_LEN + reply.options.as_bytes().len(),
        network_len,
    }
}

/// `out` is shorter than the reply ([`reply_layout`]'s `len`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TooShort;

/// Writes the reply to `segment` (network and TCP headers, checksums
/// included) into the start of `out`, with `hop_limit` as TTL / hop limit,
/// every byte of it: `out` may hold anything before (the packet being
/// answered, when the reply is written into its own buffer). Returns the
/// lengths written, [`reply_layout`]'s: the network header's
/// ([`ipv4::HEADER_LEN`] or [`ipv6::HEADER_LEN`]) and the whole reply's,
/// that plus [`tcp::HEADER_LEN`] and the options; nothing is written when
/// `out` is shorter ([`REPLY_MAX_LEN`] is always long enough).
pub fn write_reply(
    segment: &Segment,
    reply: &Reply,
    hop_limit: u8,
    out: &mut [u8],
) -> Result<Written, TooShort> {
    let written = reply_layout(segment, reply);
    let out = out.get_mut(..written.len).ok_or(TooShort)?;
    let (network, tcp_header) = out.split_at_mut(written.network_len);
    let tcp_len = tcp_header.len();
    let addresses = segment.addresses.reversed();
    match &addresses {
        Addresses::V4 {
            source,
            destination,
        } => write_ipv4_header(network, source, destination, tcp_len, hop_limit),
        Addresses::V6 {
            source,
            destination,
        } => write_ipv6_header(network, source, destination, tcp_len, hop_limit, reply),
    }
    write_tcp_header(tcp_header, segment, reply, &addresses);
    Ok(written)
}

/// Writes into `header` (its [`ipv4::HEADER_LEN`] bytes) the IPv4 header
/// of a reply carrying `tcp_len` bytes of TCP: no options, "don't
/// fragment", `ttl`, and its checksum.
fn write_ipv4_header(
    header: &mut [u8],
    source: &[u8; ipv4::ADDRESS_LEN],
    destination: &[u8; ipv4::ADDRESS_LEN],
    tcp_len: usize,
    ttl: u8,
) {
    use ipv4::field;
    let total_len = (ipv4::HEADER_LEN + tcp_len) as u16;
    // Type of service, identification and checksum start as zero.
    header.fill(0);
    header[field::VERSION_IHL] = ipv4::version_ihl(ipv4::HEADER_LEN);
    header[field::TOTAL_LEN].copy_from_slice(&total_len.to_be_bytes());
    header[field::FLAGS_FRAGMENT].copy_from_slice(&ipv4::DONT_FRAGMENT.to_be_bytes());
    header[field::TTL] = ttl;
    header[field::PROTOCOL] = IPPROTO_TCP;
    header[field::SOURCE].copy_from_slice(source);
    header[field::DESTINATION].copy_from_slice(destination);
    let checksum = ipv4_header_checksum(header);
    header[field::CHECKSUM].copy_from_slice(&checksum.to_be_bytes());
}

/// Writes into `header` (its [`ipv6::HEADER_LEN`] bytes) the IPv6 header
/// of a reply carrying `tcp_len` bytes of TCP: the reply's flow label,
/// `hop_limit`, TCP as the next header.
fn write_ipv6_header(
    header: &mut [u8],
    source: &[u8; ipv6::ADDRESS_LEN],
    destination: &[u8; ipv6::ADDRESS_LEN],
    tcp_len: usize,
    hop_limit: u8,
    reply: &Reply,
) {
    use ipv6::field;
    let version_class_flow = ipv6::version_class_flow(reply.flow_label);
    header.fill(0);
    header[field::VERSION_CLASS_FLOW].copy_from_slice(&version_class_flow.to_be_bytes());
    header[field::PAYLOAD_LEN].copy_from_slice(&(tcp_len as u16).to_be_bytes());
    header[field::NEXT_HEADER] = IPPROTO_TCP;
    header[field::HOP_LIMIT] = hop_limit;
    header[field::SOURCE].copy_from_slice(source);
    header[field::DESTINATION].copy_from_slice(destination);
}

/// Writes into `header` (all of it: [`tcp::HEADER_LEN`] bytes and the
/// reply's options) the TCP header of `reply` to `segment`, ports swapped,
/// with its checksum over the pseudo-header of `addresses`.
fn write_tcp_header(header: &mut [u8], segment: &Segment, reply: &Reply, addresses: &Addresses) {
    use tcp::field;
    // Every byte is written below (checksum and urgent pointer as zero
    // first), so no fill of a variable length (a memset call) is needed.
    header[field::SOURCE_PORT].copy_from_slice(&segment.destination_port.to_be_bytes());
    header[field::DESTINATION_PORT].copy_from_slice(&segment.source_port.to_be_bytes());
    header[field::SEQUENCE].copy_from_slice(&reply.seq.to_be_bytes());
    header[field::ACKNOWLEDGMENT].copy_from_slice(&reply.ack.to_be_bytes());
    header[field::DATA_OFFSET] = tcp::data_offset(header.len());
    header[field::FLAGS] = reply.flags.0;
    header[field::WINDOW].copy_from_slice(&reply.window.to_be_bytes());
    header[field::CHECKSUM].fill(0);
    header[field::URGENT_POINTER].fill(0);
    let options = reply.options.as_bytes();
    if !options.is_empty() {
        header[tcp::HEADER_LEN..].copy_from_slice(options);
    }
    let checksum = tcp_checksum(addresses, header);
    header[field::CHECKSUM].copy_from_slice(&checksum.to_be_bytes());
}
