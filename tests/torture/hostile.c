// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: sends malformed and mutated IPv4 and IPv6 TCP segments through
 * an AF_PACKET socket, round-robin over the cases of hostile.h, the three
 * TARPIT modes (chosen by source network) and both families, and checks
 * every reply the host sends back (capture.c).
 *
 *   hostile --iface veth1 --host-mac M --attacker-mac M --count N [--seed S]
 *
 * Prints one "hostile: key=value ..." summary line, one "case" line per
 * case, and exits 1 if any reply broke a rule: more than one reply to a
 * segment, a reply to a segment that must get none, a reply longer than
 * its trigger, a TCP reply to nothing we sent, or a capture that dropped
 * frames (the checks would be incomplete).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

#define BATCH 256

static void usage(void)
{
	fprintf(stderr, "usage: hostile --iface IF --host-mac MAC --attacker-mac MAC --count N [--seed S]\n");
	exit(2);
}

static void parse_mac(const char *text, uint8_t mac[6])
{
	unsigned b[6], i;

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		usage();
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

static int open_sender(const char *iface)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, one = 1, sndbuf = 8 << 20;

	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (!sll.sll_ifindex) {
		perror(iface);
		exit(2);
	}
	/* Protocol 0: this socket only sends. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("hostile: sender socket");
		exit(2);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	return fd;
}

static void send_batch(int fd, struct segment *segs, unsigned n)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned done = 0, i;
	int sent;

	for (i = 0; i < n; i++) {
		iov[i] = (struct iovec){ segs[i].frame, segs[i].len };
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	while (done < n) {
		sent = sendmmsg(fd, msgs + done, n - done, 0);
		if (sent < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(1000);
				continue;
			}
			/* A frame the device refuses outright (shorter than
			 * an Ethernet header can never be built here). */
			perror("hostile: sendmmsg");
			exit(2);
		}
		done += (unsigned)sent;
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_summary(const struct tally *t, uint64_t count, double seconds)
{
	uint64_t sent[2] = { 0, 0 }, replies = 0;
	unsigned c;

	for (c = 0; c < CASES; c++) {
		sent[0] += t->sent[c][0];
		sent[1] += t->sent[c][1];
		replies += t->replies[c][0] + t->replies[c][1];
	}
	printf("hostile: sent=%" PRIu64 " sent4=%" PRIu64 " sent6=%" PRIu64 " replies=%" PRIu64
	       " duplicates=%" PRIu64 " forbidden=%" PRIu64 " oversize=%" PRIu64 " unmatched=%" PRIu64
	       " other_tcp=%" PRIu64 " icmp4=%" PRIu64 " icmp6=%" PRIu64 " other_frames=%" PRIu64
	       " capture_drops=%" PRIu64 " max_ratio=%.4f max_reply=%u max_trigger=%u seconds=%.1f\n",
	       count, sent[0], sent[1], replies, t->duplicates, t->forbidden, t->oversize,
	       t->unmatched, t->other_tcp, t->icmp4, t->icmp6, t->other_frames, t->capture_drops,
	       t->max_ratio, t->max_reply_len, t->max_trigger_len, seconds);
	for (c = 0; c < CASES; c++)
		printf("case %-12s sent4=%" PRIu64 " sent6=%" PRIu64 " replies4=%" PRIu64
		       " replies6=%" PRIu64 "\n", case_names[c], t->sent[c][0], t->sent[c][1],
		       t->replies[c][0], t->replies[c][1]);
}

int main(int argc, char **argv)
{
	static struct trigger triggers[TAGS];
	static struct segment segs[BATCH];
	static struct tally tally;
	const char *iface = NULL;
	uint64_t count = 0, seed = 1, index = 0;
	struct addrs a;
	bool have_host = false, have_attacker = false;
	double start;
	int i, sender, capture;
	unsigned n, k, tag;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--iface"))
			iface = argv[i + 1];
		else if (!strcmp(argv[i], "--host-mac"))
			parse_mac(argv[i + 1], a.host_mac), have_host = true;
		else if (!strcmp(argv[i], "--attacker-mac"))
			parse_mac(argv[i + 1], a.attacker_mac), have_attacker = true;
		else if (!strcmp(argv[i], "--count"))
			count = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else
			usage();
	}
	if (i != argc || !iface || !have_host || !have_attacker || !count)
		usage();
	rnd_seed(seed);
	start = now_seconds();
	capture = open_capture(iface);
	sender = open_sender(iface);

	while (index < count) {
		n = count - index < BATCH ? (unsigned)(count - index) : BATCH;
		for (k = 0; k < n; k++, index++) {
			tag = (unsigned)(index % TAGS);
			build_segment(&segs[k], &a, index, tag);
			triggers[tag] = (struct trigger){
				.l3_len = segs[k].l3_len,
				.kind = (uint8_t)(segs[k].kind | index / CASES % MODES << 4),
				.family = (uint8_t)segs[k].family,
				.live = 1,
			};
			tally.sent[segs[k].kind][segs[k].family == 6]++;
		}
		send_batch(sender, segs, n);
		drain_capture(capture, triggers, &tally, 0);
	}
	drain_capture(capture, triggers, &tally, 1000);
	finish_capture(capture, &tally);
	print_summary(&tally, count, now_seconds() - start);
	return tally.duplicates || tally.forbidden || tally.oversize || tally.unmatched ||
	       tally.other_tcp || tally.capture_drops;
}
