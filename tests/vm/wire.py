"""Hand-made TCP/IP segments and a capture, for the VM wire tests.

An implementation of the wire format independent of the module's packet
core: it builds the probes, computes their checksums, and parses and checks
the replies field by field. Standard library only (it runs in the guest).
"""

import ipaddress
import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
FLAG_NAMES = {"F": FIN, "S": SYN, "R": RST, "P": PSH, "A": ACK, "U": URG}


def flags_from(text):
    value = 0
    for letter in text:
        value |= FLAG_NAMES[letter]
    return value


def flags_text(value):
    return "".join(name for name, bit in FLAG_NAMES.items() if value & bit) or "-"


def ones_complement_sum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def internet_checksum(data):
    return ~ones_complement_sum(data) & 0xFFFF


def pseudo_header(family, src, dst, length):
    if family == 4:
        return src + dst + struct.pack("!BBH", 0, 6, length)
    return src + dst + struct.pack("!IxxxB", length, 6)


def tcp_segment(family, src, dst, sport, dport, seq=0, ack=0, flags=SYN,
                window=64240, payload=b"", options=b"", bad_checksum=False):
    """TCP header + payload with a correct (or deliberately wrong) checksum."""
    offset = (20 + len(options)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32, offset << 4,
                         flags, window, 0, 0) + options
    segment = header + payload
    checksum = internet_checksum(pseudo_header(family, src, dst, len(segment)) + segment)
    if bad_checksum:
        checksum ^= 0x5A5A
    return segment[:16] + struct.pack("!H", checksum) + segment[18:]


def ipv4_packet(src, dst, payload, protocol=6, ttl=64, options=b"",
                frag=0x4000, total_length=None, ident=0x1234):
    ihl = (20 + len(options)) // 4
    length = total_length if total_length is not None else 20 + len(options) + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, length, ident, frag, ttl,
                         protocol, 0, src, dst) + options
    checksum = internet_checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


def ipv6_packet(src, dst, payload, next_header=6, hop_limit=64, payload_length=None):
    length = payload_length if payload_length is not None else len(payload)
    header = struct.pack("!IHBB16s16s", 0x60000000, length, next_header, hop_limit, src, dst)
    return header + payload


def ip_packet(family, src, dst, payload):
    """A plain IPv4 or IPv6 packet around `payload` (TCP)."""
    return ipv4_packet(src, dst, payload) if family == 4 else ipv6_packet(src, dst, payload)


def address_bytes(text):
    return ipaddress.ip_address(text).packed


class Link:
    """An AF_PACKET socket on one interface: sends frames, captures replies."""

    def __init__(self, interface, own_mac, peer_mac):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((interface, 0))
        self.own_mac = bytes.fromhex(own_mac.replace(":", ""))
        self.peer_mac = bytes.fromhex(peer_mac.replace(":", ""))

    def send(self, family, packet, destination_mac=None):
        ethertype = ETH_P_IP if family == 4 else ETH_P_IPV6
        frame = (destination_mac or self.peer_mac) + self.own_mac + struct.pack("!H", ethertype) + packet
        self.sock.send(frame)

    def drain(self):
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recv(65535)
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)

    def capture(self, match, seconds, stop_after=None):
        """Incoming TCP replies for which match(reply) is true, within `seconds`.

        With stop_after=N, returns once N replies were seen plus a short
        grace period, so a duplicate reply would still be caught.
        """
        replies = []
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return replies
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                continue
            frame, address = self.sock.recvfrom(65535)
            if address[2] == PACKET_OUTGOING:
                continue
            reply = parse_frame(frame)
            if reply is not None and match(reply):
                replies.append(reply)
                if stop_after is not None and len(replies) >= stop_after:
                    deadline = min(deadline, time.monotonic() + 0.3)


def parse_frame(frame):
    """Fields of an Ethernet frame carrying IPv4/IPv6 + TCP, or None."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    packet = frame[14:]
    reply = {"wire_length": len(packet), "eth_dst": frame[0:6], "eth_src": frame[6:12]}
    if ethertype == ETH_P_IP and len(packet) >= 20:
        version_ihl, _, total_length, ident, frag, ttl, protocol, _ = struct.unpack("!BBHHHBBH", packet[:12])
        ihl = (version_ihl & 0x0F) * 4
        if protocol != 6:
            return None
        reply.update(family=4, ip_header_length=ihl, ip_total_length=total_length,
                     ip_id=ident, df=bool(frag & 0x4000), fragment=frag & 0x3FFF,
                     ttl=ttl, ip_checksum_ok=internet_checksum(packet[:ihl]) == 0,
                     src=packet[12:16], dst=packet[16:20])
        tcp = packet[ihl:total_length]
    elif ethertype == ETH_P_IPV6 and len(packet) >= 40:
        first_word, payload_length, next_header, hop_limit = struct.unpack("!IHBB", packet[:8])
        if next_header != 6:
            return None
        reply.update(family=6, ip_header_length=40, ip_total_length=40 + payload_length,
                     flow_label=first_word & 0xFFFFF,
                     ttl=hop_limit, df=True, ip_checksum_ok=True,
                     src=packet[8:24], dst=packet[24:40])
        tcp = packet[40:40 + payload_length]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack, offset, flags, window, _, urgent = struct.unpack("!HHIIBBHHH", tcp[:20])
    data_offset = (offset >> 4) * 4
    reply.update(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                 window=window, urgent=urgent, tcp_header_length=data_offset,
                 options=tcp[20:data_offset], payload=tcp[data_offset:],
                 tcp_checksum_ok=ones_complement_sum(
                     pseudo_header(reply["family"], reply["src"], reply["dst"], len(tcp)) + tcp) == 0xFFFF)
    return reply
