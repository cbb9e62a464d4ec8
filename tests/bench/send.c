// SPDX-License-Identifier: GPL-2.0
/*
 * send.c: the send loop. Sends the prebuilt pool round-robin through an
 * AF_PACKET socket with sendmmsg(), repeating batches that fail with
 * ENOBUFS/EAGAIN (counted as retries) and checking the clock once per
 * batch, then prints the one-line summary.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "flood.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int64_t now_ns(void)
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

void run(const struct cfg *c, uint8_t *pool, size_t stride, size_t flen)
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
