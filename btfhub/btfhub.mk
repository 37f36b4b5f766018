# btfhub/btfhub.mk - BTF built into dnsvis for kernels without
# /sys/kernel/btf/vmlinux, the kprobe clean-up module, and their tests.
# Included at the end of GNUmakefile.
#
#   make                                uses ../shared/btfhub-archive (the default)
#   BTFHUB_ARCHIVE=/srv/btfhub-archive make   a full btfhub-archive checkout
#   BTFHUB_ARCHIVE= make                no archive: dnsvis embeds none (and says so)
#
# btfgen.sh minimizes every kernel's BTF for both BPF objects into
# $(BUILD)/btf/ (only stale kernels are redone), pack.py packs them zlib-
# compressed with an index into $(BUILD)/btf-archive.bin (rewritten only when
# it changes), and btfhub/archive.S .incbin's that into the binary.

BTFHUB_ARCHIVE ?= ../shared/btfhub-archive
BTF_MIN_DIR    := $(BUILD)/btf
BTF_BLOB       := $(BUILD)/btf-archive.bin
BTF_BPF_OBJS   := $(BUILD)/kern/dnsvis.bpf.o $(BUILD)/kern/dnsvis_legacy.bpf.o
# kprobe targets whose prototypes the loader reads (btf_func_arity)
BTF_KEEP_FUNCS := udp_sendmsg udpv6_sendmsg tcp_sendmsg tcp_recvmsg
BTF_DATA_OBJ   := $(BUILD)/user/btf/archive_data.o

# USER_OBJS is already computed when this file is read: extend it and the
# link rule's prerequisites directly.
USER_OBJS      += $(BTF_DATA_OBJ)
$(BUILD)/dnsvis: $(BTF_DATA_OBJ)

.PHONY: btf-archive btf-check FORCE_BTF
FORCE_BTF:

# Always re-examined (the archive directory may change); pack.py leaves the
# file untouched when nothing changed, so nothing is relinked then.
$(BTF_BLOB): $(BTF_BPF_OBJS) btfhub/btfgen.sh btfhub/keep_funcs.py btfhub/pack.py FORCE_BTF
	@mkdir -p $(BTF_MIN_DIR)
	@if [ -n "$(BTFHUB_ARCHIVE)" ] && [ -d "$(BTFHUB_ARCHIVE)" ]; then \
		BTFGEN_KEEP_FUNCS="$(BTF_KEEP_FUNCS)" btfhub/btfgen.sh "$(BTFHUB_ARCHIVE)" \
			$(BTF_MIN_DIR) $(BTF_BPF_OBJS) | \
			grep -v -e '^kept' -e ' 0 generated, ' || true; \
	fi
	@python3 btfhub/pack.py "$(BTFHUB_ARCHIVE)" $(BTF_MIN_DIR) $@

$(BTF_DATA_OBJ): btfhub/archive.S $(BTF_BLOB)
	@mkdir -p $(dir $@)
	$(CC) -c -DDV_BTF_BLOB='"$(BTF_BLOB)"' $< -o $@

btf-archive: $(BTF_BLOB)

# Unit tests of the pure modules (explicit rules: they need their module,
# and the archive one zlib, on top of CORE_SRCS).
$(BUILD)/tests/test_btf_lookup: tests/unit/test_btf_lookup.c user/btf/archive.c \
		user/btf/archive.h tests/unit/check.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(TEST_CFLAGS) -o $@ $< user/btf/archive.c -lz

$(BUILD)/tests/test_kprobe_cleanup: tests/unit/test_kprobe_cleanup.c user/live/kprobe_cleanup.c \
		user/live/kprobe_cleanup.h user/live/tracefs.c user/enrich/host_root.c tests/unit/check.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(TEST_CFLAGS) -o $@ $< user/live/kprobe_cleanup.c user/live/tracefs.c user/enrich/host_root.c \
		user/util/fs.c

# Self-test objects of tests/btf/run.sh: one CO-RE access guarded by a
# field-exists check, one not.
BTF_TEST_OBJS := $(BUILD)/tests/btf/guarded.bpf.o $(BUILD)/tests/btf/unguarded.bpf.o
$(BUILD)/tests/btf/guarded.bpf.o: tests/btf/guard.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -DDV_GUARD=1 -c $< -o $@
$(BUILD)/tests/btf/unguarded.bpf.o: tests/btf/guard.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -DDV_GUARD=0 -c $< -o $@

check: $(BTF_TEST_OBJS)

btf-check: $(BUILD)/dnsvis $(BTF_TEST_OBJS)
	@tests/btf/run.sh $(BUILD)/dnsvis

# A second dnsvis whose archive is made from another BTFHub-layout directory,
# linked from the same objects as $(BUILD)/dnsvis (tests/vm: the guest
# kernels' own BTF, minimized and packed like every other):
#   make BTF_ALT_ARCHIVE=DIR BTF_ALT_DIR=OUT OUT/dnsvis
ifneq ($(BTF_ALT_DIR),)
BTF_ALT_BLOB := $(BTF_ALT_DIR)/btf-archive.bin
$(BTF_ALT_BLOB): $(BTF_BPF_OBJS) btfhub/btfgen.sh btfhub/keep_funcs.py btfhub/pack.py FORCE_BTF
	@mkdir -p $(BTF_ALT_DIR)/btf
	@BTFGEN_KEEP_FUNCS="$(BTF_KEEP_FUNCS)" btfhub/btfgen.sh "$(BTF_ALT_ARCHIVE)" \
		$(BTF_ALT_DIR)/btf $(BTF_BPF_OBJS) | grep -v -e '^kept' -e ' 0 generated, ' || true
	@python3 btfhub/pack.py "$(BTF_ALT_ARCHIVE)" $(BTF_ALT_DIR)/btf $@
$(BTF_ALT_DIR)/archive_data.o: btfhub/archive.S $(BTF_ALT_BLOB)
	$(CC) -c -DDV_BTF_BLOB='"$(BTF_ALT_BLOB)"' $< -o $@
$(BTF_ALT_DIR)/dnsvis: $(filter-out $(BTF_DATA_OBJ),$(USER_OBJS)) $(BTF_ALT_DIR)/archive_data.o $(PCAP_A)
	$(CC) -static $(CFLAGS) -o $@ $^ -lbpf -lelf -lz
endif
