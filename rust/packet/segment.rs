// SPDX-License-Identifier: GPL-2.0

//! Parsing the IPv4/IPv6 and TCP headers of an incoming packet, and every
//! reason not to answer it that the headers alone can tell.

use super::Ignored;

/// Bytes of an IPv4 header without options.
pub const IPV4_HEADER_LEN: usize = 20;
/// Bytes of the fixed IPv6 header.
pub const IPV6_HEADER_LEN: usize = 40;
/// Bytes of a TCP header without options.
pub const TCP_HEADER_LEN: usize = 20;
/// Most bytes of TCP options a header can carry.
pub const TCP_OPTIONS_MAX: usize = 40;
/// How many leading bytes of a packet [`parse`] needs at most: the longest
/// network header it accepts plus the longest TCP header (options are read
/// from SYNs, for `--mimic`). Callers copy `min(packet length, HEADERS_MAX)`
/// bytes.
pub const HEADERS_MAX: usize = IPV6_HEADER_LEN + TCP_HEADER_LEN + TCP_OPTIONS_MAX;

const IP_PROTOCOL_TCP: u8 = 6;
/// IPv4 flags/fragment offset field: "more fragments" and the offset.
const IPV4_MORE_FRAGMENTS: u16 = 0x2000;
const IPV4_FRAGMENT_OFFSET: u16 = 0x1fff;
/// IPv6 next-header values that are extension headers (RFC 8200 and the
/// IANA registry): hop-by-hop, routing, fragment, ESP, AH, destination
/// options, mobility, HIP, shim6, and the two experimental values.
const IPV6_EXTENSION_HEADERS: [u8; 11] = [0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254];

/// The network layer of a packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Family {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// Source and destination addresses of a packet, in network byte order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Addresses {
    /// IPv4 addresses.
    V4 {
        /// Sender.
        source: [u8; 4],
        /// Receiver.
        destination: [u8; 4],
    },
    /// IPv6 addresses.
    V6 {
        /// Sender.
        source: [u8; 16],
        /// Receiver.
        destination: [u8; 16],
    },
}

impl Addresses {
    /// The addresses of a reply: source and destination swapped.
    pub fn reversed(&self) -> Addresses {
        match *self {
            Addresses::V4 {
                source,
                destination,
            } => Addresses::V4 {
                source: destination,
                destination: source,
            },
            Addresses::V6 {
                source,
                destination,
            } => Addresses::V6 {
                source: destination,
                destination: source,
            },
        }
    }

    /// Whether both addresses can take part in a TCP connection: neither
    /// multicast, broadcast nor unspecified (and, for IPv6, not
    /// IPv4-mapped, which the kernel does not treat as unicast either).
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn are_unicast(&self) -> bool {
        match self {
            Addresses::V4 {
                source,
                destination,
            } => ipv4_is_unicast(source) && ipv4_is_unicast(destination),
            Addresses::V6 {
                source,
                destination,
            } => ipv6_is_unicast(source) && ipv6_is_unicast(destination),
        }
    }
}

fn ipv4_is_unicast(address: &[u8; 4]) -> bool {
    let is_unspecified = address[0] == 0;
    let is_multicast = address[0] & 0xf0 == 0xe0;
    let is_limited_broadcast = *address == [0xff; 4];
    !(is_unspecified || is_multicast || is_limited_broadcast)
}

fn ipv6_is_unicast(address: &[u8; 16]) -> bool {
    let is_multicast = address[0] == 0xff;
    let is_unspecified = *address == [0; 16];
    let is_v4_mapped = address[..10] == [0; 10] && address[10..12] == [0xff, 0xff];
    !(is_multicast || is_unspecified || is_v4_mapped)
}

/// TCP header flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// Synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// Reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// Push function.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// The acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x10);

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of two flag sets.
    pub const fn with(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
}

