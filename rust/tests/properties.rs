//! Properties of the packet core over random input: it never panics, and
//! whatever it answers is one well-formed reply, no longer than its
//! trigger, with checksums that verify.

mod common;

use common::*;
use proptest::prelude::*;
use tarpit_packet::{
    decide, parse, reply_layout, write_reply, Family, Ignored, Mimic, Mode, Settings, TooShort, REPLY_MAX_LEN,
    TARPIT_SPAN_MAX,
    TARPIT_SYNACK_WINDOW,
};

fn modes() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Tarpit), Just(Mode::Honeypot), Just(Mode::Reset)]
}

fn probes() -> impl Strategy<Value = Probe> {
    (any::<bool>(), any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>(), any::<u8>(), any::<u16>(),
     proptest::collection::vec(any::<u8>(), 0..200), proptest::collection::vec(any::<u8>(), 0..=40))
        .prop_map(|(v6, sport, dport, seq, ack, flags, window, payload, mut options)| {
            options.truncate(options.len() / 4 * 4);
            Probe { v6, sport, dport, seq, ack, flags, window, payload, options }
        })
}

/// Settings of a `--mimic` rule, from arbitrary stack values.
fn mimic_settings(values: [u32; 4]) -> Settings {
    Settings {
        mimic: Some(Mimic {
            advmss: values[0] as u16,
            receive_space: values[1],
            receive_space_max: values[2],
            timestamp: values[3],
            flow_label: values[3].rotate_left(7),
        }),
        ..Settings::with_key(values[3] ^ 0x5a5a_5a5a)
    }
}

/// Runs the whole core on `packet`; checks every property of a reply.
fn check_core(mode: Mode, family: Family, packet: &[u8], packet_len: usize) -> Result<Option<Fields>, TestCaseError> {
    check_core_with(mode, family, packet, packet_len, &Settings::with_key(0x0102_0304))
}

