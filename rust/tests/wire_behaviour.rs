//! Every row of the wire behaviour specification, one test each, checked
//! on the bytes the core writes.

mod common;

use common::*;
use tarpit_packet::{
    check_protocol, decide, parse, write_reply, Family, Ignored, Mode, RuleError, Settings,
    REPLY_MAX_LEN,
};

const ISN: u32 = 0xabcd_ef01;
const TTL: u8 = 61;

fn answer_bytes(mode: Mode, packet: &[u8], v6: bool) -> Result<Vec<u8>, Ignored> {
    let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
    let segment = parse(family, packet, packet.len())?;
    let reply = decide(mode, &segment, &Settings::with_key(ISN))?;
    let mut out = [0u8; REPLY_MAX_LEN];
    let written = write_reply(&segment, &reply, TTL, &mut out).expect("REPLY_MAX_LEN holds every reply");
    assert_eq!(written.network_len, if v6 { 40 } else { 20 }, "network header length");
    Ok(out[..written.len].to_vec())
}

fn answer(mode: Mode, probe: &Probe) -> Result<Fields, Ignored> {
    answer_bytes(mode, &probe.packet(), probe.v6).map(|bytes| read(&bytes))
}

/// The decision alone, with validation of acknowledgment numbers on.
fn validated(mode: Mode, probe: &Probe, key: u32) -> Result<(), Ignored> {
    let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
    let packet = probe.packet();
    let segment = parse(family, &packet, packet.len())?;
    let settings = Settings { validate: true, ..Settings::with_key(key) };
    decide(mode, &segment, &settings).map(|_| ())
}

/// The client's initial sequence number in the connection tests.
const CLIENT_ISN: u32 = 0x1000_0000;

/// A segment of a `--tarpit` connection whose SYN carried [`CLIENT_ISN`],
/// starting `offset` bytes past the client's first byte (-1: a window
/// probe or keepalive), acknowledging the SYN-ACK that SYN got.
fn tarpit_segment(v6: bool, flags: u8, offset: i32) -> Probe {
    let mut syn = Probe::new(v6, SYN);
    syn.seq = CLIENT_ISN;
    let synack = answer(Mode::Tarpit, &syn).unwrap();
    let mut probe = Probe::new(v6, flags);
    probe.seq = CLIENT_ISN.wrapping_add(1).wrapping_add_signed(offset);
    probe.ack = synack.seq.wrapping_add(1);
    probe
}

/// The fields every reply must have right, whatever its kind.
fn assert_well_formed(probe: &Probe, reply: &Fields) {
    assert_eq!(reply.len, if probe.v6 { 60 } else { 40 }, "headers only");
    assert_eq!(reply.data_offset, 20, "no TCP options");
    assert_eq!((reply.sport, reply.dport), (probe.dport, probe.sport), "ports swapped");
    if probe.v6 {
        assert_eq!((reply.src.as_slice(), reply.dst.as_slice()), (&SERVER6[..], &CLIENT6[..]));
    } else {
        assert_eq!((reply.src.as_slice(), reply.dst.as_slice()), (&SERVER4[..], &CLIENT4[..]));
        assert!(reply.df, "DF set");
    }
    assert_eq!(reply.ttl, TTL);
    assert_eq!(reply.urgent, 0);
    assert!(reply.ip_checksum_ok, "IP checksum");
    assert!(reply.tcp_checksum_ok, "TCP checksum");
}

fn both_families(test: impl Fn(bool)) {
    test(false);
    test(true);
}

