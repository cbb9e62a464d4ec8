// SPDX-License-Identifier: GPL-2.0
/*
 * verify.c: the --verify self-check. Prints the first VERIFY_SHOW frames
 * as hex and checks every frame's header fields and checksums, the latter
 * with its own deliberately naive implementation rather than frame.c's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flood.h"

/* RFC 1071 one's complement sum, 16 bits at a time with an end-around
 * carry after every addition. Returns the complemented sum. */
static uint16_t ref_checksum(const uint8_t *buf, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		uint32_t word = (uint32_t)buf[i] << 8;

		if (i + 1 < len)
			word |= buf[i + 1];
		sum += word;
		if (sum > 0xffff)
			sum = (sum & 0xffff) + 1;
	}
	return (uint16_t)(~sum & 0xffff);
}

static void hexdump(const uint8_t *f, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		printf("  %04zx:", off);
		for (size_t i = off; i < off + 16 && i < len; i++)
			printf(" %02x", f[i]);
		putchar('\n');
	}
}

#define CHECK(cond, ...)                                        \
	do {                                                    \
		if (!(cond)) {                                  \
			printf("frame %u: FAIL: ", idx);        \
			printf(__VA_ARGS__);                    \
			putchar('\n');                          \
			bad++;                                  \
		}                                               \
	} while (0)

