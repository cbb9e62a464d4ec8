/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile.h: what the parts of the hostile-input generator share. See
 * hostile.c for what the program does.
 *
 * Every segment carries a tag in the low 16 bits of its source address
 * (10.100+mode.x.y, fd01:0:0:mode::x:y), which mutations never touch: a
 * reply goes back to that address, so it pairs with its trigger.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN_ 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define MAX_FRAME 1600
#define TAGS 65536u
#define MODES 3			/* tarpit, honeypot, reset: one source /16 or /64 each */

/* The kinds of hostile input, each a row of the final summary. */
enum hcase {
	C_FLAGS,		/* every TCP flag combination, valid otherwise */
	C_WINDOW,		/* zero and huge windows */
	C_TRUNC_IP,		/* frame ends inside the IP header */
	C_TRUNC_TCP,		/* frame ends inside the TCP header */
	C_LENGTH,		/* IP total / payload length differs from the real one */
	C_OPTIONS,		/* IPv4 options / IPv6 hop-by-hop options */
	C_FRAGMENT,		/* first and non-first fragments */
	C_EXT_CHAIN,		/* IPv6 extension header chains (IPv4: odd options) */
	C_BAD_CSUM,		/* wrong TCP checksum */
	C_NON_UNICAST,		/* broadcast and multicast destinations */
	C_MUTATION,		/* random byte mutations of a valid segment */
	CASES
};

/* Whether the module may answer a case at all: header defects never are. */
static inline bool case_may_be_answered(enum hcase c)
{
	return c == C_FLAGS || c == C_WINDOW || c == C_LENGTH || c == C_MUTATION;
}

extern const char *const case_names[CASES];

struct segment {
	uint8_t frame[MAX_FRAME];
	size_t len;		/* bytes on the wire, Ethernet header included */
	unsigned l3_len;	/* the IP length the stack would keep: min(real, header's) */
	enum hcase kind;
	int family;
};

struct addrs {
	uint8_t host_mac[6], attacker_mac[6];
};

#include "../common/bytes.h"

/* ---- segment.c ---- */
uint64_t rnd(void);
void rnd_seed(uint64_t seed);
void build_segment(struct segment *s, const struct addrs *a, uint64_t index, unsigned tag);

/* ---- capture.c ---- */
struct trigger {
	uint32_t l3_len;
	uint8_t kind, family, replies, live;
};

struct tally {
	uint64_t sent[CASES][2];	/* per case, per family (0: IPv4, 1: IPv6) */
	uint64_t replies[CASES][2];
	uint64_t duplicates, oversize, forbidden, unmatched, other_tcp;
	uint64_t icmp4, icmp6, other_frames, capture_drops;
	uint32_t max_reply_len, max_trigger_len;
	double max_ratio;
};

int open_capture(const char *iface);
void drain_capture(int fd, struct trigger *triggers, struct tally *t, int timeout_ms);
void finish_capture(int fd, struct tally *t);

#endif
