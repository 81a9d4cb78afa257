# SPDX-License-Identifier: GPL-2.0
#
# Front door.  The work is done by scripts/; see README.md and
# "scripts/pidns.sh -h".
#
#   make run                    build the full series and boot it
#   make test                   build it and run the selftests in the guest
#   make test VARIANT=upstream  the same suite on unpatched 6.12
#   make control                the suite on the baseline: every behaviour test must fail
#   make check-series           build and boot the series through each patch
#   make bench [QUICK=1]        guest instructions per pid operation, by depth
#   make stress [SECONDS=N SEED=S]  pidstress in the guest, then leak and count checks
#   make test CONFIG=faults [FAULT_SWEEP=short]  the fail-nth sweep on the debug kernel
#   make test CONFIG=kcsan      the suite under KCSAN_STRICT (also make stress CONFIG=kcsan)
#   make test CONFIG=defconfig  the suite on a kernel built from x86_64_defconfig
#   make check-configs [LIMIT=N]  allmodconfig and powerpc spufs: no new warning or unexported symbol
#   make check                  shellcheck the scripts, checkpatch the series
#   make clean                  remove objects, initramfs and logs (keeps trees)

VARIANT ?= full
export VARIANT PATCH CONFIG KSRC BUILD_DIR ACCEL BOOT_TIMEOUT QEMU_MEM \
	QEMU_SMP ICOUNT KERNEL_ARGS JOBS NO_CCACHE QUICK DEPTHS ROUNDS SCALE \
	SCALE_SECONDS RESULTS EXTRA_PATCH EXTRA_NAME BENCH_EXTRA BENCH_EXTRA_NAME \
	FAULT_SWEEP LIMIT

SHELL := /bin/bash
SCRIPTS := $(wildcard scripts/*.sh) .ci/run

run:
	@scripts/pidns.sh run

test:
	@scripts/pidns.sh test

build:
	@scripts/pidns.sh build

control:
	@scripts/control.sh

check-series:
	@scripts/check-series.sh

check-configs:
	@scripts/check-configs.sh

bench:
	@scripts/bench.sh

# SECONDS is bash's own timer: hand it to the scripts under another name.
stress:
	@STRESS_SECONDS="$(or $(SECONDS),120)" STRESS_SEED="$(SEED)" \
		scripts/pidns.sh stress

check:
	@scripts/install-deps.sh check
	shellcheck -x $(SCRIPTS)
	@scripts/check-patches.sh

clean:
	rm -rf build/*/obj build/*/guest build/*/initramfs.cpio \
		build/*/config-stamp build/logs

help:
	@sed -n 's/^#   //p' Makefile

.PHONY: run test build control check-series check-configs bench stress check clean \
	help
