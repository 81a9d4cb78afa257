// SPDX-License-Identifier: GPL-2.0
/*
 * crun (/usr/bin/crun), the OCI runtime, running a bundle made here: a
 * static busybox as the root file system and a hand-written config.json
 * with PID, mount, IPC and UTS namespaces.  As root, and rootless as
 * nobody with a user namespace in the config:
 * - the container's process is pid 1, its /proc lists nothing else and
 *   gives it a one-field NSpid;
 * - placed above 70000 in the initial namespace, the init that
 *   "crun state" names has NSpid "<that pid> 1";
 * - "crun exec" adds a task to the init's namespace, at a small pid that
 *   is not 1, and the container's /proc lists exactly its tasks;
 * - "crun kill ID KILL" and "crun delete" leave no task of the namespace.
 *
 * The guest has no systemd and no cgroup mounted, and crun refuses to
 * start when /sys/fs/cgroup is neither cgroup2 nor a tmpfs of v1
 * hierarchies ("invalid file system type on '/sys/fs/cgroup'"); the host
 * may have a hybrid layout, which crun 1.8.1 refuses too ("cgroups in
 * hybrid mode not supported").  So each test mounts a cgroup2 over
 * /sys/fs/cgroup in a mount namespace of its own and runs crun with
 * --cgroup-manager=disabled: nothing is written to any cgroup, here or on
 * the host.  The state goes to a --root in the test's directory.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "clients.h"
#include "kselftest_harness.h"

#define CRUN "/usr/bin/crun"
#define BUSYBOX "/bin/busybox"

RESTORE_PID_MAX_AT_EXIT()

/*
 * A container that waits to be killed.  Its output must not hold the pipe
 * of run_tool(), which reads until the end; sleep is bounded, in case a
 * test dies with the container still running (crun's init leaves the
 * test's session).
 */
#define SLEEPER "\"/bin/sh\", \"-c\", " \
	"\"exec /bin/sleep 600 </dev/null >/dev/null 2>&1\""

/* For the shell in the container: $$, then what /proc lists, one line each. */
#define SHOW_PIDS "/bin/sh -c 'echo $$; echo /proc/[0-9]*'"

FIXTURE(crun) {
	int pid_max;		/* to restore, or -1 */
	char dir[64];		/* the bundle, "" until made */
	char state[96];		/* crun --root */
	char id[48];		/* the container's name */
	bool made;		/* a container of that name may exist */
	pid_t init;		/* the container's init, seen from here */
	unsigned long ns;	/* the inode of its PID namespace */
	struct tool_run r;	/* the last crun run */
};

FIXTURE_VARIANT(crun) {
	const char *as;		/* the command line's prefix: who runs crun */
	bool rootless;		/* a user namespace in config.json */
};

FIXTURE_VARIANT_ADD(crun, root) {
	.as = "",
};

FIXTURE_VARIANT_ADD(crun, nobody) {
	.as = AS_NOBODY,
	.rootless = true,
};

/* cr_static_elf - NULL if @path is an ELF executable without PT_INTERP. */
static const char *cr_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;
	const char *why = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "cannot be opened";
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		why = "is not a 64-bit ELF file";
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff +
			  (off_t)i * eh.e_phentsize) != sizeof(ph)) {
			why = "has a short program header table";
			break;
		}
		if (ph.p_type == PT_INTERP) {
			why = "is dynamically linked: the bundle has no libraries";
			break;
		}
	}
out:
	close(fd);
	return why;
}

/* cr_copy - copy the file @from to @to, mode 0755: 0, or -1. */
static int cr_copy(const char *from, const char *to)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write_full(out, buf, n))
				break;
		ret = n == 0 ? 0 : -1;
		if (close(out))
			ret = -1;
	}
	close(in);
	return ret;
}

static int cr_remove(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	return remove(path);
}

/* cr_remove_dir - remove the test's directory, if any: 0, or -1. */
static int cr_remove_dir(FIXTURE_DATA(crun) *self)
{
	int ret = 0;

	if (self->dir[0])
		ret = nftw(self->dir, cr_remove, 16, FTW_DEPTH | FTW_PHYS);
	if (!ret)
		self->dir[0] = '\0';
	return ret;
}

