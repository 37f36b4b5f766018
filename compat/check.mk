# compat/check.mk - static legacy-kernel check of the built BPF objects.
# Included from GNUmakefile (after kern/kern.mk).  `make compat-check` checks
# every program of every BPF object; see compat/compat_check.c for the rules
# and the `_v55` feature-probe convention.  `make compat-selftest` runs the
# checker's own tests (tests/compat/).
#
#   BPF_OBJS           objects to check (kern/kern.mk may define it); default:
#                      the two objects kern/kern.mk builds, or, without
#                      kern/kern.mk, every $(BUILD)/*.bpf.o and $(BUILD)/kern/*.bpf.o
#   BPF_GUARDED_OBJS   objects user space loads only after probing
#                      bpf_probe_read_user (checked against 5.5, not 4.14);
#                      default: kern.mk's split-read object dnsvis.bpf.o
BUILD ?= build
COMPAT_CHECK := $(BUILD)/compat-check
COMPAT_OBJS   = $(strip $(if $(strip $(BPF_OBJS)),$(BPF_OBJS),$(if $(wildcard kern/kern.mk), \
	$(BUILD)/kern/dnsvis.bpf.o $(BUILD)/kern/dnsvis_legacy.bpf.o, \
	$(wildcard $(BUILD)/*.bpf.o $(BUILD)/kern/*.bpf.o))))
COMPAT_GUARDED = $(if $(BPF_GUARDED_OBJS),$(BPF_GUARDED_OBJS),$(BUILD)/kern/dnsvis.bpf.o)

# The checker's sources: main and options, ELF loading, the rules, the tables.
COMPAT_CHECK_SRCS := compat/compat_check.c compat/check_elf.c compat/check_rules.c \
	compat/helpers_table.c compat/map_types_table.c

$(COMPAT_CHECK): $(COMPAT_CHECK_SRCS) compat/compat_check.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -o $@ $(COMPAT_CHECK_SRCS) -lbpf -lelf -lz

.PHONY: compat-check compat-selftest
# The stamp makes the check part of every `make`: a violation fails the build.
$(BUILD)/.compat-ok: $(COMPAT_CHECK) $(COMPAT_OBJS)
	@if [ -z "$(COMPAT_OBJS)" ]; then echo "compat-check: no BPF objects to check" >&2; exit 1; fi
	$(COMPAT_CHECK) $(foreach o,$(COMPAT_OBJS),$(if $(filter $(o),$(COMPAT_GUARDED)),-G $(o),$(o)))
	@touch $@

compat-check: $(COMPAT_CHECK) $(COMPAT_OBJS)
	@rm -f $(BUILD)/.compat-ok
	@$(MAKE) --no-print-directory $(BUILD)/.compat-ok

compat-selftest: $(COMPAT_CHECK)
	@tests/compat/run.sh $(COMPAT_CHECK)