#[test]
fn tarpit_syn_gets_synack_with_tiny_window() {
    both_families(|v6| {
        let probe = Probe::new(v6, SYN);
        let reply = answer(Mode::Tarpit, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!(reply.flags, SYN | ACK);
        assert_eq!(reply.ack, probe.seq + 1);
        assert!(reply.window > 0 && reply.window <= 16, "tiny window, got {}", reply.window);
    });
}

#[test]
fn tarpit_isn_carries_the_clients_isn_under_the_key() {
    // The key plus the client's ISN: another key or another client ISN
    // gives another SYN-ACK, and the same SYN always the same one.
    both_families(|v6| {
        let mut probe = Probe::new(v6, SYN);
        for client_isn in [0, 1, 0x1000_0000, u32::MAX] {
            probe.seq = client_isn;
            let reply = answer(Mode::Tarpit, &probe).unwrap();
            assert_eq!(reply.seq, ISN.wrapping_add(client_isn));
            assert_eq!(answer(Mode::Tarpit, &probe).unwrap().seq, reply.seq);
        }
    });
}

#[test]
fn tarpit_synack_gets_rst() {
    both_families(|v6| {
        let probe = Probe::new(v6, SYN | ACK);
        let reply = answer(Mode::Tarpit, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!(reply.flags, RST);
        assert_eq!(reply.seq, probe.ack);
        assert_eq!(reply.window, 0);
    });
}

#[test]
fn tarpit_data_gets_zero_window_ack_acknowledging_nothing_new() {
    both_families(|v6| {
        let mut probe = tarpit_segment(v6, ACK | PSH, 0);
        probe.payload = vec![b'A'; 300];
        let reply = answer(Mode::Tarpit, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!(reply.flags, ACK);
        assert_eq!(reply.seq, probe.ack);
        assert_eq!(reply.ack, probe.seq, "the data is not acknowledged");
        assert_eq!(reply.window, 0);
    });
}

#[test]
fn tarpit_window_probe_and_keepalive_get_zero_window_ack_of_snd_una() {
    // A probe or keepalive carries snd_una - 1: acknowledging its own
    // sequence number would be an old ACK the client ignores.
    both_families(|v6| {
        let probe = tarpit_segment(v6, ACK, -1);
        let reply = answer(Mode::Tarpit, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!((reply.flags, reply.seq, reply.ack, reply.window), (ACK, probe.ack, CLIENT_ISN + 1, 0));
    });
}

#[test]
fn tarpit_segments_past_snd_una_get_an_ack_of_snd_una() {
    // A pure ACK after the client filled the window we offered, and the
    // rest of a first flight: acknowledged up to snd_una, no further.
    both_families(|v6| {
        for offset in [1, 3, 5] {
            let probe = tarpit_segment(v6, ACK, offset);
            let reply = answer(Mode::Tarpit, &probe).unwrap();
            assert_eq!((reply.flags, reply.ack, reply.window), (ACK, CLIENT_ISN + 1, 0), "offset {offset}");
        }
    });
}

#[test]
fn tarpit_segments_outside_the_offered_window_are_not_the_clients() {
    both_families(|v6| {
        for offset in [-2, 6, 1000, i32::MIN] {
            let probe = tarpit_segment(v6, ACK, offset);
            assert_eq!(validated(Mode::Tarpit, &probe, ISN), Err(Ignored::FailedValidation), "offset {offset}");
            // Without validation: acknowledged at its own start.
            assert_eq!(answer(Mode::Tarpit, &probe).unwrap().ack, probe.seq, "offset {offset}");
        }
        for offset in -1..=5 {
            assert_eq!(validated(Mode::Tarpit, &tarpit_segment(v6, ACK, offset), ISN), Ok(()), "offset {offset}");
        }
    });
}

#[test]
fn tarpit_fin_rst_and_flagless_segments_get_no_reply() {
    both_families(|v6| {
        for (flags, reason) in [
            (FIN, Ignored::Fin),
            (FIN | ACK, Ignored::Fin),
            (FIN | PSH | URG, Ignored::Fin),
            (RST, Ignored::Reset),
            (RST | ACK, Ignored::Reset),
            (0, Ignored::NoSynNoAck),
            (PSH, Ignored::NoSynNoAck),
            (SYN | FIN, Ignored::SynFin),
            (SYN | RST, Ignored::Reset),
        ] {
            assert_eq!(answer(Mode::Tarpit, &Probe::new(v6, flags)).unwrap_err(), reason, "flags {flags:#x}");
        }
    });
}

#[test]
fn honeypot_syn_gets_synack_with_open_window() {
    both_families(|v6| {
        let probe = Probe::new(v6, SYN);
        let reply = answer(Mode::Honeypot, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!((reply.flags, reply.seq, reply.ack), (SYN | ACK, ISN, probe.seq + 1));
        assert!(reply.window >= 1024, "normal-looking window, got {}", reply.window);
    });
}

#[test]
fn honeypot_data_is_acknowledged_and_none_is_sent() {
    both_families(|v6| {
        let mut probe = Probe::new(v6, ACK | PSH);
        probe.payload = b"EHLO spammer.example\r\n".to_vec();
        let reply = answer(Mode::Honeypot, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!(reply.flags, ACK);
        assert_eq!(reply.seq, probe.ack);
        assert_eq!(reply.ack, probe.seq + probe.payload.len() as u32);
        assert!(reply.window >= 1024);
    });
}

#[test]
fn honeypot_fin_and_synack_get_rst() {
    both_families(|v6| {
        for flags in [FIN | ACK, SYN | ACK] {
            let probe = Probe::new(v6, flags);
            let reply = answer(Mode::Honeypot, &probe).unwrap();
            assert_well_formed(&probe, &reply);
            assert_eq!((reply.flags, reply.seq, reply.window), (RST, probe.ack, 0), "flags {flags:#x}");
        }
        let probe = Probe::new(v6, FIN);
        let reply = answer(Mode::Honeypot, &probe).unwrap();
        assert_eq!((reply.flags, reply.seq, reply.ack), (RST | ACK, 0, probe.seq + 1), "bare FIN");
    });
}

#[test]
fn honeypot_rst_and_flagless_segments_get_no_reply() {
    both_families(|v6| {
        assert_eq!(answer(Mode::Honeypot, &Probe::new(v6, RST)).unwrap_err(), Ignored::Reset);
        assert_eq!(answer(Mode::Honeypot, &Probe::new(v6, 0)).unwrap_err(), Ignored::NoSynNoAck);
    });
}

#[test]
fn reset_answers_syn_with_rst_ack_covering_it() {
    both_families(|v6| {
        let mut probe = Probe::new(v6, SYN);
        probe.payload = vec![1, 2, 3];
        let reply = answer(Mode::Reset, &probe).unwrap();
        assert_well_formed(&probe, &reply);
        assert_eq!((reply.flags, reply.seq, reply.ack, reply.window), (RST | ACK, 0, probe.seq + 4, 0));
    });
}

#[test]
fn reset_answers_acked_segments_with_rst_at_their_ack() {
    both_families(|v6| {
        for flags in [ACK, ACK | PSH, FIN | ACK, SYN | ACK] {
            let probe = Probe::new(v6, flags);
            let reply = answer(Mode::Reset, &probe).unwrap();
            assert_well_formed(&probe, &reply);
            assert_eq!((reply.flags, reply.seq, reply.ack), (RST, probe.ack, 0), "flags {flags:#x}");
        }
    });
}

#[test]
fn reset_never_answers_rst() {
    both_families(|v6| {
        assert_eq!(answer(Mode::Reset, &Probe::new(v6, RST | ACK)).unwrap_err(), Ignored::Reset);
    });
}

#[test]
fn sequence_numbers_wrap_around() {
    let mut probe = Probe::new(false, SYN);
    probe.seq = u32::MAX;
    assert_eq!(answer(Mode::Tarpit, &probe).unwrap().ack, 0);
}

fn ipv4_with(edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut packet = Probe::new(false, SYN).packet();
    edit(&mut packet);
    packet
}

fn ignored_v4(packet: &[u8]) -> Ignored {
    answer_bytes(Mode::Reset, packet, false).unwrap_err()
}

fn ignored_v6(packet: &[u8]) -> Ignored {
    answer_bytes(Mode::Reset, packet, true).unwrap_err()
}

#[test]
fn ipv4_options_get_no_reply() {
    let mut probe = Probe::new(false, SYN).packet();
    probe.splice(20..20, [1, 1, 1, 0]);
    probe[0] = 0x46;
    let length = probe.len() as u16;
    probe[2..4].copy_from_slice(&length.to_be_bytes());
    assert_eq!(ignored_v4(&probe), Ignored::IpOptions);
}

#[test]
fn fragments_get_no_reply() {
    for field in [0x2000u16, 0x0001, 0x3fff, 0x6000] {
        let packet = ipv4_with(|p| p[6..8].copy_from_slice(&field.to_be_bytes()));
        assert_eq!(ignored_v4(&packet), Ignored::Fragment, "frag field {field:#x}");
    }
    let mut v6 = Probe::new(true, SYN).packet();
    v6[6] = 44;
    assert_eq!(ignored_v6(&v6), Ignored::ExtensionHeader);
}

#[test]
fn ipv6_extension_headers_get_no_reply() {
    for next in [0u8, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254] {
        let mut packet = Probe::new(true, SYN).packet();
        packet[6] = next;
        assert_eq!(ignored_v6(&packet), Ignored::ExtensionHeader, "next header {next}");
    }
    let mut udp = Probe::new(true, SYN).packet();
    udp[6] = 17;
    assert_eq!(ignored_v6(&udp), Ignored::NotTcp);
}

#[test]
fn truncated_headers_get_no_reply() {
    let v4 = Probe::new(false, SYN).packet();
    for cut in [0, 10, 19, 20, 39] {
        let family_ok = answer_bytes(Mode::Reset, &v4[..cut], false);
        assert!(matches!(family_ok, Err(Ignored::Truncated)), "v4 cut at {cut}: {family_ok:?}");
    }
    let v6 = Probe::new(true, SYN).packet();
    for cut in [0, 39, 40, 59] {
        assert_eq!(ignored_v6(&v6[..cut]), Ignored::Truncated, "v6 cut at {cut}");
    }
}

#[test]
fn lengths_that_disagree_get_no_reply() {
    // IPv4 total length beyond the packet, and too short for its own header.
    assert_eq!(ignored_v4(&ipv4_with(|p| p[2..4].copy_from_slice(&100u16.to_be_bytes()))), Ignored::Truncated);
    assert_eq!(ignored_v4(&ipv4_with(|p| p[2..4].copy_from_slice(&12u16.to_be_bytes()))), Ignored::Malformed);
    // Total length leaving fewer than 20 bytes of TCP.
    assert_eq!(ignored_v4(&ipv4_with(|p| p[2..4].copy_from_slice(&30u16.to_be_bytes()))), Ignored::Truncated);
    // TCP data offset below 5, and beyond the segment.
    assert_eq!(ignored_v4(&ipv4_with(|p| p[32] = 4 << 4)), Ignored::Malformed);
    assert_eq!(ignored_v4(&ipv4_with(|p| p[32] = 6 << 4)), Ignored::Truncated);
    // IPv6 payload length beyond the packet.
    let mut v6 = Probe::new(true, SYN).packet();
    v6[4..6].copy_from_slice(&21u16.to_be_bytes());
    assert_eq!(ignored_v6(&v6), Ignored::Truncated);
    // Wrong IP version for the family.
    assert_eq!(ignored_v4(&Probe::new(true, SYN).packet()), Ignored::Malformed);
    assert_eq!(ignored_v6(&{ let mut p = Probe::new(true, SYN).packet(); p[0] = 0x40; p }), Ignored::Malformed);
}

#[test]
fn link_padding_after_the_datagram_is_fine() {
    let mut packet = Probe::new(false, SYN).packet();
    packet.extend_from_slice(&[0; 6]);
    assert!(answer_bytes(Mode::Tarpit, &packet, false).is_ok());
}

#[test]
fn non_unicast_addresses_get_no_reply() {
    for address in [[255, 255, 255, 255], [224, 0, 0, 1], [239, 1, 2, 3], [0, 0, 0, 0]] {
        let to = ipv4_with(|p| p[16..20].copy_from_slice(&address));
        assert_eq!(ignored_v4(&to), Ignored::NotUnicast, "to {address:?}");
        let from = ipv4_with(|p| p[12..16].copy_from_slice(&address));
        assert_eq!(ignored_v4(&from), Ignored::NotUnicast, "from {address:?}");
    }
    let multicast = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let unspecified = [0; 16];
    let v4_mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1];
    for address in [multicast, unspecified, v4_mapped] {
        let mut to = Probe::new(true, SYN).packet();
        to[24..40].copy_from_slice(&address);
        assert_eq!(ignored_v6(&to), Ignored::NotUnicast, "to {address:?}");
        let mut from = Probe::new(true, SYN).packet();
        from[8..24].copy_from_slice(&address);
        assert_eq!(ignored_v6(&from), Ignored::NotUnicast, "from {address:?}");
    }
}

#[test]
fn loopback_is_answered() {
    // The classic demonstration runs over 127.0.0.1.
    let packet = ipv4_with(|p| {
        p[12..16].copy_from_slice(&[127, 0, 0, 1]);
        p[16..20].copy_from_slice(&[127, 0, 0, 1]);
    });
    let segment = parse(Family::Ipv4, &packet, packet.len()).unwrap();
    assert!(decide(Mode::Tarpit, &segment, &Settings::with_key(ISN)).is_ok());
}

#[test]
fn not_tcp_gets_no_reply() {
    assert_eq!(ignored_v4(&ipv4_with(|p| p[9] = 17)), Ignored::NotTcp);
}

#[test]
fn validation_answers_only_acks_of_our_synack() {
    both_families(|v6| {
        for flags in [ACK, ACK | PSH] {
            let mut probe = Probe::new(v6, flags);
            probe.ack = ISN.wrapping_add(1);
            assert_eq!(validated(Mode::Honeypot, &probe, ISN), Ok(()), "flags {flags:#x}");
            for wrong in [ISN, ISN.wrapping_add(2), 0, ISN ^ 0x8000_0000] {
                probe.ack = wrong;
                assert_eq!(validated(Mode::Honeypot, &probe, ISN), Err(Ignored::FailedValidation), "ack {wrong:#x}");
            }
            let mut probe = tarpit_segment(v6, flags, 0);
            assert_eq!(validated(Mode::Tarpit, &probe, ISN), Ok(()), "flags {flags:#x}");
            // An ACK that places the client's first byte more than one
            // byte after the segment's start, or more than the window
            // before it.
            let right = probe.ack;
            for wrong in [right.wrapping_add(2), right.wrapping_sub(6), 0, right ^ 0x8000_0000] {
                probe.ack = wrong;
                assert_eq!(validated(Mode::Tarpit, &probe, ISN), Err(Ignored::FailedValidation), "ack {wrong:#x}");
            }
        }
    });
}

#[test]
fn validation_handles_sequence_wraparound() {
    let mut probe = Probe::new(false, ACK);
    probe.ack = 0;
    assert_eq!(validated(Mode::Honeypot, &probe, u32::MAX), Ok(()));
    probe.ack = u32::MAX;
    assert_eq!(validated(Mode::Honeypot, &probe, u32::MAX), Err(Ignored::FailedValidation));
    // --tarpit: a client ISN and a key that wrap, probes across zero.
    for (key, client_isn) in [(u32::MAX, u32::MAX), (1, u32::MAX - 1), (u32::MAX, 0)] {
        for offset in -1..=5i32 {
            let mut probe = Probe::new(false, ACK);
            probe.seq = client_isn.wrapping_add(1).wrapping_add_signed(offset);
            probe.ack = key.wrapping_add(client_isn).wrapping_add(1);
            assert_eq!(validated(Mode::Tarpit, &probe, key), Ok(()), "key {key:#x} isn {client_isn:#x} offset {offset}");
        }
    }
}

#[test]
fn validation_silences_honeypot_fins_that_do_not_fit() {
    let mut probe = Probe::new(false, FIN | ACK);
    probe.ack = ISN.wrapping_add(1);
    assert_eq!(validated(Mode::Honeypot, &probe, ISN), Ok(()));
    probe.ack = 7;
    assert_eq!(validated(Mode::Honeypot, &probe, ISN), Err(Ignored::FailedValidation));
    assert_eq!(validated(Mode::Honeypot, &Probe::new(false, FIN), ISN), Err(Ignored::FailedValidation));
}

#[test]
fn validation_leaves_syns_and_reset_mode_alone() {
    both_families(|v6| {
        assert_eq!(validated(Mode::Tarpit, &Probe::new(v6, SYN), ISN), Ok(()));
        assert_eq!(validated(Mode::Honeypot, &Probe::new(v6, SYN), ISN), Ok(()));
        assert_eq!(validated(Mode::Tarpit, &Probe::new(v6, SYN | ACK), ISN), Ok(()), "anti-spoofing RST");
        assert_eq!(validated(Mode::Reset, &Probe::new(v6, ACK), ISN), Ok(()));
    });
}

#[test]
fn tuple_puts_the_peer_first() {
    let packet = Probe::new(false, SYN).packet();
    let segment = parse(Family::Ipv4, &packet, packet.len()).unwrap();
    let (tuple, length) = segment.tuple();
    assert_eq!(length, 12);
    assert_eq!(&tuple[..4], &CLIENT4);
    assert_eq!(&tuple[4..8], &SERVER4);
    assert_eq!(&tuple[8..12], &[0x9c, 0x41, 0, 25]);
    let packet = Probe::new(true, SYN).packet();
    let segment = parse(Family::Ipv6, &packet, packet.len()).unwrap();
    let (tuple, length) = segment.tuple();
    assert_eq!(length, 36);
    assert_eq!(&tuple[..16], &CLIENT6);
    assert_eq!(&tuple[16..32], &SERVER6);
}

#[test]
fn a_segment_addressed_to_itself_is_never_answered() {
    // Same address and port at both ends: its answer would be addressed
    // exactly as it is, and reach the same rule again.
    both_families(|v6| {
        for (mode, flags) in [(Mode::Tarpit, ACK), (Mode::Tarpit, SYN), (Mode::Honeypot, ACK), (Mode::Reset, ACK)] {
            let mut probe = Probe::new(v6, flags);
            probe.sport = probe.dport;
            let mut packet = probe.packet();
            let (source, length) = if v6 { (8, 16) } else { (12, 4) };
            let destination = packet[source + length..source + 2 * length].to_vec();
            packet[source..source + length].copy_from_slice(&destination);
            if !v6 {
                packet[10..12].copy_from_slice(&[0, 0]);
                let checksum = !fold(&packet[..20]);
                packet[10..12].copy_from_slice(&checksum.to_be_bytes());
            }
            assert_eq!(answer_bytes(mode, &packet, v6), Err(Ignored::Loop), "{mode:?} {flags:#x}");
            // The same probe between two ends is answered.
            let mut other = probe.clone();
            other.sport = 40001;
            assert!(answer(mode, &other).is_ok());
        }
    });
}

#[test]
fn rules_are_accepted_when_their_protocol_match_lets_tcp_through() {
    const TCP: u16 = 6;
    const UDP: u16 = 17;
    const ICMPV6: u16 = 58;
    // (protocol, inverted, accepted): -p tcp; no -p (ban tools' rules);
    // ! -p udp; and what would only drop: -p udp, -p ipv6-icmp, ! -p tcp,
    // and an inverted "any", which matches nothing.
    let table = [
        (TCP, false, true),
        (0, false, true),
        (UDP, true, true),
        (UDP, false, false),
        (ICMPV6, false, false),
        (TCP, true, false),
        (0, true, false),
    ];
    for (protocol, inverted, accepted) in table {
        let result = check_protocol(protocol, inverted);
        assert_eq!(result.is_ok(), accepted, "-p {protocol} inverted {inverted}: {result:?}");
        if let Err(error) = result {
            assert_eq!(error, RuleError::MatchesNoTcp);
            let message = error.message().to_str().unwrap();
            assert!(message.contains("use -j DROP"), "{message}");
        }
    }
}

/// Whether the reply to `probe` under `mode` marks its connection as held
/// (the held-connections estimate counts it), validation off so that every
/// case gets a reply.
fn held(mode: Mode, probe: &Probe) -> Option<bool> {
    let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
    let packet = probe.packet();
    let segment = parse(family, &packet, packet.len()).ok()?;
    decide(mode, &segment, &Settings::with_key(ISN)).ok().map(|reply| reply.held)
}

#[test]
fn only_segments_acknowledging_our_tarpit_synack_prove_a_connection_held() {
    both_families(|v6| {
        for (flags, offset) in [(ACK, -1), (ACK, 0), (ACK, 5), (ACK | PSH, 1)] {
            let probe = tarpit_segment(v6, flags, offset);
            assert_eq!(held(Mode::Tarpit, &probe), Some(true), "flags {flags:#x} offset {offset}");
            // The same segment in the other modes holds nothing.
            assert_ne!(held(Mode::Honeypot, &probe), Some(true));
            assert_ne!(held(Mode::Reset, &probe), Some(true));
        }
        // A spoofed ACK (answered only because validation is off), a SYN,
        // a segment outside the window: not proof.
        let mut spoofed = tarpit_segment(v6, ACK, 0);
        spoofed.ack ^= 0x8000_0000;
        assert_eq!(held(Mode::Tarpit, &spoofed), Some(false));
        assert_eq!(held(Mode::Tarpit, &Probe::new(v6, SYN)), Some(false));
        assert_eq!(held(Mode::Tarpit, &tarpit_segment(v6, ACK, 1000)), Some(false));
    });
}