/*
 * cr_fill_bundle - the bundle's root file system: busybox with the
 * applets the tests run, mount points for /proc and /dev; and the state
 * directory, owned by whoever runs crun.  0, or -1.
 */
static int cr_fill_bundle(FIXTURE_DATA(crun) *self, bool rootless)
{
	static const char *const dirs[] = {
		"rootfs", "rootfs/bin", "rootfs/proc", "rootfs/dev", "rootfs/tmp",
	};
	static const char *const applets[] = { "sh", "sleep", "cat", "echo" };
	char path[PATH_MAX];
	unsigned int i;

	/* nobody reads the bundle. */
	if (chmod(self->dir, 0755))
		return -1;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, dirs[i]);
		if (mkdir(path, 0755))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/rootfs/bin/busybox", self->dir);
	if (cr_copy(BUSYBOX, path))
		return -1;
	for (i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(path, sizeof(path), "%s/rootfs/bin/%s", self->dir,
			 applets[i]);
		if (symlink("busybox", path))
			return -1;
	}
	snprintf(self->state, sizeof(self->state), "%s/state", self->dir);
	if (mkdir(self->state, 0700))
		return -1;
	if (rootless && chown(self->state, NOBODY, NOBODY))
		return -1;
	return 0;
}

/*
 * cr_make_bundle - a directory of the test's own under /tmp with the
 * bundle and the state directory in it; nothing is left if that fails.
 * 0, or -1 with errno set.
 */
static int cr_make_bundle(FIXTURE_DATA(crun) *self, bool rootless)
{
	int err;

	snprintf(self->dir, sizeof(self->dir), "/tmp/crun_test.XXXXXX");
	if (!mkdtemp(self->dir)) {
		self->dir[0] = '\0';
		return -1;
	}
	if (!cr_fill_bundle(self, rootless))
		return 0;
	err = errno;
	cr_remove_dir(self);
	errno = err;
	return -1;
}

/*
 * cr_config - write the bundle's config.json, the process running @args
 * (the inside of a JSON array); rootless, with a user namespace that maps
 * root in the container to nobody.  0, or -1.
 */
static int cr_config(FIXTURE_DATA(crun) *self, bool rootless, const char *args)
{
	static const char maps[] =
		"\t\t\"uidMappings\": [\n"
		"\t\t\t{ \"containerID\": 0, \"hostID\": 65534, \"size\": 1 } ],\n"
		"\t\t\"gidMappings\": [\n"
		"\t\t\t{ \"containerID\": 0, \"hostID\": 65534, \"size\": 1 } ],\n";
	char path[PATH_MAX];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/config.json", self->dir);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f,
		"{\n"
		"\t\"ociVersion\": \"1.0.2\",\n"
		"\t\"process\": {\n"
		"\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
		"\t\t\"args\": [ %s ],\n"
		"\t\t\"env\": [ \"PATH=/bin\" ],\n"
		"\t\t\"cwd\": \"/\"\n"
		"\t},\n"
		"\t\"root\": { \"path\": \"rootfs\" },\n"
		"\t\"mounts\": [\n"
		"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
		"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
		"\t\t  \"options\": [ \"nosuid\", \"mode=755\" ] }\n"
		"\t],\n"
		"\t\"linux\": {\n"
		"%s"
		"\t\t\"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"mount\" },\n"
		"\t\t\t{ \"type\": \"ipc\" }, { \"type\": \"uts\" }%s ]\n"
		"\t}\n"
		"}\n", args, rootless ? maps : "",
		rootless ? ", { \"type\": \"user\" }" : "");
	ret = ferror(f) ? -1 : 0;
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * cr_cgroup_ns - a mount namespace of the test's own with a cgroup2 at
 * /sys/fs/cgroup, which crun wants to see (see the top of the file).
 * 0, or the errno of what failed.
 */
static int cr_cgroup_ns(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return errno;
	return 0;
}