/// The fields of an incoming TCP segment the target's decisions use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Segment {
    /// Network addresses.
    pub addresses: Addresses,
    /// TCP source port.
    pub source_port: u16,
    /// TCP destination port.
    pub destination_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (meaningful only with ACK).
    pub ack: u32,
    /// Flags.
    pub flags: TcpFlags,
    /// Advertised window.
    pub window: u16,
    /// Offset of the TCP header from the start of the packet.
    pub tcp_offset: usize,
    /// Bytes of TCP payload the network header says follow the TCP header.
    pub payload_len: usize,
    /// Bytes of the whole segment, network header included.
    pub length: usize,
    /// The options of a SYN that `--mimic` answers (empty for other
    /// segments).
    pub syn_options: SynOptions,
}

/// The TCP options of a SYN that shape a SYN-ACK.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SynOptions {
    /// Maximum segment size (kind 2).
    pub mss: Option<u16>,
    /// Window scale shift (kind 3).
    pub window_scale: Option<u8>,
    /// SACK permitted (kind 4).
    pub sack_permitted: bool,
    /// Timestamp value (kind 8), echoed back as our TSecr.
    pub timestamp: Option<u32>,
}

impl SynOptions {
    /// Reads the options of a TCP header, as far as they are well formed:
    /// parsing stops at the end-of-list option or at the first option whose
    /// length is impossible; an option of a known kind with the wrong length
    /// is skipped, as Linux does.
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn parse(mut options: &[u8]) -> SynOptions {
        let mut found = SynOptions::default();
        while let Some(&kind) = options.first() {
            match kind {
                0 => break,
                1 => {
                    options = &options[1..];
                    continue;
                }
                _ => {}
            }
            let Some(&length) = options.get(1) else { break };
            let length = usize::from(length);
            if length < 2 || length > options.len() {
                break;
            }
            let body = &options[2..length];
            match (kind, body.len()) {
                (2, 2) => found.mss = Some(be16(body, 0)),
                (3, 1) => found.window_scale = Some(body[0]),
                (4, 0) => found.sack_permitted = true,
                (8, 8) => found.timestamp = Some(be32(body, 0)),
                _ => {}
            }
            options = &options[length..];
        }
        found
    }
}

/// Longest [`Segment::tuple`]: two IPv6 addresses and two ports.
pub const TUPLE_MAX: usize = 16 + 16 + 2 + 2;

impl Segment {
    /// The connection's identity as bytes, the peer's side first: its
    /// address, our address, its port, our port. The first `length` bytes
    /// of the array are meaningful. The keyed ISN is a hash of these.
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn tuple(&self) -> ([u8; TUPLE_MAX], usize) {
        let mut tuple = [0; TUPLE_MAX];
        let ports = [
            self.source_port.to_be_bytes(),
            self.destination_port.to_be_bytes(),
        ];
        // Fixed offsets in each arm: the copies compile to plain moves.
        match &self.addresses {
            Addresses::V4 {
                source,
                destination,
            } => {
                tuple[..4].copy_from_slice(source);
                tuple[4..8].copy_from_slice(destination);
                tuple[8..10].copy_from_slice(&ports[0]);
                tuple[10..12].copy_from_slice(&ports[1]);
                (tuple, 12)
            }
            Addresses::V6 {
                source,
                destination,
            } => {
                tuple[..16].copy_from_slice(source);
                tuple[16..32].copy_from_slice(destination);
                tuple[32..34].copy_from_slice(&ports[0]);
                tuple[34..36].copy_from_slice(&ports[1]);
                (tuple, 36)
            }
        }
    }

    /// Sequence space the segment occupies: payload plus one for each of
    /// SYN and FIN.
    pub fn sequence_length(&self) -> u32 {
        let mut length = self.payload_len as u32;
        if self.flags.contains(TcpFlags::SYN) {
            length = length.wrapping_add(1);
        }
        if self.flags.contains(TcpFlags::FIN) {
            length = length.wrapping_add(1);
        }
        length
    }
}

#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Parses the headers of a packet the target was called for.
///
/// `headers` holds the packet's first bytes from the network header on
/// (at least `min(packet_len, HEADERS_MAX)` of them); `packet_len` is the
/// packet's full length from the network header, so lengths claimed by the
/// headers can be checked against what really arrived.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
pub fn parse(family: Family, headers: &[u8], packet_len: usize) -> Result<Segment, Ignored> {
    let headers = &headers[..headers.len().min(packet_len)];
    let (addresses, tcp_offset, tcp_len) = match family {
        Family::Ipv4 => parse_ipv4(headers, packet_len)?,
        Family::Ipv6 => parse_ipv6(headers, packet_len)?,
    };
    if !addresses.are_unicast() {
        return Err(Ignored::NotUnicast);
    }
    parse_tcp(addresses, headers, tcp_offset, tcp_len)
}