/* Returns the number of problems found in frame idx. */
static unsigned verify_frame(const struct cfg *c, const uint8_t *f, size_t len,
			     unsigned idx, bool show)
{
	unsigned bad = 0;
	const uint8_t *ip = f + 14;
	const uint8_t *tcp;
	const uint8_t *src;
	size_t tcp_len;
	uint16_t ip_stored = 0, ip_ref = 0, tcp_stored, tcp_ref;
	uint8_t *buf;
	size_t plen;

	if (len < 14 + l3_hlen(c) + TCP_HLEN || len > 14 + l3_hlen(c) + 65535) {
		printf("frame %u: FAIL: length %zu\n", idx, len);
		return 1;
	}
	CHECK(memcmp(f, c->dst_mac, 6) == 0, "destination MAC");
	CHECK(memcmp(f + 6, c->src_mac, 6) == 0, "source MAC");
	if (c->family == 4) {
		uint8_t hdr[20];

		CHECK(get16(f + 12) == 0x0800, "ethertype %04x", get16(f + 12));
		CHECK(ip[0] == 0x45, "version/IHL %02x", ip[0]);
		CHECK(get16(ip + 2) == len - 14, "total length %u", get16(ip + 2));
		CHECK((get16(ip + 6) & 0xffff) == 0x4000, "flags/offset %04x (want DF)",
		      get16(ip + 6));
		CHECK(ip[8] == 64, "TTL %u", ip[8]);
		CHECK(ip[9] == 6, "protocol %u", ip[9]);
		CHECK(memcmp(ip + 16, c->dst, 4) == 0, "destination address");
		src = ip + 12;
		CHECK(in_prefix(src, c->net, c->plen), "source not in --src-net");
		/* IPv4 header checksum: recompute with the field zeroed. */
		memcpy(hdr, ip, 20);
		hdr[10] = hdr[11] = 0;
		ip_stored = get16(ip + 10);
		ip_ref = ref_checksum(hdr, 20);
		CHECK(ip_stored == ip_ref, "IPv4 header checksum %04x, reference %04x",
		      ip_stored, ip_ref);
		CHECK(ref_checksum(ip, 20) == 0, "IPv4 header does not sum to 0xffff");
		tcp = ip + 20;
		tcp_len = len - 14 - 20;
		/* Pseudo-header: src, dst, zero, protocol, TCP length. */
		buf = calloc(1, 12 + tcp_len);
		if (!buf)
			die("out of memory");
		memcpy(buf, ip + 12, 4);
		memcpy(buf + 4, ip + 16, 4);
		buf[8] = 0;
		buf[9] = 6;
		buf[10] = (uint8_t)(tcp_len >> 8);
		buf[11] = (uint8_t)tcp_len;
		plen = 12;
	} else {
		CHECK(get16(f + 12) == 0x86dd, "ethertype %04x", get16(f + 12));
		CHECK(ip[0] >> 4 == 6, "version %u", ip[0] >> 4);
		CHECK(get16(ip + 4) == len - 14 - 40, "payload length %u", get16(ip + 4));
		CHECK(ip[6] == 6, "next header %u", ip[6]);
		CHECK(ip[7] == 64, "hop limit %u", ip[7]);
		CHECK(memcmp(ip + 24, c->dst, 16) == 0, "destination address");
		src = ip + 8;
		CHECK(in_prefix(src, c->net, c->plen), "source not in --src-net");
		tcp = ip + 40;
		tcp_len = len - 14 - 40;
		/* Pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header. */
		buf = calloc(1, 40 + tcp_len);
		if (!buf)
			die("out of memory");
		memcpy(buf, ip + 8, 16);
		memcpy(buf + 16, ip + 24, 16);
		buf[32] = (uint8_t)(tcp_len >> 24);
		buf[33] = (uint8_t)(tcp_len >> 16);
		buf[34] = (uint8_t)(tcp_len >> 8);
		buf[35] = (uint8_t)tcp_len;
		buf[39] = 6;
		plen = 40;
	}

	CHECK(get16(tcp) >= 1024, "source port %u", get16(tcp));
	CHECK(get16(tcp + 2) == c->dport, "destination port %u", get16(tcp + 2));
	CHECK(tcp[12] == 0x50, "data offset byte %02x", tcp[12]);
	CHECK(tcp[13] == tcp_flags(c), "flags %02x", tcp[13]);
	CHECK(get16(tcp + 14) == TCP_WINDOW, "window %u", get16(tcp + 14));
	CHECK(get16(tcp + 18) == 0, "urgent pointer");
	if (c->kind == KIND_SYN)
		CHECK(get32(tcp + 8) == 0, "ack number in a SYN");
	CHECK(tcp_len == TCP_HLEN + payload_len(c), "TCP length %zu", tcp_len);

	memcpy(buf + plen, tcp, tcp_len);
	buf[plen + 16] = buf[plen + 17] = 0;
	tcp_stored = get16(tcp + 16);
	tcp_ref = ref_checksum(buf, plen + tcp_len);
	CHECK(tcp_stored == tcp_ref, "TCP checksum %04x, reference %04x", tcp_stored, tcp_ref);
	memcpy(buf + plen, tcp, tcp_len);
	CHECK(ref_checksum(buf, plen + tcp_len) == 0,
	      "TCP segment with pseudo-header does not sum to 0xffff");
	free(buf);

	if (show) {
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		int af = c->family == 4 ? AF_INET : AF_INET6;

		inet_ntop(af, src, s, sizeof(s));
		inet_ntop(af, c->family == 4 ? ip + 16 : ip + 24, d, sizeof(d));
		printf("frame %u: %zu bytes, %s.%u > %s.%u flags %02x seq %" PRIu32
		       " ack %" PRIu32 " win %u payload %zu\n",
		       idx, len, s, get16(tcp), d, get16(tcp + 2), tcp[13],
		       get32(tcp + 4), get32(tcp + 8), get16(tcp + 14),
		       tcp_len - TCP_HLEN);
		hexdump(f, len);
		if (c->family == 4)
			printf("frame %u: ip cksum %04x (reference %04x) %s, "
			       "tcp cksum %04x (reference %04x) %s\n",
			       idx, ip_stored, ip_ref, ip_stored == ip_ref ? "ok" : "WRONG",
			       tcp_stored, tcp_ref, tcp_stored == tcp_ref ? "ok" : "WRONG");
		else
			printf("frame %u: tcp cksum %04x (reference %04x) %s\n",
			       idx, tcp_stored, tcp_ref, tcp_stored == tcp_ref ? "ok" : "WRONG");
	}
	return bad;
}

/* Checks every frame of the pool and prints the report; returns the exit
 * status: 0 if all frames are correct, 1 otherwise. */
int verify_pool(const struct cfg *c, const char *kind, const uint8_t *pool,
		size_t stride, size_t flen)
{
	unsigned bad = 0;

	printf("verify: IPv%d kind %s, %u frames of %zu bytes, seed %" PRIu64 "\n",
	       c->family, kind, c->pool, flen, c->seed);
	for (unsigned i = 0; i < c->pool; i++)
		bad += verify_frame(c, pool + (size_t)i * stride, flen, i,
				    i < VERIFY_SHOW);
	if (bad) {
		printf("verify: %u problem(s) found\n", bad);
		return 1;
	}
	printf("verify: all %u frames correct (checksums and headers)\n", c->pool);
	return 0;
}