FIXTURE_SETUP(crun)
{
	const char *why;
	int err;

	self->pid_max = -1;
	self->dir[0] = '\0';
	self->made = false;
	self->init = 0;
	self->ns = 0;
	snprintf(self->id, sizeof(self->id), "pidns-clients-%d", getpid());
	if (geteuid() != 0)
		SKIP(return, "the test starts as root, to run crun as root and as nobody");
	ASSERT_TOOL_PRESENT(CRUN);
	why = tool_missing(BUSYBOX);
	if (!why)
		why = cr_static_elf(BUSYBOX);
	ASSERT_NULL(why) {
		TH_LOG("the bundle's root file system needs a static "
		       BUSYBOX ": %s", why);
	}
	if (variant->rootless)
		ASSERT_TOOL_PRESENT(SETPRIV);
	if (probe_ns(false))
		SKIP(return, "no PID namespaces (CONFIG_PID_NS)");
	if (variant->rootless && probe_ns(true) == RUNNER_NO_USERNS)
		SKIP(return, "nobody cannot make a user namespace (CONFIG_USER_NS)");
	err = cr_cgroup_ns();
	if (err == ENODEV)
		SKIP(return, "no cgroup2 file system (CONFIG_CGROUPS)");
	ASSERT_EQ(0, err) {
		TH_LOG("a cgroup2 at /sys/fs/cgroup in a new mount namespace: %s",
		       strerror(err));
	}
	/* The container's init comes to the test when crun run -d exits. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, cr_make_bundle(self, variant->rootless)) {
		TH_LOG("a bundle in /tmp/crun_test.*: %s", strerror(errno));
	}
	/* Without ns_last_pid (CHECKPOINT_RESTORE) the pids are not placed. */
	why = raise_pid_max(&self->pid_max, PID_MAX_LIMIT);
	if (why)
		TH_LOG("pids not placed: %s", why);
}

/*
 * crun - run crun as the variant's user with the test's state directory
 * and no cgroup manager, the subcommand and its arguments from @fmt, into
 * @self->r.  Its exit status.
 */
static int __attribute__((format(printf, 3, 4)))
crun(FIXTURE_DATA(crun) *self, const FIXTURE_VARIANT(crun) *variant,
	const char *fmt, ...)
{
	char sub[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sub, sizeof(sub), fmt, ap);
	va_end(ap);
	return run_tool(&self->r, TOOL_TIMEOUT_MS,
			"%s" CRUN " --root=%s --cgroup-manager=disabled %s",
			variant->as, self->state, sub);
}

FIXTURE_TEARDOWN(crun)
{
	pid_t pids[64];
	int i, n;

	/*
	 * Kill and reap first: an init that a zombie of the test holds in
	 * zap_pid_ns_processes() would keep "crun delete -f" waiting.
	 */
	if (self->ns) {
		n = pidns_members(self->ns, pids, 64);
		for (i = 0; i < n && i < 64; i++)
			kill(pids[i], SIGKILL);
	}
	reap_children(30000);
	if (self->made)
		crun(self, variant, "delete -f %s", self->id);
	if (cr_remove_dir(self))
		TH_LOG("could not remove %s: %s", self->dir, strerror(errno));
	if (self->pid_max > 0)
		sysctl_write_int(pid_max_path, self->pid_max);
}

/*
 * cr_place - if pid_max could be raised, make the next pids of the
 * initial namespace start far above 511: that first pid, or 0.
 */
static pid_t cr_place(FIXTURE_DATA(crun) *self)
{
	pid_t first;

	if (self->pid_max <= 0)
		return 0;
	first = free_pid_run(HIGH_PID, 64);
	if (first <= 0 || sysctl_write_int(NS_LAST_PID, first - 1))
		return 0;
	return first;
}

