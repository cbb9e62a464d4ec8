// SPDX-License-Identifier: GPL-2.0
/*
 * segment.c: builds one hostile segment (Ethernet frame) of a given case.
 * A valid IPv4 or IPv6 TCP segment is laid out first, with IP options or
 * IPv6 extension headers as the case wants, checksummed, then damaged as
 * the case says (truncated, lengths changed, checksum broken, bytes
 * mutated). The source address (the tag) is never damaged.
 */
#include <string.h>

#include "hostile.h"

#define PROTO_TCP 6
#define NH_HOP 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DEST 60
#define NH_EXPERIMENT 253
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

const char *const case_names[CASES] = {
	"flags", "window", "trunc_ip", "trunc_tcp", "length", "options",
	"fragment", "ext_chain", "bad_csum", "non_unicast", "mutation",
};

/* ---- random numbers: splitmix64 ---- */

static uint64_t rng_state;

uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rnd_seed(uint64_t seed)
{
	rng_state = seed;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* ---- checksums ---- */

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The TCP checksum over tcp_len bytes at tcp, with the pseudo-header. */
static void tcp_checksum(uint8_t *l3, int family, uint8_t *tcp, unsigned tcp_len)
{
	uint32_t sum = PROTO_TCP + tcp_len;

	if (family == 4)
		sum = sum_bytes(sum, l3 + 12, 8);
	else
		sum = sum_bytes(sum, l3 + 8, 32);
	put16(tcp + 16, 0);
	put16(tcp + 16, fold(sum_bytes(sum, tcp, tcp_len)));
}

static void ip4_checksum(uint8_t *ip)
{
	unsigned ihl = (ip[0] & 0xf) * 4u;

	put16(ip + 10, 0);
	put16(ip + 10, fold(sum_bytes(0, ip, ihl)));
}

/* ---- layout of a valid segment ---- */

struct shape {
	int family;
	unsigned mode, tag;
	uint8_t flags;
	uint16_t window;
	unsigned payload;
	uint8_t ip_options[40];
	unsigned ip_options_len;	/* a multiple of 4 */
	uint8_t ext[256];		/* IPv6 extension headers, chained by build */
	unsigned ext_len;
	uint8_t ext_types[8];
	unsigned ext_count;
	bool tcp_options;
	uint8_t dst[16];
	uint8_t dst_mac[6];
};

static void default_shape(struct shape *sh, const struct addrs *a, int family,
			  unsigned mode, unsigned tag)
{
	static const uint8_t host6[16] = { 0xfd, 0, [15] = 1 };

	memset(sh, 0, sizeof(*sh));
	sh->family = family;
	sh->mode = mode;
	sh->tag = tag;
	sh->flags = TCPF_SYN;
	sh->window = 29200;
	if (family == 4) {
		static const uint8_t host4[4] = { 10, 0, 0, 1 };
		memcpy(sh->dst, host4, 4);
	} else {
		memcpy(sh->dst, host6, 16);
	}
	memcpy(sh->dst_mac, a->host_mac, 6);
}

/* Appends an IPv6 extension header of `type` (its next-header byte is
 * filled in by build_valid). */
static void add_ext(struct shape *sh, uint8_t type)
{
	uint8_t *h = sh->ext + sh->ext_len;
	unsigned len = 8;

	memset(h, 0, 24);
	switch (type) {
	case NH_FRAGMENT:
		put16(h + 2, (uint16_t)(below(2) ? 1 : (1 + below(8191)) << 3 | below(2)));
		put32(h + 4, (uint32_t)rnd());
		break;
	case NH_ROUTING: /* segment routing header, segments left 0 */
		h[1] = 2;
		h[2] = 4;
		len = 24;
		break;
	default: /* hop-by-hop, destination options, unknown: PadN */
		h[2] = 1;
		h[3] = 4;
		break;
	}
	sh->ext_types[sh->ext_count++] = type;
	sh->ext_len += len;
}

static const uint8_t *src_net(int family, unsigned mode)
{
	static uint8_t s4[3][2] = { { 10, 100 }, { 10, 101 }, { 10, 102 } };
	static uint8_t s6[3][8] = { { 0xfd, 1, 0, 0, 0, 0, 0, 0 },
				    { 0xfd, 1, 0, 0, 0, 0, 0, 1 },
				    { 0xfd, 1, 0, 0, 0, 0, 0, 2 } };
	return family == 4 ? s4[mode] : s6[mode];
}

/* Lays out a valid segment; returns the L3 offset of the TCP header. */
static unsigned build_valid(struct segment *s, const struct addrs *a, const struct shape *sh)
{
	uint8_t *eth = s->frame, *l3 = s->frame + ETH_HLEN_, *tcp;
	unsigned l3h, doff = sh->tcp_options ? 40 : TCP_HLEN, tcp_len, i;

	memcpy(eth, sh->dst_mac, 6);
	memcpy(eth + 6, a->attacker_mac, 6);
	put16(eth + 12, sh->family == 4 ? 0x0800 : 0x86dd);
	if (sh->family == 4) {
		l3h = IP4_HLEN + sh->ip_options_len;
		memset(l3, 0, l3h);
		l3[0] = (uint8_t)(0x40 | l3h / 4);
		put16(l3 + 4, (uint16_t)rnd());
		put16(l3 + 6, below(2) ? 0x4000 : 0);
		l3[8] = 64;
		l3[9] = PROTO_TCP;
		memcpy(l3 + 12, src_net(4, sh->mode), 2);
		put16(l3 + 14, (uint16_t)sh->tag);
		memcpy(l3 + 16, sh->dst, 4);
		memcpy(l3 + 20, sh->ip_options, sh->ip_options_len);
	} else {
		l3h = IP6_HLEN + sh->ext_len;
		memset(l3, 0, IP6_HLEN);
		l3[0] = 0x60;
		l3[6] = sh->ext_count ? sh->ext_types[0] : PROTO_TCP;
		l3[7] = 64;
		memcpy(l3 + 8, src_net(6, sh->mode), 8);
		put16(l3 + 22, (uint16_t)sh->tag);
		memcpy(l3 + 24, sh->dst, 16);
		memcpy(l3 + IP6_HLEN, sh->ext, sh->ext_len);
		/* chain: each header's first byte names the next one */
		for (i = 0, tcp = l3 + IP6_HLEN; i < sh->ext_count; i++) {
			tcp[0] = i + 1 < sh->ext_count ? sh->ext_types[i + 1] : PROTO_TCP;
			tcp += sh->ext_types[i] == NH_ROUTING ? 24 : 8;
		}
	}
	tcp = l3 + l3h;
	tcp_len = doff + sh->payload;
	memset(tcp, 0, doff);
	put16(tcp, (uint16_t)(1024 + below(60000)));
	put16(tcp + 2, (uint16_t)(below(4) ? 25 : below(65536)));
	put32(tcp + 4, (uint32_t)rnd());
	put32(tcp + 8, (uint32_t)rnd());
	tcp[12] = (uint8_t)(doff / 4 << 4 | (below(8) ? 0 : below(16)));
	tcp[13] = sh->flags;
	put16(tcp + 14, sh->window);
	put16(tcp + 18, below(8) ? 0 : (uint16_t)rnd());
	if (sh->tcp_options) { /* MSS, SACK permitted, timestamps, NOP, window scale 14 */
		static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
						  0, 0, 0, 0, 1, 3, 3, 14 };
		memcpy(tcp + TCP_HLEN, opts, sizeof(opts));
	}
	for (i = 0; i < sh->payload; i++)
		tcp[doff + i] = (uint8_t)rnd();
	if (sh->family == 4) {
		put16(l3 + 2, (uint16_t)(l3h + tcp_len));
		ip4_checksum(l3);
	} else {
		put16(l3 + 4, (uint16_t)(sh->ext_len + tcp_len));
	}
	tcp_checksum(l3, sh->family, tcp, tcp_len);
	s->len = ETH_HLEN_ + l3h + tcp_len;
	return l3h;
}

