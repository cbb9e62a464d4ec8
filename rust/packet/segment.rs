// SPDX-License-Identifier: GPL-2.0

//! Parsing the IPv4/IPv6 and TCP headers of an incoming packet, and every
//! reason not to answer it that the headers alone can tell.

use super::wire::tcp::{flag, option};
use super::wire::{ipv4, ipv6, tcp, Field, IPPROTO_TCP};
use super::Ignored;

/// How many leading bytes of a packet [`parse`] needs at most: the longest
/// network header it accepts plus the longest TCP header (options are read
/// from SYNs, for `--mimic`). Callers copy `min(packet length, HEADERS_MAX)`
/// bytes.
pub const HEADERS_MAX: usize = ipv6::HEADER_LEN + tcp::HEADER_LEN + tcp::OPTIONS_MAX;

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
    let [first_octet, ..] = *address;
    // 0.0.0.0/8 and 224.0.0.0/4.
    let is_unspecified = first_octet == 0;
    let is_multicast = first_octet & 0xf0 == 0xe0;
    let is_limited_broadcast = *address == [0xff; 4];
    !(is_unspecified || is_multicast || is_limited_broadcast)
}

fn ipv6_is_unicast(address: &[u8; 16]) -> bool {
    // ff00::/8 and ::ffff:0:0/96.
    const MULTICAST_PREFIX: [u8; 1] = [0xff];
    const V4_MAPPED_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
    let is_multicast = address.starts_with(&MULTICAST_PREFIX);
    let is_unspecified = *address == [0; 16];
    let is_v4_mapped = address.starts_with(&V4_MAPPED_PREFIX);
    !(is_multicast || is_unspecified || is_v4_mapped)
}

/// TCP header flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: TcpFlags = TcpFlags(flag::FIN);
    /// Synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(flag::SYN);
    /// Reset the connection.
    pub const RST: TcpFlags = TcpFlags(flag::RST);
    /// Push function.
    pub const PSH: TcpFlags = TcpFlags(flag::PSH);
    /// The acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(flag::ACK);

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
    pub fn parse(mut options: &[u8]) -> SynOptions {
        let mut found = SynOptions::default();
        while let Some((&kind, after_kind)) = options.split_first() {
            match kind {
                option::END => break,
                option::NOP => {
                    options = after_kind;
                    continue;
                }
                _ => {}
            }
            let Some(&length) = options.get(option::field::LENGTH) else {
                break;
            };
            if length < option::MIN_LEN || usize::from(length) > options.len() {
                break;
            }
            let (this, rest) = options.split_at(usize::from(length));
            match (kind, length) {
                (option::MSS, option::MSS_LEN) => found.mss = Some(be16(this, option::field::MSS)),
                (option::WINDOW_SCALE, option::WINDOW_SCALE_LEN) => {
                    found.window_scale = this.get(option::field::WINDOW_SCALE).copied()
                }
                (option::SACK_PERMITTED, option::SACK_PERMITTED_LEN) => found.sack_permitted = true,
                (option::TIMESTAMP, option::TIMESTAMP_LEN) => {
                    found.timestamp = Some(be32(this, option::field::TIMESTAMP_VALUE))
                }
                _ => {}
            }
            options = rest;
        }
        found
    }
}

/// Longest [`Segment::tuple`]: two IPv6 addresses and two ports.
pub const TUPLE_MAX: usize = 2 * ipv6::ADDRESS_LEN + 2 * tcp::PORT_LEN;

impl Segment {
    /// Whether both ends of the segment are the same address and port:
    /// its answer would be addressed exactly as the segment itself.
    pub fn is_addressed_to_itself(&self) -> bool {
        let same_address = match &self.addresses {
            Addresses::V4 {
                source,
                destination,
            } => source == destination,
            Addresses::V6 {
                source,
                destination,
            } => source == destination,
        };
        same_address && self.source_port == self.destination_port
    }

