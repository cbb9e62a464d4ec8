// SPDX-License-Identifier: GPL-2.0

//! The wire layout of the headers the packet core reads and writes, in one
//! place: where each field of the IPv4 (RFC 791), IPv6 (RFC 8200) and TCP
//! (RFC 9293) headers sits, the headers' lengths, their flag bits, and the
//! protocol numbers. The parser (`segment.rs`), the writer (`write.rs`),
//! `--mimic`'s options (`mimic.rs`) and the checksums (`checksum.rs`) all
//! name a field from here; none of them spells a byte offset.
//!
//! A field is the range of its bytes from the start of its header; a field
//! of a single byte is that byte's index. Multi-byte fields are big-endian.

/// Bytes of a header field, counted from the start of its header.
pub type Field = core::ops::Range<usize>;

/// Bytes in the unit of IPv4's header length and TCP's data offset, and the
/// alignment of TCP options.
pub const WORD_LEN: usize = 4;

/// IP protocol number of TCP: the IPv4 protocol, the IPv6 next header and
/// both pseudo-headers' protocol.
pub const IPPROTO_TCP: u8 = 6;
/// IPv6 hop-by-hop options (an extension header).
pub const IPPROTO_HOPOPTS: u8 = 0;
/// IPv6 routing header.
pub const IPPROTO_ROUTING: u8 = 43;
/// IPv6 fragment header.
pub const IPPROTO_FRAGMENT: u8 = 44;
/// Encapsulating security payload.
pub const IPPROTO_ESP: u8 = 50;
/// Authentication header.
pub const IPPROTO_AH: u8 = 51;
/// IPv6 destination options.
pub const IPPROTO_DSTOPTS: u8 = 60;
/// Mobility header (RFC 6275).
pub const IPPROTO_MH: u8 = 135;
/// Host identity protocol (RFC 7401).
pub const IPPROTO_HIP: u8 = 139;
/// Shim6 (RFC 5533).
pub const IPPROTO_SHIM6: u8 = 140;
/// Reserved for experimentation and testing (RFC 3692), first value.
pub const IPPROTO_EXPERIMENT_1: u8 = 253;
/// Reserved for experimentation and testing (RFC 3692), second value.
pub const IPPROTO_EXPERIMENT_2: u8 = 254;

/// The IPv4 header (RFC 791), without options.
pub mod ipv4 {
    use super::WORD_LEN;

    /// Bytes of an IPv4 header without options.
    pub const HEADER_LEN: usize = 20;
    /// Bytes of an IPv4 address.
    pub const ADDRESS_LEN: usize = 4;
    /// The version number of IPv4.
    pub const VERSION: u8 = 4;

    /// Where the fields of an IPv4 header are.
    pub mod field {
        use super::super::Field;

        /// Version (high nibble) and header length in words (low nibble).
        pub const VERSION_IHL: usize = 0;
        /// Type of service (DSCP and ECN).
        pub const TOS: usize = 1;
        /// Length of the whole packet, header included.
        pub const TOTAL_LEN: Field = 2..4;
        /// Identification, for reassembly.
        pub const IDENTIFICATION: Field = 4..6;
        /// Flags (high three bits) and fragment offset.
        pub const FLAGS_FRAGMENT: Field = 6..8;
        /// Time to live.
        pub const TTL: usize = 8;
        /// Protocol of the payload.
        pub const PROTOCOL: usize = 9;
        /// Header checksum.
        pub const CHECKSUM: Field = 10..12;
        /// Source address.
        pub const SOURCE: Field = 12..16;
        /// Destination address.
        pub const DESTINATION: Field = 16..20;
    }

    /// [`field::FLAGS_FRAGMENT`]: "don't fragment".
    pub const DONT_FRAGMENT: u16 = 0x4000;
    /// [`field::FLAGS_FRAGMENT`]: "more fragments" follow.
    pub const MORE_FRAGMENTS: u16 = 0x2000;
    /// [`field::FLAGS_FRAGMENT`]: the fragment offset.
    pub const FRAGMENT_OFFSET: u16 = 0x1fff;

