// SPDX-License-Identifier: GPL-2.0
/*
 * flood: raw-socket TCP flood generator for the tarpit benchmarks.
 *
 * Builds a pool of complete Ethernet + IPv4/IPv6 + TCP frames up front
 * (random spoofed source address inside --src-net, random source port,
 * sequence and acknowledgement numbers, correct IP and TCP checksums),
 * then sends the pool round-robin through an AF_PACKET socket with
 * sendmmsg(), checking the clock once per batch. Per-packet work in the
 * send loop is nothing but the kernel's own: it is meant to run inside a
 * QEMU TCG guest, where every instruction counts.
 *
 * Output: one line on stdout,
 *   sent=<packets> seconds=<elapsed> rate=<packets per second> retries=<n>
 * where retries counts sendmmsg() calls that failed with ENOBUFS/EAGAIN
 * and were repeated.
 *
 * --verify builds the pool, prints its first 3 frames as hex and checks
 * every frame (checksums with a separate byte-by-byte implementation, plus
 * the header fields), exiting 1 if anything is wrong. It opens no socket.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ETH_HLEN_ 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define TCP_WINDOW 29200
#define TTL 64
#define MAX_BATCH 1024		/* UIO_MAXIOV: the kernel's cap on vlen */
#define MAX_POOL (1u << 22)
#define MAX_PAYLOAD (65535 - IP4_HLEN - TCP_HLEN)
#define DEFAULT_PAYLOAD 1400
#define VERIFY_SHOW 3

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

enum kind { KIND_SYN, KIND_DATA, KIND_ACK };

struct cfg {
	const char *iface;
	uint8_t src_mac[6], dst_mac[6];
	int family;		/* 4 or 6 */
	uint8_t dst[16];	/* network order; IPv4 uses the first 4 bytes */
	uint16_t dport;
	uint8_t net[16];	/* --src-net, host bits cleared */
	unsigned plen;
	enum kind kind;
	unsigned payload;
	double duration;	/* > 0 when sending for a time */
	uint64_t count;		/* > 0 when sending a number of packets */
	unsigned batch;
	int cpu;		/* -1: no pinning */
	uint64_t seed;
	unsigned pool;
	bool verify;
	bool qdisc_bypass;
};

static const char *prog = "flood";

static void usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: %s --iface IFACE --src-mac MAC --dst-mac MAC --family 4|6\n"
		"          --dst ADDR --dport PORT --src-net PREFIX --kind syn|data|ack\n"
		"          (--duration SECONDS | --count N)\n"
		"          [--payload BYTES] [--batch N] [--cpu N] [--seed N] [--pool N]\n"
		"          [--qdisc-bypass] [--verify]\n"
		"\n"
		"  --src-net PREFIX  spoofed sources: random addresses in e.g. 10.1.0.0/16 or fd01::/64\n"
		"  --kind syn        SYN, no ACK\n"
		"  --kind data       ACK+PSH carrying --payload bytes (default %d)\n"
		"  --kind ack        pure ACK without payload (like a window probe)\n"
		"  --duration S      send for S seconds (float); or --count N packets\n"
		"  --batch N         frames per sendmmsg() call, 1..%d (default 64)\n"
		"  --cpu N           pin to CPU N\n"
		"  --seed N          random seed (default: from time and pid)\n"
		"  --pool N          distinct prebuilt frames, sent round-robin (default 4096)\n"
		"  --qdisc-bypass    set PACKET_QDISC_BYPASS (skips qdisc and taps on IFACE)\n"
		"  --verify          print the first %d frames as hex, check all checksums, send nothing\n"
		"                    (--iface, --duration and --count are not needed)\n"
		"\n"
		"Prints: sent=<packets> seconds=<elapsed> rate=<packets/s> retries=<n>\n",
		prog, DEFAULT_PAYLOAD, MAX_BATCH, VERIFY_SHOW);
}

static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr);
	exit(2);
}

static void __attribute__((noreturn)) die_errno(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static void __attribute__((noreturn)) die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(1);
}

/* ---- parsing ---- */

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

