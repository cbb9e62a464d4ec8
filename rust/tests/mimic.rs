//! `--mimic` SYN-ACKs, checked against what Linux's own SYN-ACK carries
//! for the same SYN (tcp_synack_options(), tcp_options_write() and
//! tcp_select_initial_window() in net/ipv4/tcp_output.c), on the bytes the
//! core writes.

mod common;

use common::*;
use tarpit_packet::{
    advmss_for_mtu, decide, mimic_sends_timestamp, parse, write_reply, Family, Mimic, Mode, Settings, SynOptions,
    REPLY_MAX_LEN,
};

const TSVAL_PEER: u32 = 0x0a0b_0c0d;
const TSVAL_OURS: u32 = 0x1122_3344;

/// What a Linux 6.x host with default sysctls on Ethernet (MTU 1500)
/// would use: advmss 1460, receive space 65536 (tcp_rmem[1] 131072 at the
/// default scaling ratio of one half), tcp_rmem[2] 6 MiB.
fn ethernet() -> Mimic {
    Mimic {
        advmss: 1460,
        receive_space: 65536,
        receive_space_max: 6 << 20,
        timestamp: TSVAL_OURS,
        flow_label: 0x5_4321,
    }
}

/// The options a Linux client puts in its SYN: mss 1460, sackOK,
/// TS val TSVAL_PEER ecr 0, nop, wscale 7.
fn linux_syn_options() -> Vec<u8> {
    let mut options = vec![2, 4, 0x05, 0xb4, 4, 2, 8, 10];
    options.extend_from_slice(&TSVAL_PEER.to_be_bytes());
    options.extend_from_slice(&[0, 0, 0, 0, 1, 3, 3, 7]);
    options
}

fn synack(v6: bool, options: Vec<u8>, mimic: Mimic) -> (Vec<u8>, Fields) {
    let mut probe = Probe::new(v6, SYN);
    probe.options = options;
    let packet = probe.packet();
    let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
    let segment = parse(family, &packet, packet.len()).unwrap();
    let settings = Settings { mimic: Some(mimic), ..Settings::with_key(0x7777_0000) };
    let reply = decide(Mode::Tarpit, &segment, &settings).unwrap();
    let mut out = [0u8; REPLY_MAX_LEN];
    let written = write_reply(&segment, &reply, 64, &mut out).expect("REPLY_MAX_LEN holds every reply");
    let length = written.len;
    assert_eq!(written.network_len, if v6 { 40 } else { 20 }, "network header length");
    assert!(length <= packet.len(), "reply longer than the SYN");
    let fields = read(&out[..length]);
    assert!(fields.ip_checksum_ok && fields.tcp_checksum_ok);
    (out[..length].to_vec(), fields)
}

fn tcp_options(bytes: &[u8], fields: &Fields) -> Vec<u8> {
    let ip_len = if bytes[0] >> 4 == 6 { 40 } else { 20 };
    bytes[ip_len + 20..ip_len + fields.data_offset].to_vec()
}

#[test]
fn a_linux_syn_gets_linux_options_in_linux_order() {
    for v6 in [false, true] {
        let (bytes, fields) = synack(v6, linux_syn_options(), ethernet());
        let mut expected = vec![2, 4, 0x05, 0xb4, 4, 2, 8, 10];
        expected.extend_from_slice(&TSVAL_OURS.to_be_bytes());
        expected.extend_from_slice(&TSVAL_PEER.to_be_bytes());
        expected.extend_from_slice(&[1, 3, 3, 7]);
        assert_eq!(tcp_options(&bytes, &fields), expected, "v6 {v6}");
        // 65536 rounded down to a multiple of 1460 - 12 bytes of timestamps.
        assert_eq!(fields.window, 65160);
        assert_eq!(fields.flags, SYN | ACK);
        // The key plus the client's ISN (`--tarpit`).
        assert_eq!(fields.seq, 0x7777_0000u32.wrapping_add(Probe::new(v6, SYN).seq));
    }
}

#[test]
fn ipv6_synacks_carry_a_flow_label() {
    let (bytes, _) = synack(true, linux_syn_options(), ethernet());
    let label = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) & 0x000f_ffff;
    assert_eq!(label, 0x5_4321);
    let (bytes, _) = synack(true, linux_syn_options(), Mimic { flow_label: 0, ..ethernet() });
    let label = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) & 0x000f_ffff;
    assert_ne!(label, 0, "Linux never sends a zero automatic flow label");
}

#[test]
fn only_offered_options_are_answered() {
    // Timestamps without SACK: two NOPs pad them.
    let mut options = vec![2, 4, 0x05, 0xb4, 1, 1, 8, 10];
    options.extend_from_slice(&TSVAL_PEER.to_be_bytes());
    options.extend_from_slice(&[0, 0, 0, 0]);
    let (bytes, fields) = synack(false, options, ethernet());
    let mut expected = vec![2, 4, 0x05, 0xb4, 1, 1, 8, 10];
    expected.extend_from_slice(&TSVAL_OURS.to_be_bytes());
    expected.extend_from_slice(&TSVAL_PEER.to_be_bytes());
    assert_eq!(tcp_options(&bytes, &fields), expected);
    // MSS and SACK only: no timestamps, so the whole MSS counts.
    let (bytes, fields) = synack(false, vec![2, 4, 0x05, 0xb4, 1, 1, 4, 2], ethernet());
    assert_eq!(tcp_options(&bytes, &fields), vec![2, 4, 0x05, 0xb4, 1, 1, 4, 2]);
    assert_eq!(fields.window, 64240, "65536 rounded down to a multiple of 1460");
}

