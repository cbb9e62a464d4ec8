// SPDX-License-Identifier: GPL-2.0
/*
 * frame.c: building the frame pool. Each frame is a complete Ethernet +
 * IPv4/IPv6 + TCP frame with a random spoofed source address inside
 * --src-net, random source port, sequence and acknowledgement numbers
 * (splitmix64, seeded from --seed), and correct IP and TCP checksums.
 */
#define _GNU_SOURCE
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

#include "flood.h"

/* ---- random numbers: splitmix64 ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(uint64_t seed)
{
	rng_state = seed;
}

/* ---- checksum used to build frames: 32-bit words into a 64-bit sum ---- */

/* Adds len bytes (len must be even unless this is the last piece). */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	while (len >= 4) {
		sum += get32(p);	/* 2^16 == 1 (mod 0xffff): hi+lo */
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		sum += get16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- frame construction ---- */

unsigned l3_hlen(const struct cfg *c)
{
	return c->family == 4 ? IP4_HLEN : IP6_HLEN;
}

unsigned payload_len(const struct cfg *c)
{
	return c->kind == KIND_DATA ? c->payload : 0;
}

size_t frame_len(const struct cfg *c)
{
	return ETH_HLEN_ + l3_hlen(c) + TCP_HLEN + payload_len(c);
}

uint8_t tcp_flags(const struct cfg *c)
{
	switch (c->kind) {
	case KIND_SYN:
		return TCPF_SYN;
	case KIND_DATA:
		return TCPF_ACK | TCPF_PSH;
	case KIND_ACK:
		return TCPF_ACK;
	}
	return 0;
}

bool in_prefix(const uint8_t *a, const uint8_t *net, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		if ((a[i / 8] & m) != (net[i / 8] & m))
			return false;
	}
	return true;
}

/* A random address in --src-net: not the destination, and for IPv4
 * prefixes of /30 or shorter neither the network nor the broadcast
 * address, for IPv6 prefixes of /126 or shorter not the all-zero host. */
static void random_source(const struct cfg *c, uint8_t *a)
{
	unsigned alen = c->family == 4 ? 4 : 16;

	for (int tries = 0;; tries++) {
		bool all0 = true, all1 = true;

		for (unsigned i = 0; i < alen; i += 8) {
			uint64_t r = rnd();

			memcpy(a + i, &r, alen - i < 8 ? alen - i : 8);
		}
		for (unsigned i = 0; i < alen; i++) {
			unsigned keep = c->plen >= (i + 1) * 8 ? 8 :
					c->plen > i * 8 ? c->plen - i * 8 : 0;
			uint8_t nmask = (uint8_t)(0xff00u >> keep);

			a[i] = (uint8_t)((c->net[i] & nmask) | (a[i] & ~nmask));
			if ((a[i] & ~nmask) != 0)
				all0 = false;
			if ((a[i] | nmask) != 0xff)
				all1 = false;
		}
		if (tries > 64)		/* tiny prefix: take what we have */
			return;
		if (memcmp(a, c->dst, alen) == 0)
			continue;
		if (c->family == 4 && c->plen <= 30 && (all0 || all1))
			continue;
		if (c->family == 6 && c->plen <= 126 && all0)
			continue;
		return;
	}
}

static void build_frame(const struct cfg *c, uint8_t *f)
{
	uint8_t *ip = f + ETH_HLEN_;
	uint8_t *tcp = ip + l3_hlen(c);
	unsigned plen = payload_len(c);
	unsigned tcp_len = TCP_HLEN + plen;
	uint8_t src[16];
	uint64_t sum;
	uint8_t pseudo[40];

	memcpy(f, c->dst_mac, 6);
	memcpy(f + 6, c->src_mac, 6);
	put16(f + 12, c->family == 4 ? ETH_P_IP : ETH_P_IPV6);

	random_source(c, src);

	if (c->family == 4) {
		ip[0] = 0x45;			/* version 4, IHL 5 */
		ip[1] = 0;			/* DSCP/ECN */
		put16(ip + 2, (uint16_t)(IP4_HLEN + tcp_len));
		put16(ip + 4, (uint16_t)rnd());	/* identification */
		put16(ip + 6, 0x4000);		/* DF, offset 0 */
		ip[8] = TTL;
		ip[9] = IPPROTO_TCP;
		put16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, c->dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, IP4_HLEN)));
	} else {
		put32(ip, 6u << 28);		/* version 6, class 0, flow 0 */
		put16(ip + 4, (uint16_t)tcp_len);
		ip[6] = IPPROTO_TCP;
		ip[7] = TTL;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, c->dst, 16);
	}

	put16(tcp, (uint16_t)(1024 + rnd() % (65536 - 1024)));
	put16(tcp + 2, c->dport);
	put32(tcp + 4, (uint32_t)rnd());
	put32(tcp + 8, c->kind == KIND_SYN ? 0 : (uint32_t)rnd());
	tcp[12] = 5 << 4;			/* data offset 5, no options */
	tcp[13] = tcp_flags(c);
	put16(tcp + 14, TCP_WINDOW);
	put16(tcp + 16, 0);			/* checksum */
	put16(tcp + 18, 0);			/* urgent pointer */
	for (unsigned i = 0; i < plen; i += 8) {
		uint64_t r = rnd();

		memcpy(tcp + TCP_HLEN + i, &r, plen - i < 8 ? plen - i : 8);
	}

	if (c->family == 4) {
		memcpy(pseudo, ip + 12, 8);	/* saddr, daddr */
		put16(pseudo + 8, IPPROTO_TCP);
		put16(pseudo + 10, (uint16_t)tcp_len);
		sum = csum_add(0, pseudo, 12);
	} else {
		memcpy(pseudo, ip + 8, 32);	/* saddr, daddr */
		put32(pseudo + 32, tcp_len);
		put32(pseudo + 36, IPPROTO_TCP);
		sum = csum_add(0, pseudo, 40);
	}
	sum = csum_add(sum, tcp, tcp_len);
	put16(tcp + 16, csum_fold(sum));
}

/* Fills pool with c->pool frames, stride bytes apart, zeroing the padding. */
void build_pool(const struct cfg *c, uint8_t *pool, size_t stride)
{
	memset(pool, 0, stride * c->pool);
	for (unsigned i = 0; i < c->pool; i++)
		build_frame(c, pool + (size_t)i * stride);
}
