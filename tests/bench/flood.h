/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flood.h: what the parts of the flood generator share: the constants,
 * the parsed configuration, the unaligned big-endian byte helpers and
 * the entry points of frame.c, verify.c and send.c. See flood.c for
 * what the program does.
 */
#ifndef FLOOD_H
#define FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* ---- flood.c: program name and fatal errors ---- */

extern const char *prog;

void die_errno(const char *what) __attribute__((noreturn));
void die(const char *msg) __attribute__((noreturn));

/* ---- byte helpers: ../common/bytes.h ---- */
#include "../common/bytes.h"

/* ---- frame.c: building the frame pool ---- */

void rng_seed(uint64_t seed);
unsigned l3_hlen(const struct cfg *c);
unsigned payload_len(const struct cfg *c);
size_t frame_len(const struct cfg *c);
uint8_t tcp_flags(const struct cfg *c);
bool in_prefix(const uint8_t *a, const uint8_t *net, unsigned plen);
void build_pool(const struct cfg *c, uint8_t *pool, size_t stride);

/* ---- verify.c: the --verify self-check ---- */

int verify_pool(const struct cfg *c, const char *kind, const uint8_t *pool,
		size_t stride, size_t flen);

/* ---- send.c: the send loop ---- */

int64_t now_ns(void);
void run(const struct cfg *c, uint8_t *pool, size_t stride, size_t flen);

#endif
