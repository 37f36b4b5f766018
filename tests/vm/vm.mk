# tests/vm/vm.mk - the VM suite (included by GNUmakefile).
#
# `make check-vm`: boot Debian's newest 6.1 and 6.12 cloud kernels under
# qemu TCG and run the send-path matrix with --backend kprobe and tracepoint,
# with kernel BTF and with shipped BTF (--btf).  Kernels are downloaded with
# apt-get download once and cached under $(BUILD)/vm/kernels.  See
# tests/vm/run.sh for the knobs (VM_SERIES, VM_TIMEOUT, VM_JOBS, VM_KEEP).
.PHONY: check-vm
check-vm: all
	@tests/vm/run.sh $(BUILD)/dnsvis