    /// The version in a [`field::VERSION_IHL`] byte.
    pub const fn version(version_ihl: u8) -> u8 {
        version_ihl >> 4
    }

    /// The header length in bytes that a [`field::VERSION_IHL`] byte gives.
    pub const fn header_len(version_ihl: u8) -> usize {
        (version_ihl & 0x0f) as usize * WORD_LEN
    }

    /// The [`field::VERSION_IHL`] byte of an IPv4 header of `header_len`
    /// bytes (a multiple of four).
    pub const fn version_ihl(header_len: usize) -> u8 {
        (VERSION << 4) | (header_len / WORD_LEN) as u8
    }
}

/// The fixed IPv6 header (RFC 8200).
pub mod ipv6 {
    use super::{
        IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_ESP, IPPROTO_EXPERIMENT_1, IPPROTO_EXPERIMENT_2,
        IPPROTO_FRAGMENT, IPPROTO_HIP, IPPROTO_HOPOPTS, IPPROTO_MH, IPPROTO_ROUTING, IPPROTO_SHIM6,
    };

    /// Bytes of the fixed IPv6 header.
    pub const HEADER_LEN: usize = 40;
    /// Bytes of an IPv6 address.
    pub const ADDRESS_LEN: usize = 16;
    /// The version number of IPv6.
    pub const VERSION: u8 = 6;
    /// The flow label's bits in [`field::VERSION_CLASS_FLOW`].
    pub const FLOW_LABEL_MASK: u32 = 0x000f_ffff;
    /// Where the version starts in [`field::VERSION_CLASS_FLOW`].
    const VERSION_SHIFT: u32 = 28;

    /// Where the fields of the fixed IPv6 header are.
    pub mod field {
        use super::super::Field;

        /// Version (four bits), traffic class (eight) and flow label
        /// (twenty).
        pub const VERSION_CLASS_FLOW: Field = 0..4;
        /// Bytes after this header: extension headers and upper layer.
        pub const PAYLOAD_LEN: Field = 4..6;
        /// Protocol of the next header.
        pub const NEXT_HEADER: usize = 6;
        /// Hop limit.
        pub const HOP_LIMIT: usize = 7;
        /// Source address.
        pub const SOURCE: Field = 8..24;
        /// Destination address.
        pub const DESTINATION: Field = 24..40;
    }

    /// Next-header values that are extension headers, not an upper layer
    /// (RFC 8200 and the IANA registry of IPv6 extension headers).
    pub const EXTENSION_HEADERS: [u8; 11] = [
        IPPROTO_HOPOPTS,
        IPPROTO_ROUTING,
        IPPROTO_FRAGMENT,
        IPPROTO_ESP,
        IPPROTO_AH,
        IPPROTO_DSTOPTS,
        IPPROTO_MH,
        IPPROTO_HIP,
        IPPROTO_SHIM6,
        IPPROTO_EXPERIMENT_1,
        IPPROTO_EXPERIMENT_2,
    ];

    /// The version in a [`field::VERSION_CLASS_FLOW`] word.
    pub const fn version(version_class_flow: u32) -> u8 {
        (version_class_flow >> VERSION_SHIFT) as u8
    }

    /// The [`field::VERSION_CLASS_FLOW`] word of a header with traffic
    /// class zero and `flow_label` (its low twenty bits).
    pub const fn version_class_flow(flow_label: u32) -> u32 {
        ((VERSION as u32) << VERSION_SHIFT) | (flow_label & FLOW_LABEL_MASK)
    }
}

/// The TCP header (RFC 9293) and the options the target reads and writes.
pub mod tcp {
    use super::WORD_LEN;

