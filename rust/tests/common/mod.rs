//! Test-side packet building and reading, written independently of the
//! core's own writer: byte offsets straight from RFC 791, 8200 and 9293.

#![allow(dead_code)]

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;
pub const URG: u8 = 0x20;

pub const CLIENT4: [u8; 4] = [192, 0, 2, 7];
pub const SERVER4: [u8; 4] = [198, 51, 100, 25];
pub const CLIENT6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7];
pub const SERVER6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25];

/// RFC 1071 sum, computed the slow obvious way.
pub fn fold(bytes: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in bytes.chunks(2) {
        let word = if pair.len() == 2 { (pair[0] as u32) << 8 | pair[1] as u32 } else { (pair[0] as u32) << 8 };
        sum += word;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

pub fn pseudo(src: &[u8], dst: &[u8], tcp_len: usize) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(src);
    p.extend_from_slice(dst);
    if src.len() == 4 {
        p.extend_from_slice(&[0, 6]);
        p.extend_from_slice(&(tcp_len as u16).to_be_bytes());
    } else {
        p.extend_from_slice(&(tcp_len as u32).to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 6]);
    }
    p
}

#[derive(Clone, Debug)]
pub struct Probe {
    pub v6: bool,
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    pub payload: Vec<u8>,
    /// TCP options, a multiple of four bytes.
    pub options: Vec<u8>,
}

impl Probe {
    pub fn new(v6: bool, flags: u8) -> Self {
        Probe { v6, sport: 40001, dport: 25, seq: 0x1000_0000, ack: 0x2000_0000, flags, window: 29200, payload: vec![], options: vec![] }
    }

    pub fn tcp(&self) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(&self.sport.to_be_bytes());
        t.extend_from_slice(&self.dport.to_be_bytes());
        t.extend_from_slice(&self.seq.to_be_bytes());
        t.extend_from_slice(&self.ack.to_be_bytes());
        t.push((((20 + self.options.len()) / 4) as u8) << 4);
        t.push(self.flags);
        t.extend_from_slice(&self.window.to_be_bytes());
        t.extend_from_slice(&[0, 0, 0, 0]);
        t.extend_from_slice(&self.options);
        t.extend_from_slice(&self.payload);
        let (src, dst): (&[u8], &[u8]) = if self.v6 { (&CLIENT6, &SERVER6) } else { (&CLIENT4, &SERVER4) };
        let mut all = pseudo(src, dst, t.len());
        all.extend_from_slice(&t);
        let checksum = !fold(&all);
        t[16..18].copy_from_slice(&checksum.to_be_bytes());
        t
    }

    pub fn packet(&self) -> Vec<u8> {
        let tcp = self.tcp();
        let mut p = Vec::new();
        if self.v6 {
            p.extend_from_slice(&[0x60, 0, 0, 0]);
            p.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
            p.extend_from_slice(&[6, 64]);
            p.extend_from_slice(&CLIENT6);
            p.extend_from_slice(&SERVER6);
        } else {
            p.extend_from_slice(&[0x45, 0]);
            p.extend_from_slice(&((20 + tcp.len()) as u16).to_be_bytes());
            p.extend_from_slice(&[0x12, 0x34, 0x40, 0, 64, 6, 0, 0]);
            p.extend_from_slice(&CLIENT4);
            p.extend_from_slice(&SERVER4);
            let checksum = !fold(&p);
            p[10..12].copy_from_slice(&checksum.to_be_bytes());
        }
        p.extend_from_slice(&tcp);
        p
    }
}

/// The fields of a reply, read by offset.
#[derive(Debug)]
pub struct Fields {
    pub len: usize,
    /// Bytes of the network header: where the TCP header starts.
    pub network_len: usize,
    pub ttl: u8,
    pub df: bool,
    pub src: Vec<u8>,
    pub dst: Vec<u8>,
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub data_offset: usize,
    pub flags: u8,
    pub window: u16,
    pub urgent: u16,
    pub ip_checksum_ok: bool,
    pub tcp_checksum_ok: bool,
}

pub fn read(reply: &[u8]) -> Fields {
    let v6 = reply[0] >> 4 == 6;
    let (ip_len, ttl, df, src, dst, ip_ok) = if v6 {
        (40, reply[7], true, reply[8..24].to_vec(), reply[24..40].to_vec(), true)
    } else {
        let ihl = (reply[0] & 15) as usize * 4;
        assert_eq!(u16::from_be_bytes([reply[2], reply[3]]) as usize, reply.len(), "IPv4 total length");
        (ihl, reply[8], reply[6] & 0x40 != 0, reply[12..16].to_vec(), reply[16..20].to_vec(), fold(&reply[..ihl]) == 0xffff)
    };
    if v6 {
        assert_eq!(u16::from_be_bytes([reply[4], reply[5]]) as usize, reply.len() - 40, "IPv6 payload length");
        assert_eq!(reply[6], 6, "next header");
    } else {
        assert_eq!(reply[9], 6, "protocol");
    }
    let t = &reply[ip_len..];
    let mut all = pseudo(&src, &dst, t.len());
    all.extend_from_slice(t);
    Fields {
        len: reply.len(),
        network_len: ip_len,
        ttl,
        df,
        src: src.clone(),
        dst: dst.clone(),
        sport: u16::from_be_bytes([t[0], t[1]]),
        dport: u16::from_be_bytes([t[2], t[3]]),
        seq: u32::from_be_bytes([t[4], t[5], t[6], t[7]]),
        ack: u32::from_be_bytes([t[8], t[9], t[10], t[11]]),
        data_offset: (t[12] >> 4) as usize * 4,
        flags: t[13],
        window: u16::from_be_bytes([t[14], t[15]]),
        urgent: u16::from_be_bytes([t[18], t[19]]),
        ip_checksum_ok: ip_ok,
        tcp_checksum_ok: fold(&all) == 0xffff,
    }
}