/* The IP length the stack keeps: the real length, or less if the header
 * claims less (a longer claim gets the packet dropped). */
static unsigned kept_l3_len(const struct segment *s)
{
	const uint8_t *l3 = s->frame + ETH_HLEN_;
	unsigned real = (unsigned)s->len - ETH_HLEN_, claimed;

	if (s->family == 4)
		claimed = real >= 4 ? (unsigned)get16(l3 + 2) : real;
	else
		claimed = real >= 6 ? IP6_HLEN + (unsigned)get16(l3 + 4) : real;
	return claimed < real ? claimed : real;
}

static void ip4_options(struct shape *sh, bool well_formed)
{
	static const uint8_t router_alert[4] = { 148, 4, 0, 0 };
	static const uint8_t timestamp[12] = { 68, 12, 5, 0 };
	unsigned i;

	if (well_formed) {
		if (below(2)) {
			memcpy(sh->ip_options, router_alert, 4);
			sh->ip_options_len = 4;
		} else {
			memcpy(sh->ip_options, timestamp, 12);
			sh->ip_options_len = 12;
		}
		return;
	}
	sh->ip_options_len = 4 * (1 + below(10));
	for (i = 0; i < sh->ip_options_len; i++)
		sh->ip_options[i] = (uint8_t)rnd();
}