#[test]
fn a_reply_never_outgrows_its_syn() {
    // A SYN without options leaves no room for even the MSS option.
    let (bytes, fields) = synack(false, vec![], ethernet());
    assert_eq!((bytes.len(), fields.data_offset), (40, 20));
    // Window scale alone (nop, ws): the MSS option takes its place.
    let (bytes, fields) = synack(true, vec![1, 3, 3, 7], ethernet());
    assert_eq!(bytes.len(), 64);
    assert_eq!(tcp_options(&bytes, &fields), vec![2, 4, 0x05, 0xb4]);
}

/// The glue reads the clock only when `mimic_sends_timestamp` says the
/// reply carries it: it must agree with what the reply holds, or a reply
/// would carry a timestamp of 0 (or the clock be read for nothing).
#[test]
fn the_clock_is_wanted_exactly_when_the_reply_carries_a_timestamp() {
    let timestamp_only = {
        let mut options = vec![1, 1, 8, 10];
        options.extend_from_slice(&TSVAL_PEER.to_be_bytes());
        options.extend_from_slice(&[0, 0, 0, 0]);
        options
    };
    let cases: [(Vec<u8>, bool); 5] = [
        (linux_syn_options(), true),
        (vec![], false),
        (vec![1, 3, 3, 7], false),
        // 12 bytes of options: MSS (4) + timestamps (12) do not fit, and
        // the timestamps go before the MSS does.
        (timestamp_only.clone(), false),
        ({ let mut o = timestamp_only; o.extend_from_slice(&[2, 4, 0x05, 0xb4]); o }, true),
    ];
    for v6 in [false, true] {
        for (options, expected) in &cases {
            let mut probe = Probe::new(v6, SYN);
            probe.options = options.clone();
            let packet = probe.packet();
            let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
            let segment = parse(family, &packet, packet.len()).unwrap();
            assert_eq!(mimic_sends_timestamp(&segment), *expected, "options {options:?}, v6 {v6}");
            let (bytes, fields) = synack(v6, options.clone(), ethernet());
            let written = tcp_options(&bytes, &fields);
            let carries = written.windows(6).any(|w| w[..2] == [8, 10] && w[2..6] == TSVAL_OURS.to_be_bytes());
            assert_eq!(carries, *expected, "reply options {written:?} for SYN options {options:?}");
        }
    }
}

#[test]
fn the_loopback_shape() {
    // On lo: advmss 65495; the window is the MSS minus the timestamps.
    let (_, fields) = synack(false, linux_syn_options(), Mimic { advmss: 65495, ..ethernet() });
    assert_eq!(fields.window, 65483);
}

#[test]
fn window_scale_follows_the_largest_buffer() {
    let cases = [(6u32 << 20, 7u8), (4 << 20, 7), (131072, 2), (65535, 0), (u32::MAX, 14)];
    for (space, scale) in cases {
        let (bytes, fields) = synack(false, linux_syn_options(), Mimic { receive_space_max: space, ..ethernet() });
        let options = tcp_options(&bytes, &fields);
        assert_eq!(options[options.len() - 1], scale, "receive space {space}");
    }
}

#[test]
fn syn_options_parse_like_linux() {
    let parsed = SynOptions::parse(&linux_syn_options());
    assert_eq!(parsed.mss, Some(1460));
    assert!(parsed.sack_permitted);
    assert_eq!(parsed.timestamp, Some(TSVAL_PEER));
    assert_eq!(parsed.window_scale, Some(7));
    // End of list stops; an impossible length stops; a wrong length for a
    // known kind is skipped.
    assert_eq!(SynOptions::parse(&[0, 2, 4, 0x05, 0xb4]), SynOptions::default());
    assert_eq!(SynOptions::parse(&[2, 1, 0, 0]), SynOptions::default());
    assert_eq!(SynOptions::parse(&[2, 9, 0, 0]), SynOptions::default());
    let skipped = SynOptions::parse(&[2, 3, 5, 4, 2]);
    assert_eq!((skipped.mss, skipped.sack_permitted), (None, true));
    assert_eq!(SynOptions::parse(&[1, 1, 1]), SynOptions::default());
}


#[test]
fn advmss_is_the_mtu_less_the_headers() {
    // What Linux's SYN-ACKs show on Ethernet and on lo.
    assert_eq!(advmss_for_mtu(Family::Ipv4, 1500), 1460);
    assert_eq!(advmss_for_mtu(Family::Ipv6, 1500), 1440);
    assert_eq!(advmss_for_mtu(Family::Ipv4, 65536), 65495);
    assert_eq!(advmss_for_mtu(Family::Ipv6, 65536), 65476);
    // The minimums, and an unknown MTU.
    assert_eq!(advmss_for_mtu(Family::Ipv4, 68), 256);
    assert_eq!(advmss_for_mtu(Family::Ipv6, 1280), 1220);
    assert_eq!(advmss_for_mtu(Family::Ipv4, 0), 1460);
}