static bool parse_prefix(const char *s, int family, uint8_t net[16], unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned bits = family == 4 ? 32 : 128;
	uint64_t len = bits;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!parse_u64(slash + 1, 0, bits, &len))
			return false;
	}
	memset(net, 0, 16);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf, net) != 1)
		return false;
	for (unsigned i = 0; i < bits / 8; i++) {
		unsigned keep = len >= (i + 1) * 8 ? 8 : len > i * 8 ? len - i * 8 : 0;

		net[i] &= (uint8_t)(0xff00u >> keep);
	}
	*plen = (unsigned)len;
	return true;
}

/* ---- random numbers: splitmix64 ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- byte helpers (frames are not aligned: IP starts at offset 14) ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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

static unsigned l3_hlen(const struct cfg *c)
{
	return c->family == 4 ? IP4_HLEN : IP6_HLEN;
}

static unsigned payload_len(const struct cfg *c)
{
	return c->kind == KIND_DATA ? c->payload : 0;
}

static size_t frame_len(const struct cfg *c)
{
	return ETH_HLEN_ + l3_hlen(c) + TCP_HLEN + payload_len(c);
}

static uint8_t tcp_flags(const struct cfg *c)
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

static bool in_prefix(const uint8_t *a, const uint8_t *net, unsigned plen)
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

/* ---- --verify: an independent, deliberately naive checker ---- */

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