    /// The connection's identity as bytes, the peer's side first: its
    /// address, our address, its port, our port. The first `length` bytes
    /// of the array are meaningful. The keyed ISN is a hash of these.
    pub fn tuple(&self) -> ([u8; TUPLE_MAX], usize) {
        let ports = (self.source_port, self.destination_port);
        match &self.addresses {
            Addresses::V4 {
                source,
                destination,
            } => tuple_of(source, destination, ports),
            Addresses::V6 {
                source,
                destination,
            } => tuple_of(source, destination, ports),
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

/// [`Segment::tuple`] for addresses of `N` bytes: the parts' lengths are
/// constants in each instance, so the copies compile to plain moves.
fn tuple_of<const N: usize>(
    source: &[u8; N],
    destination: &[u8; N],
    (source_port, destination_port): (u16, u16),
) -> ([u8; TUPLE_MAX], usize) {
    let mut tuple = [0; TUPLE_MAX];
    let mut length = 0;
    let source_port = source_port.to_be_bytes();
    let destination_port = destination_port.to_be_bytes();
    for part in [&source[..], destination, &source_port, &destination_port] {
        tuple[length..length + part.len()].copy_from_slice(part);
        length += part.len();
    }
    (tuple, length)
}

/// The bytes of `field` in `header`; zeros if `header` is too short, which
/// every caller has ruled out before it reads.
fn bytes<const N: usize>(header: &[u8], field: Field) -> [u8; N] {
    header
        .get(field)
        .and_then(|bytes| bytes.try_into().ok())
        .unwrap_or([0; N])
}

/// The big-endian 16-bit `field` of `header`.
fn be16(header: &[u8], field: Field) -> u16 {
    u16::from_be_bytes(bytes(header, field))
}

/// The big-endian 32-bit `field` of `header`.
fn be32(header: &[u8], field: Field) -> u32 {
    u32::from_be_bytes(bytes(header, field))
}

/// Parses the headers of a packet the target was called for.
///
/// `headers` holds the packet's first bytes from the network header on
/// (at least `min(packet_len, HEADERS_MAX)` of them); `packet_len` is the
/// packet's full length from the network header, so lengths claimed by the
/// headers can be checked against what really arrived.
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
fn parse_ipv4(headers: &[u8], packet_len: usize) -> Result<(Addresses, usize, usize), Ignored> {
    use ipv4::field;
    let Some(header) = headers.get(..ipv4::HEADER_LEN) else {
        return Err(Ignored::Truncated);
    };
    let version_ihl = header[field::VERSION_IHL];
    if ipv4::version(version_ihl) != ipv4::VERSION {
        return Err(Ignored::Malformed);
    }
    let header_len = ipv4::header_len(version_ihl);
    if header_len < ipv4::HEADER_LEN {
        return Err(Ignored::Malformed);
    }
    if header_len > ipv4::HEADER_LEN {
        return Err(Ignored::IpOptions);
    }
    let total_len = usize::from(be16(header, field::TOTAL_LEN));
    if total_len < header_len {
        return Err(Ignored::Malformed);
    }
    if total_len > packet_len {
        return Err(Ignored::Truncated);
    }
    if be16(header, field::FLAGS_FRAGMENT) & (ipv4::MORE_FRAGMENTS | ipv4::FRAGMENT_OFFSET) != 0 {
        return Err(Ignored::Fragment);
    }
    if header[field::PROTOCOL] != IPPROTO_TCP {
        return Err(Ignored::NotTcp);
    }
    let addresses = Addresses::V4 {
        source: bytes(header, field::SOURCE),
        destination: bytes(header, field::DESTINATION),
    };
    Ok((addresses, header_len, total_len - header_len))
}

/// Returns the addresses, the TCP header's offset and the TCP length.
fn parse_ipv6(headers: &[u8], packet_len: usize) -> Result<(Addresses, usize, usize), Ignored> {
    use ipv6::field;
    let Some(header) = headers.get(..ipv6::HEADER_LEN) else {
        return Err(Ignored::Truncated);
    };
    if ipv6::version(be32(header, field::VERSION_CLASS_FLOW)) != ipv6::VERSION {
        return Err(Ignored::Malformed);
    }
    let payload_len = usize::from(be16(header, field::PAYLOAD_LEN));
    if ipv6::HEADER_LEN + payload_len > packet_len {
        return Err(Ignored::Truncated);
    }
    let next_header = header[field::NEXT_HEADER];
    if ipv6::EXTENSION_HEADERS.contains(&next_header) {
        return Err(Ignored::ExtensionHeader);
    }
    if next_header != IPPROTO_TCP {
        return Err(Ignored::NotTcp);
    }
    let addresses = Addresses::V6 {
        source: bytes(header, field::SOURCE),
        destination: bytes(header, field::DESTINATION),
    };
    Ok((addresses, ipv6::HEADER_LEN, payload_len))
}

/// Reads the TCP header at `offset` of a segment of `tcp_len` bytes (header
/// and payload), and the options of a SYN.
fn parse_tcp(
    addresses: Addresses,
    headers: &[u8],
    offset: usize,
    tcp_len: usize,
) -> Result<Segment, Ignored> {
    use tcp::field;
    if tcp_len < tcp::HEADER_LEN {
        return Err(Ignored::Truncated);
    }
    let Some(header) = headers.get(offset..offset + tcp::HEADER_LEN) else {
        return Err(Ignored::Truncated);
    };
    let header_len = tcp::header_len(header[field::DATA_OFFSET]);
    if header_len < tcp::HEADER_LEN {
        return Err(Ignored::Malformed);
    }
    if header_len > tcp_len {
        return Err(Ignored::Truncated);
    }
    let flags = TcpFlags(header[field::FLAGS]);
    let syn_options = if flags.contains(TcpFlags::SYN) && header_len > tcp::HEADER_LEN {
        // As much of the options as was copied.
        let end = (offset + header_len).min(headers.len());
        let options = headers.get(offset + tcp::HEADER_LEN..end);
        SynOptions::parse(options.unwrap_or_default())
    } else {
        SynOptions::default()
    };
    Ok(Segment {
        addresses,
        source_port: be16(header, field::SOURCE_PORT),
        destination_port: be16(header, field::DESTINATION_PORT),
        seq: be32(header, field::SEQUENCE),
        ack: be32(header, field::ACKNOWLEDGMENT),
        flags,
        window: be16(header, field::WINDOW),
        tcp_offset: offset,
        payload_len: tcp_len - header_len,
        length: offset + tcp_len,
        syn_options,
    })
}
