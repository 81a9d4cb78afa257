// SPDX-License-Identifier: GPL-2.0
/*
 * The bad-input table (bad_input.h, Documentation/bad-input.rst), one test
 * case per row: the row's call, made once, fails with the row's errno.
 * The cases are variants of the fixture bad_input, registered from the
 * table itself, so each row shows as its own TAP line named after its
 * call and argument, in the order of the table.  A last case checks that
 * no two rows have the same call and argument, or the same name.
 *
 * Each row also runs as a hostile user would make the call
 * (bad_input_unpriv): as nobody, in a user namespace of its own and a PID
 * namespace that user namespace owns, from a task that is not its init.
 * The errno is the same as root's: the checks of the argument come before
 * any capability check, and the capabilities the rows need are those the
 * user namespace gives over the namespaces it made.
 *
 * On the baseline the rows that need a PID namespace fail (their setup
 * does, or the errno differs); the plain argument checks pass there too
 * and are listed in baseline-passes.  Every unprivileged row fails there:
 * its runner needs a PID namespace of its own.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "bad_input.h"
#include "unpriv.h"
#include "kselftest_harness.h"

/* Longest test name: the call and the argument, squeezed. */
#define NAME_MAX_LEN 96

FIXTURE(bad_input) {
};

FIXTURE_VARIANT(bad_input) {
	const struct bad_input *row;
};

FIXTURE_SETUP(bad_input)
{
}

FIXTURE_TEARDOWN(bad_input)
{
}

/*
 * row_name - the test name of a row: its call and argument in lower case,
 * every run of other characters one '_', '+' as "plus" and '-' as "minus"
 * ("clone3_set_tid_pid_max_plus_1", "pidfd_open_pid_minus_1").
 */
static void row_name(const struct bad_input *row, char *buf, size_t size)
{
	const char *parts[2] = { row->call, row->arg };
	size_t len = 0;
	int i, gap = 0;

	for (i = 0; i < 2; i++) {
		const char *p;

		gap = len > 0;
		for (p = parts[i]; *p && len + 7 < size; p++) {
			const char *word = NULL;

			if (*p == '+')
				word = "plus";
			else if (*p == '-')
				word = "minus";
			if (!word && !isalnum((unsigned char)*p)) {
				gap = len > 0;
				continue;
			}
			if (gap)
				buf[len++] = '_';
			gap = 0;
			if (word) {
				len += snprintf(buf + len, size - len, "%s", word);
				gap = 1;
			} else {
				buf[len++] = tolower((unsigned char)*p);
			}
		}
	}
	buf[len] = '\0';
}

FIXTURE(bad_input_unpriv) {
};

FIXTURE_VARIANT(bad_input_unpriv) {
	const struct bad_input *row;
};

FIXTURE_SETUP(bad_input_unpriv)
{
}

FIXTURE_TEARDOWN(bad_input_unpriv)
{
}

static struct __fixture_variant_metadata rows[BAD_INPUTS];
static FIXTURE_VARIANT(bad_input) row_data[BAD_INPUTS];
static struct __fixture_variant_metadata unpriv_rows[BAD_INPUTS];
static FIXTURE_VARIANT(bad_input_unpriv) unpriv_data[BAD_INPUTS];
static char row_names[BAD_INPUTS][NAME_MAX_LEN];

/*
 * One variant per row.  This runs after the harness's own constructors,
 * when it appends to its lists, so the variants keep the table's order.
 */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1)))
register_rows(void)
{
	size_t i;

	for (i = 0; i < BAD_INPUTS; i++) {
		row_name(&bad_inputs[i], row_names[i], NAME_MAX_LEN);
		row_data[i].row = &bad_inputs[i];
		rows[i].name = row_names[i];
		rows[i].data = &row_data[i];
		__register_fixture_variant(&_bad_input_fixture_object, &rows[i]);
		unpriv_data[i].row = &bad_inputs[i];
		unpriv_rows[i].name = row_names[i];
		unpriv_rows[i].data = &unpriv_data[i];
		__register_fixture_variant(&_bad_input_unpriv_fixture_object,
					   &unpriv_rows[i]);
	}
}

/* The row's call fails with the row's errno. */
TEST_F_TIMEOUT(bad_input, errno_matches, 3 * BI_TIMEOUT)
{
	const struct bad_input *row = variant->row;
	int ret;

	ret = row->run();
	ASSERT_NE(-1, ret) {
		TH_LOG("%s, %s: the setup failed (a child, a namespace or a file it needs)",
		       row->call, row->arg);
	}
	EXPECT_EQ(row->err, ret) {
		TH_LOG("%s, %s: %s (%d), expected %s (%d)", row->call,
		       row->arg, ret ? strerror(ret) : "it succeeded", ret,
		       strerror(row->err), row->err);
	}
}