    /// Bytes of a TCP header without options.
    pub const HEADER_LEN: usize = 20;
    /// Most bytes of TCP options a header can carry.
    pub const OPTIONS_MAX: usize = 40;
    /// Bytes of a port number.
    pub const PORT_LEN: usize = 2;

    /// Where the fields of a TCP header are.
    pub mod field {
        use super::super::Field;

        /// Source port.
        pub const SOURCE_PORT: Field = 0..2;
        /// Destination port.
        pub const DESTINATION_PORT: Field = 2..4;
        /// Sequence number.
        pub const SEQUENCE: Field = 4..8;
        /// Acknowledgment number.
        pub const ACKNOWLEDGMENT: Field = 8..12;
        /// Header length in words (high nibble); the low nibble is
        /// reserved.
        pub const DATA_OFFSET: usize = 12;
        /// Flags.
        pub const FLAGS: usize = 13;
        /// Window.
        pub const WINDOW: Field = 14..16;
        /// Checksum over the pseudo-header and the segment.
        pub const CHECKSUM: Field = 16..18;
        /// Urgent pointer.
        pub const URGENT_POINTER: Field = 18..20;
    }

    /// Bits of [`field::FLAGS`].
    pub mod flag {
        /// No more data from the sender.
        pub const FIN: u8 = 0x01;
        /// Synchronize sequence numbers.
        pub const SYN: u8 = 0x02;
        /// Reset the connection.
        pub const RST: u8 = 0x04;
        /// Push function.
        pub const PSH: u8 = 0x08;
        /// The acknowledgment field is significant.
        pub const ACK: u8 = 0x10;
    }

    /// TCP options: kinds, lengths (the value of an option's length byte)
    /// and fields, counted from the option's kind byte.
    pub mod option {
        /// End of the option list.
        pub const END: u8 = 0;
        /// No operation (one byte of padding).
        pub const NOP: u8 = 1;
        /// Maximum segment size.
        pub const MSS: u8 = 2;
        /// Window scale (RFC 7323).
        pub const WINDOW_SCALE: u8 = 3;
        /// SACK permitted (RFC 2018).
        pub const SACK_PERMITTED: u8 = 4;
        /// Timestamps (RFC 7323).
        pub const TIMESTAMP: u8 = 8;

        /// The shortest option with a length byte: kind and length.
        pub const MIN_LEN: u8 = 2;
        /// Length of the MSS option.
        pub const MSS_LEN: u8 = 4;
        /// Length of the window scale option.
        pub const WINDOW_SCALE_LEN: u8 = 3;
        /// Length of the SACK permitted option.
        pub const SACK_PERMITTED_LEN: u8 = 2;
        /// Length of the timestamps option.
        pub const TIMESTAMP_LEN: u8 = 10;

        /// Where the fields of an option are.
        pub mod field {
            use super::super::super::Field;

            /// Kind, in every option.
            pub const KIND: usize = 0;
            /// Length, in every option but END and NOP.
            pub const LENGTH: usize = 1;
            /// The MSS option's maximum segment size.
            pub const MSS: Field = 2..4;
            /// The window scale option's shift count.
            pub const WINDOW_SCALE: usize = 2;
            /// The timestamps option's value (TSval).
            pub const TIMESTAMP_VALUE: Field = 2..6;
            /// The timestamps option's echo reply (TSecr).
            pub const TIMESTAMP_ECHO: Field = 6..10;
        }
    }

    /// The header length in bytes that a [`field::DATA_OFFSET`] byte gives.
    pub const fn header_len(data_offset: u8) -> usize {
        (data_offset >> 4) as usize * WORD_LEN
    }