/// [`check_core`] under `settings`; replies carry options only with mimic.
fn check_core_with(
    mode: Mode, family: Family, packet: &[u8], packet_len: usize, settings: &Settings,
) -> Result<Option<Fields>, TestCaseError> {
    let segment = match parse(family, packet, packet_len) {
        Ok(segment) => segment,
        Err(_) => return Ok(None),
    };
    let reply = match decide(mode, &segment, settings) {
        Ok(reply) => reply,
        Err(_) => return Ok(None),
    };
    let mut out = [0u8; REPLY_MAX_LEN];
    let written = write_reply(&segment, &reply, 64, &mut out).expect("REPLY_MAX_LEN holds every reply");
    let length = written.len;
    prop_assert_eq!(reply_layout(&segment, &reply), written, "the layout announced is the one written");
    // write_reply sets every byte of the reply: what the buffer held before
    // must not show through.
    let mut dirty = [0xa5u8; REPLY_MAX_LEN];
    prop_assert_eq!(write_reply(&segment, &reply, 64, &mut dirty), Ok(written));
    prop_assert_eq!(&dirty[..length], &out[..length], "stale buffer bytes in the reply");
    prop_assert!(length <= packet_len.min(packet.len()), "reply {} longer than trigger {}", length, packet_len);
    // The kernel writes the reply over the packet itself (its first
    // `length` bytes, the rest trimmed): the same bytes.
    let mut in_place = packet[..length].to_vec();
    prop_assert_eq!(write_reply(&segment, &reply, 64, &mut in_place), Ok(written));
    prop_assert_eq!(&in_place[..], &out[..length], "a reply written over its packet differs");
    // A buffer one byte short gets nothing.
    let mut short = packet[..length - 1].to_vec();
    prop_assert_eq!(write_reply(&segment, &reply, 64, &mut short), Err(TooShort));
    prop_assert_eq!(&short[..], &packet[..length - 1], "a short buffer was written to");
    let fields = read(&out[..length]);
    prop_assert_eq!(written.network_len, fields.network_len, "network header length");
    prop_assert!(fields.ip_checksum_ok);
    prop_assert!(fields.tcp_checksum_ok);
    if settings.mimic.is_none() || segment.flags.0 & (SYN | ACK) != SYN {
        prop_assert_eq!(fields.data_offset, 20);
    }
    prop_assert!(segment.flags.0 & RST == 0, "answered a RST");
    Ok(Some(fields))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn arbitrary_bytes_never_panic_and_replies_verify(
        mode in modes(), v6 in any::<bool>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..120), extra in 0usize..64,
    ) {
        let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
        check_core(mode, family, &bytes, bytes.len() + extra)?;
        check_core(mode, family, &bytes, bytes.len())?;
    }

    #[test]
    fn mimic_replies_verify_and_are_never_longer(
        mode in modes(), probe in probes(), values in any::<[u32; 4]>(), cut in any::<usize>(),
    ) {
        let packet = probe.packet();
        let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
        let settings = mimic_settings(values);
        check_core_with(mode, family, &packet, packet.len(), &settings)?;
        let keep = packet.len() - cut % packet.len().min(48);
        check_core_with(mode, family, &packet[..keep], keep, &settings)?;
    }

    #[test]
    fn valid_segments_get_at_most_one_well_formed_reply(mode in modes(), probe in probes()) {
        let packet = probe.packet();
        let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
        let reply = check_core(mode, family, &packet, packet.len())?;
        let rst = probe.flags & RST != 0;
        let syn_fin = probe.flags & (SYN | FIN) == SYN | FIN;
        if let Some(reply) = reply {
            prop_assert_eq!((reply.sport, reply.dport), (probe.dport, probe.sport));
            if mode == Mode::Tarpit {
                prop_assert!(probe.flags & FIN == 0, "tarpit answered a FIN");
                prop_assert!(reply.flags & SYN == 0 || reply.window > 0, "SYN-ACK with no window");
                if reply.flags == ACK {
                    prop_assert_eq!(reply.window, 0);
                    // At most the byte before the segment's start (a
                    // probe's, the SYN's), none of its data.
                    let before = probe.seq.wrapping_add(1).wrapping_sub(reply.ack);
                    prop_assert!(before <= TARPIT_SPAN_MAX + 1, "acknowledged something new");
                }
            }
        } else {
            // Silence only for RST, SYN+FIN, and (outside --reset) FIN in
            // --tarpit and segments with neither SYN nor ACK.
            let quiet_flags = match mode {
                Mode::Reset => false,
                Mode::Tarpit => probe.flags & FIN != 0 || probe.flags & (SYN | ACK) == 0,
                Mode::Honeypot => probe.flags & (SYN | ACK | FIN) == 0,
            };
            prop_assert!(rst || syn_fin || quiet_flags, "silent on flags {:#x} in {:?}", probe.flags, mode);
        }
    }

    #[test]
    fn mutated_segments_never_panic_and_replies_verify(
        mode in modes(), probe in probes(),
        mutations in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut packet = probe.packet();
        for (at, value) in mutations {
            let index = at % packet.len();
            packet[index] = value;
        }
        let keep = packet.len() - cut % 8;
        let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
        check_core(mode, family, &packet[..keep], keep)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn validation_never_answers_a_wrong_ack(mode in modes(), probe in probes(), key in any::<u32>()) {
        let packet = probe.packet();
        let family = if probe.v6 { Family::Ipv6 } else { Family::Ipv4 };
        let segment = parse(family, &packet, packet.len()).unwrap();
        let settings = Settings { validate: true, ..Settings::with_key(key) };
        let answered = decide(mode, &segment, &settings).is_ok();
        let syn = probe.flags & SYN != 0;
        // --honeypot: the SYN-ACK's ISN is the key. --tarpit: the key plus
        // the client's ISN, which the segment's start must then fit: from
        // one byte before the client's first byte to the window offered.
        let client_first = probe.ack.wrapping_sub(key);
        let offset = probe.seq.wrapping_sub(client_first).wrapping_add(1);
        let fits = probe.flags & ACK != 0
            && match mode {
                Mode::Tarpit => offset <= u32::from(TARPIT_SYNACK_WINDOW) + 1,
                _ => probe.ack == key.wrapping_add(1),
            };
        if answered && mode != Mode::Reset && !syn {
            prop_assert!(fits, "answered seq {:#x} ack {:#x} for key {:#x}", probe.seq, probe.ack, key);
        }
    }

    #[test]
    fn tarpit_answers_every_segment_a_client_can_send_with_its_snd_una(
        v6 in any::<bool>(), key in any::<u32>(), client_isn in any::<u32>(),
        offset in -1i32..=i32::from(TARPIT_SYNACK_WINDOW), data in any::<bool>(),
    ) {
        let mut syn = Probe::new(v6, SYN);
        syn.seq = client_isn;
        let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
        let settings = Settings { validate: true, ..Settings::with_key(key) };
        let packet = syn.packet();
        let synack = decide(Mode::Tarpit, &parse(family, &packet, packet.len()).unwrap(), &settings).unwrap();
        let mut probe = Probe::new(v6, if data { ACK | PSH } else { ACK });
        probe.seq = client_isn.wrapping_add(1).wrapping_add_signed(offset);
        probe.ack = synack.seq.wrapping_add(1);
        if data {
            probe.payload = vec![b'x'; 5];
        }
        let packet = probe.packet();
        let reply = decide(Mode::Tarpit, &parse(family, &packet, packet.len()).unwrap(), &settings).unwrap();
        prop_assert_eq!((reply.ack, reply.window), (client_isn.wrapping_add(1), 0));
    }
}

#[test]
fn ignored_reasons_have_distinct_names() {
    let mut names: Vec<_> = Ignored::ALL.iter().map(|reason| reason.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Ignored::ALL.len());
}