/* What an unprivileged runner reports: the row's result, or its setup's. */
struct unpriv_report {
	int setup;	/* 0, or the RUNNER_ status or errno of the setup */
	int ret;	/* the row's run() */
};

/*
 * unpriv_runner - become nobody in a user namespace of its own, then the
 * init of a PID namespace that user namespace owns; a child of that init
 * runs the row.
 */
static int unpriv_runner(const struct bad_input *row, int rep)
{
	struct unpriv_report r = { 0 };
	int status, p[2];
	pid_t pid;

	r.setup = become_unprivileged();
	if (!r.setup && unshare(CLONE_NEWPID))
		r.setup = errno;
	if (r.setup)
		return write_full(rep, &r, sizeof(r)) ? 1 : 0;
	if (pipe(p))
		return 1;
	pid = fork();		/* the init */
	if (pid == 0) {
		close(p[0]);
		pid = fork();	/* the caller of the row */
		if (pid == 0) {
			r.ret = row->run();
			_exit(write_full(p[1], &r, sizeof(r)) ? 1 : 0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			_exit(1);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	close(p[1]);
	if (pid < 0) {
		r.setup = errno;
		return write_full(rep, &r, sizeof(r)) ? 1 : 0;
	}
	if (read_full(p[0], &r, sizeof(r))) {
		r.setup = EPIPE;
		r.ret = -1;
	}
	waitpid(pid, &status, 0);
	return write_full(rep, &r, sizeof(r)) ? 1 : 0;
}

/* The row's call, made unprivileged, fails with the row's errno. */
TEST_F_TIMEOUT(bad_input_unpriv, errno_matches, 3 * BI_TIMEOUT)
{
	const struct bad_input *row = variant->row;
	struct unpriv_report r;
	int rep[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(rep));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(rep[0]);
		_exit(unpriv_runner(row, rep[1]));
	}
	close(rep[1]);
	ASSERT_EQ(0, read_timeout(rep[0], &r, sizeof(r), 2 * BI_TIMEOUT * 1000)) {
		TH_LOG("no report from the unprivileged runner");
		kill_and_reap(pid);
	}
	ASSERT_EQ(pid, wait_timeout(pid, &status, 0, 10000));
	ASSERT_EQ(0, r.setup) {
		TH_LOG("%s, %s: the unprivileged runner's setup failed: %d (%s)",
		       row->call, row->arg, r.setup,
		       r.setup == RUNNER_NO_USERNS ? "no user namespace" :
		       r.setup > RUNNER_NO_MAP ? strerror(r.setup) :
		       "could not become nobody or map its ids");
	}
	ASSERT_NE(-1, r.ret) {
		TH_LOG("%s, %s: the setup failed (a child, a namespace or a file it needs)",
		       row->call, row->arg);
	}
	EXPECT_EQ(row->err, r.ret) {
		TH_LOG("%s, %s, unprivileged: %s (%d), expected %s (%d)",
		       row->call, row->arg,
		       r.ret ? strerror(r.ret) : "it succeeded", r.ret,
		       strerror(row->err), row->err);
	}
}

FIXTURE(bad_input_table) {
};

FIXTURE_SETUP(bad_input_table)
{
}

FIXTURE_TEARDOWN(bad_input_table)
{
}

/* No two rows share a call and argument, or a test name. */
TEST_F(bad_input_table, rows_are_unique)
{
	char a[NAME_MAX_LEN], b[NAME_MAX_LEN];
	size_t i, j;

	ASSERT_NE(0, (int)BAD_INPUTS);
	for (i = 0; i < BAD_INPUTS; i++) {
		EXPECT_GT(bad_inputs[i].err, 0);
		EXPECT_NE(NULL, bad_inputs[i].run);
		row_name(&bad_inputs[i], a, sizeof(a));
		for (j = i + 1; j < BAD_INPUTS; j++) {
			row_name(&bad_inputs[j], b, sizeof(b));
			EXPECT_FALSE(!strcmp(bad_inputs[i].call,
					     bad_inputs[j].call) &&
				     !strcmp(bad_inputs[i].arg,
					     bad_inputs[j].arg)) {
				TH_LOG("rows %zu and %zu: %s, %s", i, j,
				       bad_inputs[i].call, bad_inputs[i].arg);
			}
			EXPECT_STRNE(a, b) {
				TH_LOG("rows %zu and %zu have one name", i, j);
			}
		}
	}
}

TEST_HARNESS_MAIN