/// Returns the addresses, the TCP header's offset and the TCP length.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
fn parse_ipv4(headers: &[u8], packet_len: usize) -> Result<(Addresses, usize, usize), Ignored> {
    if headers.len() < IPV4_HEADER_LEN {
        return Err(Ignored::Truncated);
    }
    if headers[0] >> 4 != 4 {
        return Err(Ignored::Malformed);
    }
    let header_len = usize::from(headers[0] & 0x0f) * 4;
    if header_len < IPV4_HEADER_LEN {
        return Err(Ignored::Malformed);
    }
    if header_len > IPV4_HEADER_LEN {
        return Err(Ignored::IpOptions);
    }
    let total_len = usize::from(be16(headers, 2));
    if total_len < header_len {
        return Err(Ignored::Malformed);
    }
    if total_len > packet_len {
        return Err(Ignored::Truncated);
    }
    if be16(headers, 6) & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET) != 0 {
        return Err(Ignored::Fragment);
    }
    if headers[9] != IP_PROTOCOL_TCP {
        return Err(Ignored::NotTcp);
    }
    let mut source = [0; 4];
    let mut destination = [0; 4];
    source.copy_from_slice(&headers[12..16]);
    destination.copy_from_slice(&headers[16..20]);
    let addresses = Addresses::V4 {
        source,
        destination,
    };
    Ok((addresses, header_len, total_len - header_len))
}

/// Returns the addresses, the TCP header's offset and the TCP length.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
fn parse_ipv6(headers: &[u8], packet_len: usize) -> Result<(Addresses, usize, usize), Ignored> {
    if headers.len() < IPV6_HEADER_LEN {
        return Err(Ignored::Truncated);
    }
    if headers[0] >> 4 != 6 {
        return Err(Ignored::Malformed);
    }
    let payload_len = usize::from(be16(headers, 4));
    if IPV6_HEADER_LEN + payload_len > packet_len {
        return Err(Ignored::Truncated);
    }
    let next_header = headers[6];
    if IPV6_EXTENSION_HEADERS.contains(&next_header) {
        return Err(Ignored::ExtensionHeader);
    }
    if next_header != IP_PROTOCOL_TCP {
        return Err(Ignored::NotTcp);
    }
    let mut source = [0; 16];
    let mut destination = [0; 16];
    source.copy_from_slice(&headers[8..24]);
    destination.copy_from_slice(&headers[24..40]);
    let addresses = Addresses::V6 {
        source,
        destination,
    };
    Ok((addresses, IPV6_HEADER_LEN, payload_len))
}

#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
fn parse_tcp(
    addresses: Addresses,
    headers: &[u8],
    offset: usize,
    tcp_len: usize,
) -> Result<Segment, Ignored> {
    if tcp_len < TCP_HEADER_LEN || headers.len() < offset + TCP_HEADER_LEN {
        return Err(Ignored::Truncated);
    }
    let tcp = &headers[offset..offset + TCP_HEADER_LEN];
    let header_len = usize::from(tcp[12] >> 4) * 4;
    if header_len < TCP_HEADER_LEN {
        return Err(Ignored::Malformed);
    }
    if header_len > tcp_len {
        return Err(Ignored::Truncated);
    }
    let flags = TcpFlags(tcp[13]);
    let syn_options = if flags.contains(TcpFlags::SYN) && header_len > TCP_HEADER_LEN {
        let end = (offset + header_len).min(headers.len());
        SynOptions::parse(&headers[offset + TCP_HEADER_LEN..end])
    } else {
        SynOptions::default()
    };
    Ok(Segment {
        addresses,
        source_port: be16(tcp, 0),
        destination_port: be16(tcp, 2),
        seq: be32(tcp, 4),
        ack: be32(tcp, 8),
        flags,
        window: be16(tcp, 14),
        tcp_offset: offset,
        payload_len: tcp_len - header_len,
        length: offset + tcp_len,
        syn_options,
    })
}
