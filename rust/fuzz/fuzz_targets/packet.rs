// SPDX-License-Identifier: GPL-2.0

//! Fuzzes the packet core end to end: parse -> decide -> write_reply.
//!
//! Input layout:
//! - byte 0: selector. Bit 0 picks the family (0 IPv4, 1 IPv6), the
//!   remaining bits modulo 3 the mode (0 tarpit, 1 honeypot, 2 reset).
//! - byte 1: extra length. The packet's length is the slice's length plus
//!   this, as for a packet whose tail was not copied.
//! - the rest: the packet's bytes, from the network header on.
//!
//! Whenever a reply is written it is checked byte by byte, independently
//! of the parser: checksums, lengths, addresses and ports swapped, no TCP
//! options. A segment with RST set must never get a reply.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tarpit_packet::{
    decide, ipv4_header_checksum, parse, tcp_checksum, write_reply, Addresses, Family, Mimic, Mode,
    Settings, REPLY_MAX_LEN, TARPIT_SPAN_MAX,
};

const TCP_FLAG_RST: u8 = 0x04;

fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// RFC 1071 sum of the concatenated parts (all of even length but the
/// last), folded and complemented: zero when data holding its own
/// checksum verifies. Written apart from the crate's Checksum on purpose.
fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u64 = 0;
    for part in parts {
        for word in part.chunks(2) {
            let high = u64::from(word[0]) << 8;
            let low = u64::from(word.get(1).copied().unwrap_or(0));
            sum += high | low;
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fuzz_target!(|data: &[u8]| {
    let [selector, extra, ref packet @ ..] = *data else {
        return;
    };
    let family = if selector & 1 == 0 {
        Family::Ipv4
    } else {
        Family::Ipv6
    };
    let mode = match (selector >> 1) % 3 {
        0 => Mode::Tarpit,
        1 => Mode::Honeypot,
        _ => Mode::Reset,
    };
    let packet_len = packet.len() + usize::from(extra);
    let isn = u32::from_be_bytes([selector, extra, selector ^ 0x5a, extra ^ 0xa5]);
    let hop_limit = extra.wrapping_add(selector);

    let Ok(segment) = parse(family, packet, packet_len) else {
        return;
    };

    // Where the TCP header is, from the packet's own bytes.
    let network_len = match family {
        Family::Ipv4 => usize::from(packet[0] & 0x0f) * 4,
        Family::Ipv6 => 40,
    };
    assert_eq!(segment.tcp_offset, network_len, "TCP header offset");
    assert!(
        network_len + 20 <= packet.len(),
        "parsed a TCP header that is not all there"
    );
    let tcp_in = &packet[network_len..network_len + 20];

    let settings = Settings {
        key: isn,
        tarpit_synack_window: u16::from_be_bytes([extra, selector]),
        validate: isn & 1 == 1,
        mimic: (isn & 2 == 2).then(|| Mimic {
            advmss: u16::from_be_bytes([selector, extra]),
            receive_space: isn.rotate_left(3),
            receive_space_max: isn.rotate_left(11),
            timestamp: isn ^ 0xdead_beef,
            flow_label: isn >> 7,
        }),
    };
    let decision = decide(mode, &segment, &settings);
    let flags_in = tcp_in[13];
    if settings.validate && decision.is_ok() && mode != Mode::Reset && flags_in & 0x02 == 0 {
        let ack_in = u32::from_be_bytes([tcp_in[8], tcp_in[9], tcp_in[10], tcp_in[11]]);
        let seq_in = u32::from_be_bytes([tcp_in[4], tcp_in[5], tcp_in[6], tcp_in[7]]);
        // --tarpit: the ACK gives back the client's first byte, which the
        // segment must start at most one byte before or the span after.
        let offset = seq_in.wrapping_sub(ack_in.wrapping_sub(isn)).wrapping_add(1);
        let fits = match mode {
            Mode::Tarpit => offset <= TARPIT_SPAN_MAX + 1,
            _ => ack_in == isn.wrapping_add(1),
        };
        assert!(
            flags_in & 0x10 != 0 && fits,
            "answered an ACK that does not fit the ISN"
        );
    }
    if tcp_in[13] & TCP_FLAG_RST != 0 {
        assert!(decision.is_err(), "RST answered: {decision:?}");
    }
    let Ok(reply) = decision else {
        return;
    };

    // Garbage in the buffer, so that a field left unwritten shows.
    let mut out = [extra ^ 0xff; REPLY_MAX_LEN];
    let written = write_reply(&segment, &reply, hop_limit, &mut out).expect("REPLY_MAX_LEN holds every reply");
    let len = written.len;
    // `packet_len` plays the skb's length (the slice, its headers).
    assert!(
        len <= packet_len,
        "reply of {len} bytes to a packet of {packet_len}"
    );
    if options_free(&reply) {
        assert!(
            len <= packet.len(),
            "reply of {len} bytes to a packet slice of {}",
            packet.len()
        );
    }
    let reply_bytes = &out[..len];
    let options_len = reply.options.as_bytes().len();
    assert!(
        options_len % 4 == 0 && options_len <= 40,
        "options of {options_len} bytes"
    );
    let tcp_len = 20 + options_len;

    let (ip_len, addresses) = match family {
        Family::Ipv4 => {
            assert_eq!(len, 20 + tcp_len, "IPv4 reply length");
            let ip = &reply_bytes[..20];
            assert_eq!(ip[0], 0x45, "version and header length");
            assert_eq!(usize::from(be16(ip, 2)), 20 + tcp_len, "total length");
            assert_eq!(be16(ip, 6) & 0x3fff, 0, "fragment bits");
            assert_eq!(ip[8], hop_limit, "TTL");
            assert_eq!(ip[9], 6, "protocol");
            assert_eq!(ip[12..16], packet[16..20], "source = their destination");
            assert_eq!(ip[16..20], packet[12..16], "destination = their source");
            assert_eq!(ipv4_header_checksum(ip), 0, "IPv4 header checksum");
            assert_eq!(internet_checksum(&[ip]), 0, "IPv4 header checksum");
            let mut source = [0; 4];
            let mut destination = [0; 4];
            source.copy_from_slice(&ip[12..16]);
            destination.copy_from_slice(&ip[16..20]);
            (
                20,
                Addresses::V4 {
                    source,
                    destination,
                },
            )
        }
        Family::Ipv6 => {
            assert_eq!(len, 40 + tcp_len, "IPv6 reply length");
            let ip = &reply_bytes[..40];
            assert_eq!(ip[0] >> 4, 6, "version");
            assert_eq!(usize::from(be16(ip, 4)), tcp_len, "payload length");
            assert_eq!(ip[6], 6, "next header");
            assert_eq!(ip[7], hop_limit, "hop limit");
            assert_eq!(ip[8..24], packet[24..40], "source = their destination");
            assert_eq!(ip[24..40], packet[8..24], "destination = their source");
            let mut source = [0; 16];
            let mut destination = [0; 16];
            source.copy_from_slice(&ip[8..24]);
            destination.copy_from_slice(&ip[24..40]);
            (
                40,
                Addresses::V6 {
                    source,
                    destination,
                },
            )
        }
    };

    assert_eq!(written.network_len, ip_len, "network header length");
    let tcp = &reply_bytes[ip_len..];
    assert_eq!(tcp.len(), tcp_len, "TCP header length");
    assert_eq!(usize::from(tcp[12] >> 4) * 4, tcp_len, "data offset");
    assert_eq!(&tcp[20..], reply.options.as_bytes(), "options");
    if options_len > 0 {
        assert_eq!(
            reply.flags.0, 0x12,
            "options on a reply other than a SYN-ACK"
        );
    }
    assert_eq!(
        tcp[0..2],
        tcp_in[2..4],
        "source port = their destination port"
    );
    assert_eq!(
        tcp[2..4],
        tcp_in[0..2],
        "destination port = their source port"
    );
    assert_eq!(be16(tcp, 0), segment.destination_port, "source port");
    assert_eq!(be16(tcp, 2), segment.source_port, "destination port");
    assert_eq!(tcp[13], reply.flags.0, "flags");
    assert_eq!(tcp_checksum(&addresses, tcp), 0, "TCP checksum");
    let tcp_len_bytes = (tcp_len as u16).to_be_bytes();
    let ipv4_pseudo = [0, 6, tcp_len_bytes[0], tcp_len_bytes[1]];
    let ipv6_pseudo = [0, 0, tcp_len_bytes[0], tcp_len_bytes[1], 0, 0, 0, 6];
    let pseudo_header: &[u8] = match family {
        Family::Ipv4 => &ipv4_pseudo,
        Family::Ipv6 => &ipv6_pseudo,
    };
    let (source, destination) = match family {
        Family::Ipv4 => (&reply_bytes[12..16], &reply_bytes[16..20]),
        Family::Ipv6 => (&reply_bytes[8..24], &reply_bytes[24..40]),
    };
    assert_eq!(
        internet_checksum(&[source, destination, pseudo_header, tcp]),
        0,
        "TCP checksum"
    );
});

/// Whether a reply is headers only (every reply but a `--mimic` SYN-ACK).
fn options_free(reply: &tarpit_packet::Reply) -> bool {
    reply.options.as_bytes().is_empty()
}
