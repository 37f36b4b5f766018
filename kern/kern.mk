# kern/kern.mk - BPF objects and their libbpf skeletons (included by GNUmakefile).
#
# The programs are compiled twice from one source, kern/dnsvis.bpf.c, which
# includes the kern/*.bpf.h parts (one object per build flavour):
#   dnsvis.bpf.o         bpf_probe_read_user/_kernel, bpf_get_current_cgroup_id (5.5+)
#   dnsvis_legacy.bpf.o  bpf_probe_read only, cgroup id by CO-RE read (4.14+)
# user/live/features.c picks one at run time with a helper probe.  Both
# skeletons are generated; user space uses the dnsvis_bpf skeleton type and
# swaps in the legacy ELF bytes (same maps and programs).

# Included before the main `all` rule: do not become the default goal.
DV_SAVED_GOAL := $(.DEFAULT_GOAL)

BPF_CLANG  ?= $(CLANG)
BPF_CFLAGS := -target bpf -O2 -g -D__TARGET_ARCH_x86 -Wall -Wextra -Werror -Icompat -Ikern
BPF_HDRS   := $(wildcard kern/*.h compat/*.h)
BPFTOOL    ?= bpftool

$(BUILD)/kern/dnsvis.bpf.o: kern/dnsvis.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -DDV_SPLIT_READ=1 -c $< -o $@

$(BUILD)/kern/dnsvis_legacy.bpf.o: kern/dnsvis.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -DDV_SPLIT_READ=0 -c $< -o $@

$(BUILD)/dnsvis.skel.h: $(BUILD)/kern/dnsvis.bpf.o
	$(BPFTOOL) gen skeleton $< name dnsvis_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/dnsvis_legacy.skel.h: $(BUILD)/kern/dnsvis_legacy.bpf.o
	$(BPFTOOL) gen skeleton $< name dnsvis_legacy_bpf > $@.tmp && mv $@.tmp $@

TRACE_DEPS := $(BUILD)/dnsvis.skel.h $(BUILD)/dnsvis_legacy.skel.h kern/dnsvis.h

.PHONY: bpf
bpf: $(TRACE_DEPS)

.DEFAULT_GOAL := $(DV_SAVED_GOAL)
