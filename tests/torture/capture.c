// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c: an AF_PACKET socket on the attacker's interface that sees
 * every frame the tarpit host sends back, pairs each TCP reply with its
 * trigger through the tag in the destination address, and checks: at
 * most one reply per segment, never a reply to a segment of a case that
 * must get none, never a reply longer than its trigger.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

#define PROTO_TCP 6
#define PROTO_ICMP 1
#define PROTO_ICMP6 58
#define RECV_BATCH 64

static void die_errno(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct sock_filter skip_outgoing[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
};
static struct sock_fprog skip_outgoing_prog = { .len = 4, .filter = skip_outgoing };

int open_capture(const char *iface)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, rcvbuf = 64 << 20;

	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (!sll.sll_ifindex)
		die_errno(iface);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		die_errno("socket(AF_PACKET) for the capture");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die_errno("SO_RCVBUFFORCE");
	/* Our own segments leaving are no business of the capture. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &skip_outgoing_prog, sizeof(skip_outgoing_prog)))
		die_errno("SO_ATTACH_FILTER");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die_errno("bind the capture");
	return fd;
}

/* The tag and mode a reply's destination address carries, or -1 if it is
 * not one of ours. */
static int reply_tag(const uint8_t *dst, int family, unsigned *mode)
{
	static const uint8_t v6net[7] = { 0xfd, 1, 0, 0, 0, 0, 0 };
	static const uint8_t zero[6];

	if (family == 4) {
		if (dst[0] != 10 || dst[1] < 100 || dst[1] >= 100 + MODES)
			return -1;
		*mode = dst[1] - 100u;
		return get16(dst + 2);
	}
	if (memcmp(dst, v6net, 7) || dst[7] >= MODES || memcmp(dst + 8, zero, 6))
		return -1;
	*mode = dst[7];
	return get16(dst + 14);
}

static void account_frame(const uint8_t *f, size_t len, struct trigger *triggers, struct tally *t)
{
	uint16_t type = len >= ETH_HLEN_ ? get16(f + 12) : 0;
	const uint8_t *l3 = f + ETH_HLEN_;
	unsigned reply_len, mode = 0;
	int family, proto, tag;
	struct trigger *trig;
	double ratio;

	if (type == 0x0800 && len >= ETH_HLEN_ + IP4_HLEN) {
		family = 4;
		proto = l3[9];
		reply_len = get16(l3 + 2);
		tag = reply_tag(l3 + 16, 4, &mode);
	} else if (type == 0x86dd && len >= ETH_HLEN_ + IP6_HLEN) {
		family = 6;
		proto = l3[6];
		reply_len = IP6_HLEN + get16(l3 + 4);
		tag = reply_tag(l3 + 24, 6, &mode);
	} else {
		t->other_frames++;
		return;
	}
	if (proto == PROTO_ICMP) {
		t->icmp4++;
		return;
	}
	if (proto == PROTO_ICMP6) {
		t->icmp6++;
		return;
	}
	if (proto != PROTO_TCP) {
		t->other_frames++;
		return;
	}
	if (tag < 0) {
		t->other_tcp++;
		return;
	}
	trig = &triggers[tag];
	if (!trig->live || trig->family != family || (unsigned)(trig->kind >> 4) != mode) {
		t->unmatched++;
		return;
	}
	trig->replies++;
	if (trig->replies > 1)
		t->duplicates++;
	t->replies[trig->kind & 0xf][family == 6]++;
	if (!case_may_be_answered((enum hcase)(trig->kind & 0xf)))
		t->forbidden++;
	if (reply_len > trig->l3_len)
		t->oversize++;
	ratio = (double)reply_len / trig->l3_len;
	if (ratio > t->max_ratio) {
		t->max_ratio = ratio;
		t->max_reply_len = reply_len;
		t->max_trigger_len = trig->l3_len;
	}
}

/* Reads whatever the host sent back; waits up to timeout_ms for the first
 * frame and for each further one. */
void drain_capture(int fd, struct trigger *triggers, struct tally *t, int timeout_ms)
{
	static uint8_t buf[RECV_BATCH][2048];
	struct sockaddr_ll from[RECV_BATCH];
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n, i;

	for (;;) {
		for (i = 0; i < RECV_BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							   .msg_namelen = sizeof(from[i]),
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				die_errno("recvmmsg");
			if (timeout_ms <= 0 || poll(&pfd, 1, timeout_ms) <= 0)
				return;
			continue;
		}
		for (i = 0; i < n; i++)
			if (from[i].sll_pkttype != PACKET_OUTGOING)
				account_frame(buf[i], msgs[i].msg_len, triggers, t);
	}
}

void finish_capture(int fd, struct tally *t)
{
	struct tpacket_stats stats;
	socklen_t len = sizeof(stats);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len))
		die_errno("PACKET_STATISTICS");
	t->capture_drops += stats.tp_drops;
}