static void non_unicast_destination(struct shape *sh, const struct addrs *a)
{
	static const uint8_t v4[5][4] = { { 10, 0, 0, 255 }, { 255, 255, 255, 255 },
					  { 224, 0, 0, 1 }, { 224, 0, 0, 251 }, { 239, 1, 2, 3 } };
	static const uint8_t v6[4][16] = {
		{ 0xff, 0x02, [15] = 1 }, { 0xff, 0x02, [15] = 2 }, { 0xff, 0x01, [15] = 1 },
		{ 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 },
	};
	unsigned pick;

	if (sh->family == 4) {
		pick = below(5);
		memcpy(sh->dst, v4[pick], 4);
		if (pick < 2) {
			memset(sh->dst_mac, 0xff, 6);
		} else {
			static const uint8_t mc[3] = { 0x01, 0x00, 0x5e };
			memcpy(sh->dst_mac, mc, 3);
			sh->dst_mac[3] = sh->dst[1] & 0x7f;
			sh->dst_mac[4] = sh->dst[2];
			sh->dst_mac[5] = sh->dst[3];
		}
	} else {
		pick = below(4);
		memcpy(sh->dst, v6[pick], 16);
		sh->dst_mac[0] = 0x33;
		sh->dst_mac[1] = 0x33;
		memcpy(sh->dst_mac + 2, sh->dst + 12, 4);
	}
	if (below(4) == 0) /* a unicast frame carrying a non-unicast address */
		memcpy(sh->dst_mac, a->host_mac, 6);
}

/* Overwrites random bytes after the Ethernet header, never the tag. */
static void mutate(struct segment *s)
{
	unsigned n = 1 + below(8), src_lo = s->family == 4 ? 12 : 8;
	unsigned src_hi = s->family == 4 ? 16 : 24, l3_len = (unsigned)s->len - ETH_HLEN_, off;

	while (n--) {
		off = below(l3_len);
		if (off >= src_lo && off < src_hi)
			continue;
		if (below(2))
			s->frame[ETH_HLEN_ + off] ^= (uint8_t)(1u << below(8));
		else
			s->frame[ETH_HLEN_ + off] = (uint8_t)rnd();
	}
	if (below(8) == 0 && l3_len > src_hi) /* cut short, after the tag */
		s->len = ETH_HLEN_ + src_hi + below(l3_len - src_hi);
	else if (below(8) == 0) /* trailing bytes beyond the IP length */
		for (n = 1 + below(64); n-- && s->len < MAX_FRAME;)
			s->frame[s->len++] = (uint8_t)rnd();
}

/* After a mutation, often repair the checksums so the damage gets past the
 * stack's IPv4 header check and the module's TCP checksum check. */
static void repair_checksums(struct segment *s)
{
	uint8_t *l3 = s->frame + ETH_HLEN_;
	unsigned real = (unsigned)s->len - ETH_HLEN_, l3h, kept = kept_l3_len(s);

	if (s->family == 4) {
		l3h = (l3[0] & 0xf) * 4u;
		if (l3h < IP4_HLEN || l3h > real)
			return;
		if (below(4))
			ip4_checksum(l3);
	} else {
		l3h = IP6_HLEN;
		if (real < IP6_HLEN || l3[6] != PROTO_TCP)
			return;
	}
	if (kept >= l3h + TCP_HLEN && below(2))
		tcp_checksum(l3, s->family, l3 + l3h, kept - l3h);
}