    /// The [`field::DATA_OFFSET`] byte of a header of `header_len` bytes
    /// (a multiple of four).
    pub const fn data_offset(header_len: usize) -> u8 {
        ((header_len / WORD_LEN) as u8) << 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `fields`, in order, cover `0..len` without a gap or an
    /// overlap.
    fn tile(fields: &[Field], len: usize) -> bool {
        let mut end = 0;
        for field in fields {
            if field.start != end || field.end <= field.start {
                return false;
            }
            end = field.end;
        }
        end == len
    }

    fn byte(index: usize) -> Field {
        index..index + 1
    }

    #[test]
    fn ipv4_fields_cover_the_header() {
        use ipv4::field::*;
        let fields = [
            byte(VERSION_IHL),
            byte(TOS),
            TOTAL_LEN,
            IDENTIFICATION,
            FLAGS_FRAGMENT,
            byte(TTL),
            byte(PROTOCOL),
            CHECKSUM,
            SOURCE,
            DESTINATION,
        ];
        assert!(tile(&fields, ipv4::HEADER_LEN));
        assert_eq!(SOURCE.len(), ipv4::ADDRESS_LEN);
        assert_eq!(DESTINATION.len(), ipv4::ADDRESS_LEN);
    }

    #[test]
    fn ipv6_fields_cover_the_header() {
        use ipv6::field::*;
        let fields = [
            VERSION_CLASS_FLOW,
            PAYLOAD_LEN,
            byte(NEXT_HEADER),
            byte(HOP_LIMIT),
            SOURCE,
            DESTINATION,
        ];
        assert!(tile(&fields, ipv6::HEADER_LEN));
        assert_eq!(SOURCE.len(), ipv6::ADDRESS_LEN);
        assert_eq!(DESTINATION.len(), ipv6::ADDRESS_LEN);
    }

    #[test]
    fn tcp_fields_cover_the_header() {
        use tcp::field::*;
        let fields = [
            SOURCE_PORT,
            DESTINATION_PORT,
            SEQUENCE,
            ACKNOWLEDGMENT,
            byte(DATA_OFFSET),
            byte(FLAGS),
            WINDOW,
            CHECKSUM,
            URGENT_POINTER,
        ];
        assert!(tile(&fields, tcp::HEADER_LEN));
        assert_eq!(SOURCE_PORT.len(), tcp::PORT_LEN);
    }

    #[test]
    fn option_fields_fill_their_options() {
        use tcp::option::{self, field::*};
        assert!(tile(
            &[byte(KIND), byte(LENGTH), MSS],
            option::MSS_LEN.into()
        ));
        assert!(tile(
            &[byte(KIND), byte(LENGTH), byte(WINDOW_SCALE)],
            option::WINDOW_SCALE_LEN.into()
        ));
        assert!(tile(
            &[byte(KIND), byte(LENGTH)],
            option::SACK_PERMITTED_LEN.into()
        ));
        assert!(tile(
            &[byte(KIND), byte(LENGTH), TIMESTAMP_VALUE, TIMESTAMP_ECHO],
            option::TIMESTAMP_LEN.into()
        ));
        assert!(tile(&[byte(KIND), byte(LENGTH)], option::MIN_LEN.into()));
    }

    #[test]
    fn length_nibbles_round_trip() {
        assert_eq!(ipv4::version_ihl(ipv4::HEADER_LEN), 0x45);
        assert_eq!(ipv4::version(0x45), ipv4::VERSION);
        assert_eq!(ipv4::header_len(0x45), ipv4::HEADER_LEN);
        assert_eq!(ipv4::header_len(0x4f), 60);
        assert_eq!(tcp::data_offset(tcp::HEADER_LEN), 0x50);
        assert_eq!(tcp::header_len(0x50), tcp::HEADER_LEN);
        assert_eq!(tcp::header_len(0xf0), tcp::HEADER_LEN + tcp::OPTIONS_MAX);
        assert_eq!(ipv6::version(0x6000_0000), ipv6::VERSION);
        assert_eq!(ipv6::version(0x6fff_ffff), ipv6::VERSION);
        assert_eq!(ipv6::version_class_flow(0xfff1_2345), 0x6001_2345);
    }
}