/* ---- sending ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die_errno("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_socket(const struct cfg *c)
{
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog_ = { .len = 1, .filter = &drop_all };
	struct sockaddr_ll sll;
	unsigned ifindex;
	int fd, one = 1, sndbuf = 4 << 20;

	ifindex = if_nametoindex(c->iface);
	if (!ifindex) {
		fprintf(stderr, "%s: interface %s: %s\n", prog, c->iface, strerror(errno));
		exit(1);
	}
	/* Protocol 0: no receive hook yet. The bind below registers one for
	 * the ethertype; the drop-all filter keeps the target's replies from
	 * being cloned into this socket's receive queue. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die_errno("socket(AF_PACKET, SOCK_RAW)");
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog_, sizeof(prog_)))
		die_errno("setsockopt(SO_ATTACH_FILTER)");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (c->qdisc_bypass &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die_errno("setsockopt(PACKET_QDISC_BYPASS)");

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(c->family == 4 ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "%s: bind(AF_PACKET, %s): %s\n", prog, c->iface, strerror(errno));
		exit(1);
	}
	return fd;
}

static void run(const struct cfg *c, uint8_t *pool, size_t stride, size_t flen)
{
	struct mmsghdr *msgs = calloc(c->pool, sizeof(*msgs));
	struct iovec *iov = calloc(c->pool, sizeof(*iov));
	uint64_t sent = 0, retries = 0;
	int64_t start, end, deadline = 0;
	struct sigaction sa;
	unsigned idx = 0;
	double secs;
	int fd;

	if (!msgs || !iov)
		die("out of memory");
	for (unsigned i = 0; i < c->pool; i++) {
		iov[i].iov_base = pool + (size_t)i * stride;
		iov[i].iov_len = flen;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	fd = open_socket(c);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt sendmmsg */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	start = now_ns();
	if (c->duration > 0)
		deadline = start + (int64_t)(c->duration * 1e9 + 0.5);

	while (!stop) {
		unsigned vlen = c->batch;
		int n;

		if (c->count) {
			if (sent >= c->count)
				break;
			if (c->count - sent < vlen)
				vlen = (unsigned)(c->count - sent);
		}
		if (c->pool - idx < vlen)
			vlen = c->pool - idx;

		n = sendmmsg(fd, &msgs[idx], vlen, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EWOULDBLOCK) {
				retries++;
				sched_yield();	/* let the receiver drain */
			} else if (errno != EINTR) {
				fprintf(stderr, "%s: sendmmsg(%s, %u frames of %zu bytes): %s\n",
					prog, c->iface, vlen, flen, strerror(errno));
				exit(1);
			}
		} else {
			/* A short count means message n failed: it is sent
			 * again at the start of the next batch. */
			sent += (unsigned)n;
			idx += (unsigned)n;
			if (idx == c->pool)
				idx = 0;
		}
		if (deadline && now_ns() >= deadline)
			break;
	}
	end = now_ns();
	close(fd);

	secs = (double)(end - start) / 1e9;
	printf("sent=%" PRIu64 " seconds=%.3f rate=%" PRIu64 " retries=%" PRIu64 "\n",
	       sent, secs, secs > 0 ? (uint64_t)((double)sent / secs + 0.5) : 0, retries);
	fflush(stdout);
	free(msgs);
	free(iov);
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	enum {
		O_IFACE = 256, O_SRC_MAC, O_DST_MAC, O_FAMILY, O_DST, O_DPORT, O_SRC_NET,
		O_KIND, O_PAYLOAD, O_DURATION, O_COUNT, O_BATCH, O_CPU, O_SEED, O_POOL,
		O_VERIFY, O_QDISC_BYPASS, O_HELP,
	};
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, O_IFACE },
		{ "src-mac", required_argument, NULL, O_SRC_MAC },
		{ "dst-mac", required_argument, NULL, O_DST_MAC },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "dst", required_argument, NULL, O_DST },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "src-net", required_argument, NULL, O_SRC_NET },
		{ "kind", required_argument, NULL, O_KIND },
		{ "payload", required_argument, NULL, O_PAYLOAD },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "count", required_argument, NULL, O_COUNT },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "seed", required_argument, NULL, O_SEED },
		{ "pool", required_argument, NULL, O_POOL },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "qdisc-bypass", no_argument, NULL, O_QDISC_BYPASS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c = {
		.family = 0, .batch = 64, .cpu = -1, .pool = 4096,
		.payload = DEFAULT_PAYLOAD,
	};
	const char *dst = NULL, *src_net = NULL, *kind = NULL, *duration = NULL;
	bool have_src_mac = false, have_dst_mac = false, have_dport = false;
	bool have_payload = false, have_seed = false, have_count = false;
	uint64_t v;
	int opt;

	if (argc > 0 && argv[0] && *argv[0]) {
		const char *slash = strrchr(argv[0], '/');

		prog = slash ? slash + 1 : argv[0];
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_IFACE:
			c.iface = optarg;
			break;
		case O_SRC_MAC:
			if (!parse_mac(optarg, c.src_mac))
				usage("bad --src-mac '%s'", optarg);
			have_src_mac = true;
			break;
		case O_DST_MAC:
			if (!parse_mac(optarg, c.dst_mac))
				usage("bad --dst-mac '%s'", optarg);
			have_dst_mac = true;
			break;
		case O_FAMILY:
			if (!strcmp(optarg, "4"))
				c.family = 4;
			else if (!strcmp(optarg, "6"))
				c.family = 6;
			else
				usage("--family must be 4 or 6, not '%s'", optarg);
			break;
		case O_DST:
			dst = optarg;
			break;
		case O_DPORT:
			if (!parse_u64(optarg, 1, 65535, &v))
				usage("bad --dport '%s' (1..65535)", optarg);
			c.dport = (uint16_t)v;
			have_dport = true;
			break;
		case O_SRC_NET:
			src_net = optarg;
			break;
		case O_KIND:
			kind = optarg;
			break;
		case O_PAYLOAD:
			if (!parse_u64(optarg, 0, MAX_PAYLOAD, &v))
				usage("bad --payload '%s' (0..%d)", optarg, MAX_PAYLOAD);
			c.payload = (unsigned)v;
			have_payload = true;
			break;
		case O_DURATION:
			duration = optarg;
			break;
		case O_COUNT:
			if (!parse_u64(optarg, 1, UINT64_MAX, &v))
				usage("bad --count '%s' (a positive integer)", optarg);
			c.count = v;
			have_count = true;
			break;
		case O_BATCH:
			if (!parse_u64(optarg, 1, MAX_BATCH, &v))
				usage("bad --batch '%s' (1..%d)", optarg, MAX_BATCH);
			c.batch = (unsigned)v;
			break;
		case O_CPU:
			if (!parse_u64(optarg, 0, CPU_SETSIZE - 1, &v))
				usage("bad --cpu '%s'", optarg);
			c.cpu = (int)v;
			break;
		case O_SEED:
			if (!parse_u64(optarg, 0, UINT64_MAX, &v))
				usage("bad --seed '%s'", optarg);
			c.seed = v;
			have_seed = true;
			break;
		case O_POOL:
			if (!parse_u64(optarg, 1, MAX_POOL, &v))
				usage("bad --pool '%s' (1..%u)", optarg, MAX_POOL);
			c.pool = (unsigned)v;
			break;
		case O_VERIFY:
			c.verify = true;
			break;
		case O_QDISC_BYPASS:
			c.qdisc_bypass = true;
			break;
		case O_HELP:
			print_usage(stdout);
			return 0;
		default:
			if (optopt && optopt >= O_IFACE)
				usage("option '%s' needs an argument", argv[optind - 1]);
			usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage("unexpected argument '%s'", argv[optind]);

	if (!c.family)
		usage("--family is required");
	if (!have_src_mac || !have_dst_mac)
		usage("--src-mac and --dst-mac are required");
	if (!dst)
		usage("--dst is required");
	if (inet_pton(c.family == 4 ? AF_INET : AF_INET6, dst, c.dst) != 1)
		usage("--dst '%s' is not an IPv%d address", dst, c.family);
	if (!have_dport)
		usage("--dport is required");
	if (!src_net)
		usage("--src-net is required");
	if (!parse_prefix(src_net, c.family, c.net, &c.plen))
		usage("--src-net '%s' is not an IPv%d prefix", src_net, c.family);
	if (!kind)
		usage("--kind is required");
	if (!strcmp(kind, "syn"))
		c.kind = KIND_SYN;
	else if (!strcmp(kind, "data"))
		c.kind = KIND_DATA;
	else if (!strcmp(kind, "ack"))
		c.kind = KIND_ACK;
	else
		usage("--kind must be syn, data or ack, not '%s'", kind);
	if (have_payload && c.kind != KIND_DATA)
		usage("--payload only goes with --kind data");
	if (c.family == 6 && c.payload > 65535 - TCP_HLEN)
		usage("--payload too large");
	if (duration) {
		char *end;

		errno = 0;
		c.duration = strtod(duration, &end);
		if (errno || end == duration || *end ||
		    !(c.duration > 0 && c.duration <= 1e7))
			usage("bad --duration '%s' (seconds, > 0)", duration);
	}
	if (duration && have_count)
		usage("give either --duration or --count, not both");
	if (!c.verify) {
		if (!c.iface)
			usage("--iface is required");
		if (!duration && !have_count)
			usage("--duration or --count is required");
	}
	if (!have_seed)
		c.seed = (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)getpid() << 32 ^
			 (uint64_t)now_ns();
	rng_state = c.seed;

	if (c.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "%s: sched_setaffinity(cpu %d): %s\n", prog, c.cpu,
				strerror(errno));
			return 1;
		}
	}

	size_t flen = frame_len(&c);
	size_t stride = (flen + 63) & ~(size_t)63;
	uint8_t *pool = aligned_alloc(64, stride * c.pool);

	if (!pool) {
		fprintf(stderr, "%s: cannot allocate %zu bytes for %u frames\n", prog,
			stride * c.pool, c.pool);
		return 1;
	}
	memset(pool, 0, stride * c.pool);
	for (unsigned i = 0; i < c.pool; i++)
		build_frame(&c, pool + (size_t)i * stride);

	if (c.verify) {
		unsigned bad = 0;

		printf("verify: IPv%d kind %s, %u frames of %zu bytes, seed %" PRIu64 "\n",
		       c.family, kind, c.pool, flen, c.seed);
		for (unsigned i = 0; i < c.pool; i++)
			bad += verify_frame(&c, pool + (size_t)i * stride, flen, i,
					    i < VERIFY_SHOW);
		free(pool);
		if (bad) {
			printf("verify: %u problem(s) found\n", bad);
			return 1;
		}
		printf("verify: all %u frames correct (checksums and headers)\n", c.pool);
		return 0;
	}

	run(&c, pool, stride, flen);
	free(pool);
	return 0;
}