/* cr_json_pid - the "pid" of crun state's output, or -1. */
static pid_t cr_json_pid(const char *out)
{
	const char *p = strstr(out, "\"pid\"");

	if (p)
		p = strchr(p, ':');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* CRUN_OK - crun's last run exited 0; if not, show it and stop the test. */
#define CRUN_OK(self) ASSERT_TOOL_OK(&(self)->r)

/*
 * cr_start - start the sleeper container detached, its pids placed high
 * if they can be, and learn its init from "crun state": the first placed
 * pid, or 0.
 */
static pid_t cr_start(struct __test_metadata *_metadata,
		      FIXTURE_DATA(crun) *self,
		      const FIXTURE_VARIANT(crun) *variant)
{
	pid_t first;

	ASSERT_EQ(0, cr_config(self, variant->rootless, SLEEPER));
	first = cr_place(self);
	self->made = true;
	crun(self, variant, "run -d -b %s %s", self->dir, self->id);
	CRUN_OK(self);
	crun(self, variant, "state %s", self->id);
	CRUN_OK(self);
	EXPECT_TRUE(strstr(self->r.out, "\"running\"") != NULL) {
		TOOL_LOG(&self->r);
	}
	self->init = cr_json_pid(self->r.out);
	ASSERT_LT(0, self->init) {
		TOOL_LOG(&self->r);
	}
	self->ns = pidns_ino(self->init);
	ASSERT_NE(0UL, self->ns);
	return first;
}

/* "crun run": the container's process is pid 1, the only task in its /proc. */
TEST_F_TIMEOUT(crun, init_is_pid_1, 120)
{
	static const long want[] = { 1 };
	char *second, nspid[64];

	ASSERT_EQ(0, cr_config(self, variant->rootless,
			       "\"/bin/sh\", \"-c\", \"echo $$; echo /proc/[0-9]*; "
			       "exec 3</proc/self/status; /bin/cat <&3\""));
	cr_place(self);
	self->made = true;
	crun(self, variant, "run -b %s %s", self->dir, self->id);
	CRUN_OK(self);
	second = strchr(self->r.out, '\n');
	EXPECT_EQ(1, atoi(self->r.out));
	EXPECT_TRUE(second && proc_listing_is(second, want, 1));
	/* The container's own /proc shows one level: the pid in it. */
	ASSERT_EQ(0, text_field(self->r.out, "NSpid", nspid, sizeof(nspid))) {
		TOOL_LOG(&self->r);
	}
	EXPECT_STREQ("1", nspid);
	if (_metadata->exit_code != KSFT_PASS)
		TOOL_LOG(&self->r);
}

/*
 * The init that "crun state" names, placed far above 511: NSpid "<pid> 1",
 * another PID namespace (and a user namespace, rootless), the variant's uid.
 */
TEST_F_TIMEOUT(crun, state_pid_is_init_high, 120)
{
	char path[64];
	pid_t first;
	int v[4];

	first = cr_start(_metadata, self, variant);
	if (!first)
		SKIP(return, "pids cannot be placed: no ns_last_pid or pid_max");
	EXPECT_LE(first, self->init);
	EXPECT_LT(511, self->init);
	ASSERT_EQ(2, status_ints(self->init, "NSpid", v, 4));
	EXPECT_EQ(self->init, v[0]);
	EXPECT_EQ(1, v[1]);
	EXPECT_NE(pidns_ino(getpid()), self->ns);
	ASSERT_EQ(4, status_ints(self->init, "Uid", v, 4));
	EXPECT_EQ(variant->rootless ? NOBODY : 0, v[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", self->init);
	if (variant->rootless)
		EXPECT_NE(ns_ino(AT_FDCWD, "/proc/self/ns/user"),
			  ns_ino(AT_FDCWD, path));
	if (_metadata->exit_code != KSFT_PASS)
		TH_LOG("init %d, first placed pid %d", self->init, first);
}

/*
 * cr_exec_sleeper - "crun exec -d" a sleeper into the container: its pid
 * here from --pid-file, and its pid in the container into *@inner.
 */
static pid_t cr_exec_sleeper(struct __test_metadata *_metadata,
			     FIXTURE_DATA(crun) *self,
			     const FIXTURE_VARIANT(crun) *variant, long *inner)
{
	char pidfile[PATH_MAX];
	pid_t pid;
	int v[4];

	snprintf(pidfile, sizeof(pidfile), "%s/exec.pid", self->state);
	crun(self, variant, "exec -d --pid-file=%s %s /bin/sh -c "
	     "'exec /bin/sleep 600 </dev/null >/dev/null 2>&1'",
	     pidfile, self->id);
	CRUN_OK(self);
	/* crun writes the number alone, as a /proc/sys file holds one. */
	pid = sysctl_read_int(pidfile);
	ASSERT_LT(0, pid) {
		TOOL_LOG(&self->r);
	}
	ASSERT_EQ(2, status_ints(pid, "NSpid", v, 4)) {
		TH_LOG("the exec'd task %d has no two-level NSpid", pid);
	}
	EXPECT_EQ(pid, v[0]);
	*inner = v[1];
	return pid;
}

/*
 * "crun exec" joins the init's namespace at a small pid that is not 1,
 * and the container's /proc lists the init and the exec'd tasks, no more.
 */
TEST_F_TIMEOUT(crun, exec_joins_init_namespace, 120)
{
	long want[3] = { 1 };
	pid_t pid;
	char *second;

	cr_start(_metadata, self, variant);
	pid = cr_exec_sleeper(_metadata, self, variant, &want[1]);
	EXPECT_NE(1, want[1]);
	EXPECT_GT(64, want[1]);
	EXPECT_EQ(self->ns, pidns_ino(pid));

	crun(self, variant, "exec %s " SHOW_PIDS, self->id);
	CRUN_OK(self);
	want[2] = atol(self->r.out);
	EXPECT_NE(1, want[2]);
	EXPECT_NE(want[1], want[2]);
	EXPECT_GT(64, want[2]);
	second = strchr(self->r.out, '\n');
	EXPECT_TRUE(second && proc_listing_is(second, want, 3)) {
		TH_LOG("want /proc/1, /proc/%ld and /proc/%ld", want[1], want[2]);
	}
	if (_metadata->exit_code != KSFT_PASS)
		TOOL_LOG(&self->r);
}

/*
 * "crun kill ID KILL" ends the init and the exec'd task with it; "crun
 * delete" then removes the container, and no task of its namespace is left.
 */
TEST_F_TIMEOUT(crun, kill_delete_leaves_nothing, 120)
{
	bool init_gone = false, exec_gone = false;
	char path[PATH_MAX];
	struct timespec end;
	pid_t pid, exec;
	int left = -1;
	long inner;

	cr_start(_metadata, self, variant);
	exec = cr_exec_sleeper(_metadata, self, variant, &inner);
	EXPECT_EQ(2, pidns_members(self->ns, NULL, 0));

	crun(self, variant, "kill %s KILL", self->id);
	CRUN_OK(self);
	/* Both are the subreaper test's children since their crun exited. */
	end = deadline_in(TOOL_TIMEOUT_MS);
	while (ms_left(&end)) {
		pid = wait_timeout(-1, NULL, 0, 100);
		init_gone |= pid == self->init;
		exec_gone |= pid == exec;
		left = pidns_members(self->ns, NULL, 0);
		if (init_gone && exec_gone && left == 0)
			break;
	}
	EXPECT_TRUE(init_gone) {
		TH_LOG("the init %d outlived crun kill", self->init);
	}
	EXPECT_TRUE(exec_gone) {
		TH_LOG("the exec'd task %d outlived its init", exec);
	}
	ASSERT_EQ(0, left) {
		TH_LOG("%d tasks of the container's namespace left", left);
	}

	crun(self, variant, "delete %s", self->id);
	CRUN_OK(self);
	self->made = false;
	crun(self, variant, "state %s", self->id);
	EXPECT_NE(0, self->r.status) {
		TOOL_LOG(&self->r);
	}
	snprintf(path, sizeof(path), "%s/%s", self->state, self->id);
	EXPECT_NE(0, access(path, F_OK)) {
		TH_LOG("crun delete left %s", path);
	}
}

TEST_HARNESS_MAIN