void build_segment(struct segment *s, const struct addrs *a, uint64_t index, unsigned tag)
{
	static const uint8_t window_flags[4] = { TCPF_SYN, TCPF_ACK, TCPF_SYN | TCPF_ACK,
						 TCPF_ACK | TCPF_PSH };
	static const uint8_t ext_pool[4] = { NH_DEST, NH_ROUTING, NH_FRAGMENT, NH_EXPERIMENT };
	static unsigned flag_combination;
	enum hcase kind = (enum hcase)(index % CASES);
	unsigned mode = (unsigned)(index / CASES % MODES), l3h, i, n;
	int family = index / (CASES * MODES) % 2 ? 6 : 4;
	uint8_t *l3 = s->frame + ETH_HLEN_;
	struct shape sh;

	default_shape(&sh, a, family, mode, tag);
	s->kind = kind;
	s->family = family;
	switch (kind) {
	case C_FLAGS:
		sh.flags = (uint8_t)flag_combination++;
		sh.payload = below(4) ? 0 : below(64);
		break;
	case C_WINDOW:
		sh.flags = window_flags[below(4)];
		sh.window = below(2) ? 0 : 0xffff;
		sh.tcp_options = below(2);
		sh.payload = sh.flags & TCPF_PSH ? 1 + below(64) : 0;
		break;
	case C_OPTIONS:
		if (family == 4)
			ip4_options(&sh, true);
		else
			add_ext(&sh, NH_HOP);
		break;
	case C_EXT_CHAIN:
		if (family == 4) {
			ip4_options(&sh, false);
			break;
		}
		if (below(2))
			add_ext(&sh, NH_HOP);
		for (n = 1 + below(4); n--;)
			add_ext(&sh, ext_pool[below(4)]);
		break;
	case C_FRAGMENT:
		sh.payload = below(64);
		if (family == 6)
			add_ext(&sh, NH_FRAGMENT);
		break;
	case C_NON_UNICAST:
		non_unicast_destination(&sh, a);
		sh.flags = below(2) ? TCPF_SYN : TCPF_ACK;
		break;
	case C_MUTATION:
		sh.flags = (uint8_t)rnd();
		sh.tcp_options = below(2);
		sh.payload = below(2) ? 0 : below(128);
		if (family == 6 && below(4) == 0)
			add_ext(&sh, ext_pool[below(4)]);
		else if (family == 4 && below(4) == 0)
			ip4_options(&sh, below(2));
		break;
	default:
		sh.flags = window_flags[below(4)];
		sh.payload = below(2) ? 0 : below(64);
		break;
	}
	l3h = build_valid(s, a, &sh);

	switch (kind) {
	case C_TRUNC_IP:
		s->len = ETH_HLEN_ + below(l3h);
		break;
	case C_TRUNC_TCP:
		n = below(TCP_HLEN);
		s->len = ETH_HLEN_ + l3h + n;
		if (below(2)) { /* header lengths agree with the cut */
			if (family == 4) {
				put16(l3 + 2, (uint16_t)(l3h + n));
				ip4_checksum(l3);
			} else {
				put16(l3 + 4, (uint16_t)(l3h - IP6_HLEN + n));
			}
		} else if (n > 12) { /* a data offset pointing past the end */
			l3[l3h + 12] = (uint8_t)((6 + below(10)) << 4);
		}
		break;
	case C_LENGTH:
		i = family == 4 ? 2 : 4;
		put16(l3 + i, (uint16_t)(below(2) ? get16(l3 + i) + 1 + below(1500) : get16(l3 + i) - 1 - below(40)));
		if (family == 4)
			ip4_checksum(l3);
		break;
	case C_FRAGMENT:
		if (family == 4) {
			put16(l3 + 6, (uint16_t)(below(2) ? 0x2000 : (1 + below(8191)) | (below(2) ? 0x2000 : 0)));
			ip4_checksum(l3);
		}
		break;
	case C_BAD_CSUM:
		put16(l3 + l3h + 16, get16(l3 + l3h + 16) ^ (uint16_t)(1 + below(0xffff)));
		break;
	case C_MUTATION:
		mutate(s);
		repair_checksums(s);
		break;
	default:
		break;
	}
	s->l3_len = kept_l3_len(s);
}
