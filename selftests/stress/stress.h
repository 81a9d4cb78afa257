/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidstress: what the driver (pidstress.c), the workers (workers.c) and the
 * randomized sequencer (sequencer.c) share.
 *
 * Every worker runs iterations.  An iteration is a forked process of its
 * own, seeded from the worker's generator, so that one iteration can be
 * replayed alone with "pidstress --replay KIND:SEED".  It returns one of the
 * ITER_* values; a check that fails calls fail() first, which prints the
 * kind and the iteration's seed.
 */
#ifndef PIDSTRESS_H
#define PIDSTRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pidns_util.h"

/* The levels every kernel with PID namespaces allows below the root. */
#define MAX_LEVEL	32
/* pidstress creates its namespace one level below the root. */
#define STRESS_LEVEL	1

enum iter_result {
	ITER_OK = 0,
	ITER_FAILED = 1,	/* a check failed; fail() said which */
	ITER_BUSY = 3,		/* setup hit EAGAIN or ENOMEM: not a result */
};

/* splitmix64: small, fast, and the same sequence everywhere. */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rng_below - uniform enough in [0, n). */
static inline unsigned int rng_below(struct rng *r, unsigned int n)
{
	return n ? (unsigned int)(rng_next(r) % n) : 0;
}

/* rng_chance - true once in @n. */
static inline bool rng_chance(struct rng *r, unsigned int n)
{
	return rng_below(r, n) == 0;
}

/* One iteration's context. */
struct ctx {
	const char *kind;
	uint64_t seed;
	struct rng rng;
	int pid_max;
};

/* A kind of worker: its name and one iteration of its work. */
struct kind {
	const char *name;
	enum iter_result (*iter)(struct ctx *c);
	unsigned int pause_ms;	/* between iterations */
	const char *what;
};

extern const struct kind stress_kinds[];
extern const unsigned int nr_stress_kinds;

/* fail - report a failed check of the current iteration; returns ITER_FAILED. */
enum iter_result fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* note - an informational line, same prefix as fail(). */
void note(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* busy_errno - fork or clone failed for want of pids or memory. */
static inline bool busy_errno(int err)
{
	return err == EAGAIN || err == ENOMEM;
}

/* Helpers in workers.c that the sequencer uses too. */
int wait_child(struct ctx *c, pid_t pid, int *status, int secs);
enum iter_result child_result(struct ctx *c, const char *what, int status);
int self_nspid(int *vals, int max);
int read_whole(const char *path, char *buf, size_t size);
void reap_all(int ms);

enum iter_result seq_iter(struct ctx *c);
bool counts_before(void);
int counts_after(void);
int exec_check(int argc, char **argv);

#endif /* PIDSTRESS_H */
