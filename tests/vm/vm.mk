# tests/vm/vm.mk - the VM suite (included by GNUmakefile).
#
# `make check-vm`: boot Debian's newest 5.10 (bullseye), 6.1 and 6.12
# (bookworm) cloud kernels under qemu TCG and run the send-path matrix with
# --backend kprobe and tracepoint, with the kernel's BTF, with
# /sys/kernel/btf absent and --btf FILE, with it absent and the BTF embedded
# in a second dnsvis ($(BUILD)/vm/embedded/dnsvis), and with legacy
# kprobe_events.  Kernels are downloaded with apt-get download through the
# test's own apt configuration ($(BUILD)/vm/apt) once and cached under
# $(BUILD)/vm/kernels.  See tests/vm/run.sh for the knobs (VM_SERIES,
# VM_TIMEOUT, VM_JOBS, VM_KEEP).
.PHONY: check-vm
check-vm: all
	@tests/vm/run.sh $(BUILD)/dnsvis
