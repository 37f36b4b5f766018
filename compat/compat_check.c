/* compat_check.c - static check that every BPF program in a BPF object loads
 * on the oldest kernel dnsvis supports (4.14; RHEL 7's 3.10 backport follows
 * the same rules).  Usage: compat-check OBJ...
 *
 * Each violation is printed as one line `OBJ: PROG: rule: detail` and the
 * exit status is 1 if there was any (2 for a usage error).  Rules:
 *
 *   insns        more than 4096 instruction slots.  Counted as the kernel
 *                counts them (BPF_MAXINSNS applies to insn_cnt): 8-byte slots,
 *                so a ld_imm64 counts as 2.
 *   loop         a jump whose target is at or before itself (back-edge).
 *   bpf2bpf      a BPF-to-BPF call (src_reg == BPF_PSEUDO_CALL), a callback
 *                address (BPF_PSEUDO_FUNC), or any relocation against code,
 *                e.g. a call into .text.  4.16+.
 *   kfunc        a kernel function call (src_reg == BPF_PSEUDO_KFUNC_CALL).
 *   global-data  a relocation against .data, .bss, .rodata*, .kconfig or an
 *                extern symbol; also such a section existing with content
 *                (libbpf turns it into an internal map: 5.2+).
 *   map-type     a map type newer than 4.14 (from the .maps BTF, or the
 *                legacy `maps` section).
 *   prog-type    a section libbpf would load as anything but kprobe
 *                (kprobe/, kretprobe/, ksyscall/, kretsyscall/), tracepoint
 *                (tracepoint/, tp/) or perf_event.
 *   helper       a helper newer than 4.14 outside a feature-probe guard, or
 *                a helper id the table below does not know.
 *   isa          instructions old verifiers reject: JMP32 class (5.1),
 *                atomics other than XADD (5.12), cpu v4 encodings (6.6).
 *
 * Feature-probe guards.  A helper newer than 4.14 is allowed only where the
 * loader loads the code after probing the kernel.  dnsvis builds its
 * programs twice (compat/dv_compat.bpf.h, DV_SPLIT_READ): the legacy object
 * with bpf_probe_read[_str], and the split object with
 * bpf_probe_read_{user,kernel}[_str] and bpf_get_current_cgroup_id, which user
 * space loads only after probing bpf_probe_read_user.  The marker is the
 * suffix `_v55` on the object's file name stem (dnsvis_v55.bpf.o; `-v55` and
 * `.v55` are accepted too), on a program (function) name or on the last
 * component of a section name: such code may use every helper and map type
 * that exists in 5.5.  Each guarded program's newer helpers are listed on a
 * `guarded` line naming the probe.  An object whose name cannot carry the
 * marker is declared guarded on the command line with `-G OBJ`
 * (compat/check.mk passes it for kern.mk's split object dnsvis.bpf.o).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define KV(a, b)       ((a)*256 + (b))
#define KV_BASE	       KV(4, 14)
#define MAX_INSN_SLOTS 4096
#define PSEUDO_CALL    1
#define PSEUDO_KFUNC   2
#define PSEUDO_FUNC    4
#define INSN_SIZE      8
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define HELPER_MAX_ID  210

struct kver {
	const char *name;
	unsigned short kv; /* KV(major, minor) of the first release that has it */
};

/* Helper id -> name (uapi __BPF_FUNC_MAPPER order) -> first kernel release. */
static const struct kver helpers[HELPER_MAX_ID] = {
    [1] = {"map_lookup_elem", KV(3, 19)},
    [2] = {"map_update_elem", KV(3, 19)},
    [3] = {"map_delete_elem", KV(3, 19)},
    [4] = {"probe_read", KV(4, 1)},
    [5] = {"ktime_get_ns", KV(4, 1)},
    [6] = {"trace_printk", KV(4, 1)},
    [7] = {"get_prandom_u32", KV(4, 1)},
    [8] = {"get_smp_processor_id", KV(4, 1)},
    [9] = {"skb_store_bytes", KV(4, 1)},
    [10] = {"l3_csum_replace", KV(4, 1)},
    [11] = {"l4_csum_replace", KV(4, 1)},
    [12] = {"tail_call", KV(4, 2)},
    [13] = {"clone_redirect", KV(4, 2)},
    [14] = {"get_current_pid_tgid", KV(4, 2)},
    [15] = {"get_current_uid_gid", KV(4, 2)},
    [16] = {"get_current_comm", KV(4, 2)},
    [17] = {"get_cgroup_classid", KV(4, 3)},
    [18] = {"skb_vlan_push", KV(4, 3)},
    [19] = {"skb_vlan_pop", KV(4, 3)},
    [20] = {"skb_get_tunnel_key", KV(4, 3)},
    [21] = {"skb_set_tunnel_key", KV(4, 3)},
    [22] = {"perf_event_read", KV(4, 3)},
    [23] = {"redirect", KV(4, 4)},
    [24] = {"get_route_realm", KV(4, 4)},
    [25] = {"perf_event_output", KV(4, 4)},
    [26] = {"skb_load_bytes", KV(4, 5)},
    [27] = {"get_stackid", KV(4, 6)},
    [28] = {"csum_diff", KV(4, 6)},
    [29] = {"skb_get_tunnel_opt", KV(4, 6)},
    [30] = {"skb_set_tunnel_opt", KV(4, 6)},
    [31] = {"skb_change_proto", KV(4, 8)},
    [32] = {"skb_change_type", KV(4, 8)},
    [33] = {"skb_under_cgroup", KV(4, 8)},
    [34] = {"get_hash_recalc", KV(4, 8)},
    [35] = {"get_current_task", KV(4, 8)},
    [36] = {"probe_write_user", KV(4, 8)},
    [37] = {"current_task_under_cgroup", KV(4, 9)},
    [38] = {"skb_change_tail", KV(4, 9)},
    [39] = {"skb_pull_data", KV(4, 9)},
    [40] = {"csum_update", KV(4, 9)},
    [41] = {"set_hash_invalid", KV(4, 9)},
    [42] = {"get_numa_node_id", KV(4, 10)},
    [43] = {"skb_change_head", KV(4, 10)},
    [44] = {"xdp_adjust_head", KV(4, 10)},
    [45] = {"probe_read_str", KV(4, 11)},
    [46] = {"get_socket_cookie", KV(4, 12)},
    [47] = {"get_socket_uid", KV(4, 12)},
    [48] = {"set_hash", KV(4, 13)},
    [49] = {"setsockopt", KV(4, 13)},
    [50] = {"skb_adjust_room", KV(4, 13)},
    [51] = {"redirect_map", KV(4, 14)},
    [52] = {"sk_redirect_map", KV(4, 14)},
    [53] = {"sock_map_update", KV(4, 14)},
    [54] = {"xdp_adjust_meta", KV(4, 15)},
    [55] = {"perf_event_read_value", KV(4, 15)},
    [56] = {"perf_prog_read_value", KV(4, 15)},
    [57] = {"getsockopt", KV(4, 15)},
    [58] = {"override_return", KV(4, 16)},
    [59] = {"sock_ops_cb_flags_set", KV(4, 16)},
    [60] = {"msg_redirect_map", KV(4, 17)},
    [61] = {"msg_apply_bytes", KV(4, 17)},
    [62] = {"msg_cork_bytes", KV(4, 17)},
    [63] = {"msg_pull_data", KV(4, 17)},
    [64] = {"bind", KV(4, 17)},
    [65] = {"xdp_adjust_tail", KV(4, 18)},
    [66] = {"skb_get_xfrm_state", KV(4, 18)},
    [67] = {"get_stack", KV(4, 18)},
    [68] = {"skb_load_bytes_relative", KV(4, 18)},
    [69] = {"fib_lookup", KV(4, 18)},
    [70] = {"sock_hash_update", KV(4, 18)},
    [71] = {"msg_redirect_hash", KV(4, 18)},
    [72] = {"sk_redirect_hash", KV(4, 18)},
    [73] = {"lwt_push_encap", KV(4, 18)},
    [74] = {"lwt_seg6_store_bytes", KV(4, 18)},
    [75] = {"lwt_seg6_adjust_srh", KV(4, 18)},
    [76] = {"lwt_seg6_action", KV(4, 18)},
    [77] = {"rc_repeat", KV(4, 18)},
    [78] = {"rc_keydown", KV(4, 18)},
    [79] = {"skb_cgroup_id", KV(4, 18)},
    [80] = {"get_current_cgroup_id", KV(4, 18)},
    [81] = {"get_local_storage", KV(4, 19)},
    [82] = {"sk_select_reuseport", KV(4, 19)},
    [83] = {"skb_ancestor_cgroup_id", KV(4, 19)},
    [84] = {"sk_lookup_tcp", KV(4, 20)},
    [85] = {"sk_lookup_udp", KV(4, 20)},
    [86] = {"sk_release", KV(4, 20)},
    [87] = {"map_push_elem", KV(4, 20)},
    [88] = {"map_pop_elem", KV(4, 20)},
    [89] = {"map_peek_elem", KV(4, 20)},
    [90] = {"msg_push_data", KV(4, 20)},
    [91] = {"msg_pop_data", KV(5, 0)},
    [92] = {"rc_pointer_rel", KV(5, 0)},
    [93] = {"spin_lock", KV(5, 1)},
    [94] = {"spin_unlock", KV(5, 1)},
    [95] = {"sk_fullsock", KV(5, 1)},
    [96] = {"tcp_sock", KV(5, 1)},
    [97] = {"skb_ecn_set_ce", KV(5, 1)},
    [98] = {"get_listener_sock", KV(5, 1)},
    [99] = {"skc_lookup_tcp", KV(5, 2)},
    [100] = {"tcp_check_syncookie", KV(5, 2)},
    [101] = {"sysctl_get_name", KV(5, 2)},
    [102] = {"sysctl_get_current_value", KV(5, 2)},
    [103] = {"sysctl_get_new_value", KV(5, 2)},
    [104] = {"sysctl_set_new_value", KV(5, 2)},
    [105] = {"strtol", KV(5, 2)},
    [106] = {"strtoul", KV(5, 2)},
    [107] = {"sk_storage_get", KV(5, 2)},
    [108] = {"sk_storage_delete", KV(5, 2)},
    [109] = {"send_signal", KV(5, 3)},
    [110] = {"tcp_gen_syncookie", KV(5, 3)},
    [111] = {"skb_output", KV(5, 5)},
    [112] = {"probe_read_user", KV(5, 5)},
    [113] = {"probe_read_kernel", KV(5, 5)},
    [114] = {"probe_read_user_str", KV(5, 5)},
    [115] = {"probe_read_kernel_str", KV(5, 5)},
    [116] = {"tcp_send_ack", KV(5, 5)},
    [117] = {"send_signal_thread", KV(5, 5)},
    [118] = {"jiffies64", KV(5, 5)},
    [119] = {"read_branch_records", KV(5, 6)},
    [120] = {"get_ns_current_pid_tgid", KV(5, 6)},
    [121] = {"xdp_output", KV(5, 6)},
    [122] = {"get_netns_cookie", KV(5, 7)},
    [123] = {"get_current_ancestor_cgroup_id", KV(5, 7)},
    [124] = {"sk_assign", KV(5, 7)},
    [125] = {"ktime_get_boot_ns", KV(5, 7)},
    [126] = {"seq_printf", KV(5, 7)},
    [127] = {"seq_write", KV(5, 7)},
    [128] = {"sk_cgroup_id", KV(5, 7)},
    [129] = {"sk_ancestor_cgroup_id", KV(5, 7)},
    [130] = {"ringbuf_output", KV(5, 8)},
    [131] = {"ringbuf_reserve", KV(5, 8)},
    [132] = {"ringbuf_submit", KV(5, 8)},
    [133] = {"ringbuf_discard", KV(5, 8)},
    [134] = {"ringbuf_query", KV(5, 8)},
    [135] = {"csum_level", KV(5, 8)},
    [136] = {"skc_to_tcp6_sock", KV(5, 9)},
    [137] = {"skc_to_tcp_sock", KV(5, 9)},
    [138] = {"skc_to_tcp_timewait_sock", KV(5, 9)},
    [139] = {"skc_to_tcp_request_sock", KV(5, 9)},
    [140] = {"skc_to_udp6_sock", KV(5, 9)},
    [141] = {"get_task_stack", KV(5, 9)},
    [142] = {"load_hdr_opt", KV(5, 10)},
    [143] = {"store_hdr_opt", KV(5, 10)},
    [144] = {"reserve_hdr_opt", KV(5, 10)},
    [145] = {"inode_storage_get", KV(5, 10)},
    [146] = {"inode_storage_delete", KV(5, 10)},
    [147] = {"d_path", KV(5, 10)},
    [148] = {"copy_from_user", KV(5, 10)},
    [149] = {"snprintf_btf", KV(5, 10)},
    [150] = {"seq_printf_btf", KV(5, 10)},
    [151] = {"skb_cgroup_classid", KV(5, 10)},
    [152] = {"redirect_neigh", KV(5, 10)},
    [153] = {"per_cpu_ptr", KV(5, 10)},
    [154] = {"this_cpu_ptr", KV(5, 10)},
    [155] = {"redirect_peer", KV(5, 10)},
    [156] = {"task_storage_get", KV(5, 11)},
    [157] = {"task_storage_delete", KV(5, 11)},
    [158] = {"get_current_task_btf", KV(5, 11)},
    [159] = {"bprm_opts_set", KV(5, 11)},
    [160] = {"ktime_get_coarse_ns", KV(5, 11)},
    [161] = {"ima_inode_hash", KV(5, 11)},
    [162] = {"sock_from_file", KV(5, 11)},
    [163] = {"check_mtu", KV(5, 12)},
    [164] = {"for_each_map_elem", KV(5, 13)},
    [165] = {"snprintf", KV(5, 13)},
    [166] = {"sys_bpf", KV(5, 14)},
    [167] = {"btf_find_by_name_kind", KV(5, 14)},
    [168] = {"sys_close", KV(5, 14)},
    [169] = {"timer_init", KV(5, 15)},
    [170] = {"timer_set_callback", KV(5, 15)},
    [171] = {"timer_start", KV(5, 15)},
    [172] = {"timer_cancel", KV(5, 15)},
    [173] = {"get_func_ip", KV(5, 15)},
    [174] = {"get_attach_cookie", KV(5, 15)},
    [175] = {"task_pt_regs", KV(5, 15)},
    [176] = {"get_branch_snapshot", KV(5, 16)},
    [177] = {"trace_vprintk", KV(5, 16)},
    [178] = {"skc_to_unix_sock", KV(5, 16)},
    [179] = {"kallsyms_lookup_name", KV(5, 16)},
    [180] = {"find_vma", KV(5, 17)},
    [181] = {"loop", KV(5, 17)},
    [182] = {"strncmp", KV(5, 17)},
    [183] = {"get_func_arg", KV(5, 17)},
    [184] = {"get_func_ret", KV(5, 17)},
    [185] = {"get_func_arg_cnt", KV(5, 17)},
    [186] = {"get_retval", KV(5, 18)},
    [187] = {"set_retval", KV(5, 18)},
    [188] = {"xdp_get_buff_len", KV(5, 18)},
    [189] = {"xdp_load_bytes", KV(5, 18)},
    [190] = {"xdp_store_bytes", KV(5, 18)},
    [191] = {"copy_from_user_task", KV(5, 18)},
    [192] = {"skb_set_tstamp", KV(5, 18)},
    [193] = {"ima_file_hash", KV(5, 18)},
    [194] = {"kptr_xchg", KV(5, 19)},
    [195] = {"map_lookup_percpu_elem", KV(5, 19)},
    [196] = {"skc_to_mptcp_sock", KV(5, 19)},
    [197] = {"dynptr_from_mem", KV(5, 19)},
    [198] = {"ringbuf_reserve_dynptr", KV(5, 19)},
    [199] = {"ringbuf_submit_dynptr", KV(5, 19)},
    [200] = {"ringbuf_discard_dynptr", KV(5, 19)},
    [201] = {"dynptr_read", KV(5, 19)},
    [202] = {"dynptr_write", KV(5, 19)},
    [203] = {"dynptr_data", KV(5, 19)},
    [204] = {"tcp_raw_gen_syncookie_ipv4", KV(6, 0)},
    [205] = {"tcp_raw_gen_syncookie_ipv6", KV(6, 0)},
    [206] = {"tcp_raw_check_syncookie_ipv4", KV(6, 0)},
    [207] = {"tcp_raw_check_syncookie_ipv6", KV(6, 0)},
    [208] = {"ktime_get_tai_ns", KV(6, 1)},
    [209] = {"user_ringbuf_drain", KV(6, 1)},
};

/* Map type (enum bpf_map_type value) -> name -> first kernel release. */
static const struct kver map_types[] = {
    [0] = {"UNSPEC", 0xffff},
    [1] = {"HASH", KV(3, 19)},
    [2] = {"ARRAY", KV(3, 19)},
    [3] = {"PROG_ARRAY", KV(4, 2)},
    [4] = {"PERF_EVENT_ARRAY", KV(4, 3)},
    [5] = {"PERCPU_HASH", KV(4, 6)},
    [6] = {"PERCPU_ARRAY", KV(4, 6)},
    [7] = {"STACK_TRACE", KV(4, 6)},
    [8] = {"CGROUP_ARRAY", KV(4, 8)},
    [9] = {"LRU_HASH", KV(4, 10)},
    [10] = {"LRU_PERCPU_HASH", KV(4, 10)},
    [11] = {"LPM_TRIE", KV(4, 11)},
    [12] = {"ARRAY_OF_MAPS", KV(4, 12)},
    [13] = {"HASH_OF_MAPS", KV(4, 12)},
    [14] = {"DEVMAP", KV(4, 14)},
    [15] = {"SOCKMAP", KV(4, 14)},
    [16] = {"CPUMAP", KV(4, 15)},
    [17] = {"XSKMAP", KV(4, 18)},
    [18] = {"SOCKHASH", KV(4, 18)},
    [19] = {"CGROUP_STORAGE", KV(4, 19)},
    [20] = {"REUSEPORT_SOCKARRAY", KV(4, 19)},
    [21] = {"PERCPU_CGROUP_STORAGE", KV(4, 20)},
    [22] = {"QUEUE", KV(4, 20)},
    [23] = {"STACK", KV(4, 20)},
    [24] = {"SK_STORAGE", KV(5, 2)},
    [25] = {"DEVMAP_HASH", KV(5, 4)},
    [26] = {"STRUCT_OPS", KV(5, 6)},
    [27] = {"RINGBUF", KV(5, 8)},
    [28] = {"INODE_STORAGE", KV(5, 10)},
    [29] = {"TASK_STORAGE", KV(5, 11)},
    [30] = {"BLOOM_FILTER", KV(5, 16)},
    [31] = {"USER_RINGBUF", KV(6, 1)},
    [32] = {"CGRP_STORAGE", KV(6, 2)},
};

/* Feature-probe guards the loader implements (see the header comment). */
struct guard {
	const char *marker;
	unsigned short kv;
	const char *probe;
};

static const struct guard guards[] = {
    {"_v55", KV(5, 5), "bpf_probe_read_user helper probe"},
};

/* Section name prefixes libbpf loads as kprobe, tracepoint or perf_event. */
static const char *const prog_prefixes[] = {
    "kprobe/", "kretprobe/", "ksyscall/", "kretsyscall/", "tracepoint/", "tp/", "perf_event",
};

struct sec {
	const char *name;
	GElf_Shdr sh;
	Elf_Data *data;
	Elf_Data *rel; /* .rel<name>, if any */
	size_t nrel;
};

struct obj {
	const char *path;
	char stem[256];
	Elf *elf;
	struct sec *secs;
	size_t nsecs;
	Elf_Data *symtab;
	size_t nsyms;
	size_t strtab_idx;
	int bad;
	int guarded; /* named with -G: loaded only after the _v55 probe */
	/* summary */
	unsigned nprogs, max_insns;
	const char *max_prog;
	unsigned char helper_used[HELPER_MAX_ID];
};

static void violation(struct obj *o, const char *prog, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void violation(struct obj *o, const char *prog, const char *rule, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: %s: ", o->path, prog, rule);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	o->bad = 1;
}

static const char *kv_str(unsigned kv, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", kv >> 8, kv & 0xff);
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The guard that covers program `prog` of section `sec`, or NULL. */
static const struct guard *find_guard(const struct obj *o, const char *sec, const char *prog,
				      const char **where)
{
	const char *last = strrchr(sec, '/');

	last = last ? last + 1 : sec;
	if (o->guarded) {
		*where = "object (-G)";
		return &guards[0];
	}
	for (size_t i = 0; i < ARRAY_SIZE(guards); i++) {
		const char *m = guards[i].marker;
		char alt[32];

		if (ends_with(prog, m)) {
			*where = "program name";
			return &guards[i];
		}
		if (ends_with(last, m)) {
			*where = "section name";
			return &guards[i];
		}
		if (ends_with(o->stem, m)) {
			*where = "object name";
			return &guards[i];
		}
		/* -v55 and .v55 on the object name */
		snprintf(alt, sizeof(alt), "-%s", m + 1);
		if (ends_with(o->stem, alt)) {
			*where = "object name";
			return &guards[i];
		}
		snprintf(alt, sizeof(alt), ".%s", m + 1);
		if (ends_with(o->stem, alt)) {
			*where = "object name";
			return &guards[i];
		}
	}
	return NULL;
}

static const struct guard *object_guard(const struct obj *o)
{
	const char *where;

	return find_guard(o, "", "", &where);
}

static int sym_get(const struct obj *o, size_t idx, GElf_Sym *sym)
{
	if (!o->symtab || idx >= o->nsyms)
		return -1;
	return gelf_getsym(o->symtab, (int)idx, sym) ? 0 : -1;
}

static const char *sym_name(const struct obj *o, const GElf_Sym *sym)
{
	const char *n = elf_strptr(o->elf, o->strtab_idx, sym->st_name);

	return n ? n : "";
}

static const char *sec_name_of(const struct obj *o, size_t shndx)
{
	if (shndx == SHN_UNDEF)
		return "(extern)";
	if (shndx >= o->nsecs || !o->secs[shndx].name)
		return "(special)";
	return o->secs[shndx].name;
}

static int is_global_data_sec(const char *name)
{
	return strcmp(name, ".data") == 0 || strcmp(name, ".bss") == 0 ||
	       strcmp(name, ".rodata") == 0 || strcmp(name, ".kconfig") == 0 ||
	       strcmp(name, ".ksyms") == 0 || starts_with(name, ".data.") ||
	       starts_with(name, ".bss.") || starts_with(name, ".rodata.") ||
	       starts_with(name, ".rodata");
}

static int is_prog_sec(const struct sec *s)
{
	return s->name && (s->sh.sh_flags & SHF_EXECINSTR) && s->sh.sh_size > 0 &&
	       strcmp(s->name, ".text") != 0;
}

static int prog_type_ok(const char *sec)
{
	for (size_t i = 0; i < ARRAY_SIZE(prog_prefixes); i++) {
		const char *p = prog_prefixes[i];
		size_t n = strlen(p);

		if (strncmp(sec, p, n) == 0)
			return 1;
		/* "kprobe" alone (target given at attach time) */
		if (p[n - 1] == '/' && strlen(sec) == n - 1 && strncmp(sec, p, n - 1) == 0)
			return 1;
	}
	return 0;
}

/* Name of the relocation target at byte offset `off` of section `s`, or NULL. */
static const GElf_Rel *rel_at(const struct sec *s, GElf_Xword off, GElf_Rel *buf)
{
	for (size_t i = 0; i < s->nrel; i++) {
		if (!gelf_getrel(s->rel, (int)i, buf))
			continue;
		if (buf->r_offset == off)
			return buf;
	}
	return NULL;
}

static const char *rel_target(const struct obj *o, const GElf_Rel *r, char *buf, size_t len);

/* Name of the function at byte offset `off` of section `shndx`, or NULL. */
static const char *func_at(const struct obj *o, size_t shndx, GElf_Addr off)
{
	GElf_Sym sym;

	for (size_t k = 0; k < o->nsyms; k++)
		if (sym_get(o, k, &sym) == 0 && sym.st_shndx == shndx &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_value == off)
			return sym_name(o, &sym);
	return NULL;
}

/* Callee of the BPF-to-BPF call `in` relocated by `r`. */
static const char *call_target(const struct obj *o, const GElf_Rel *r, const struct bpf_insn *in,
			       char *buf, size_t len)
{
	GElf_Sym sym;
	const char *f;

	if (sym_get(o, GELF_R_SYM(r->r_info), &sym) < 0)
		return "?";
	if (GELF_ST_TYPE(sym.st_info) != STT_SECTION)
		return rel_target(o, r, buf, len);
	f = func_at(o, sym.st_shndx, sym.st_value + ((GElf_Addr)in->imm + 1) * INSN_SIZE);
	snprintf(buf, len, "%s (%s)", f ? f : "?", sec_name_of(o, sym.st_shndx));
	return buf;
}

static const char *rel_target(const struct obj *o, const GElf_Rel *r, char *buf, size_t len)
{
	GElf_Sym sym;
	const char *n;

	if (sym_get(o, GELF_R_SYM(r->r_info), &sym) < 0)
		return "?";
	n = sym_name(o, &sym);
	if (GELF_ST_TYPE(sym.st_info) == STT_SECTION || !*n)
		snprintf(buf, len, "%s", sec_name_of(o, sym.st_shndx));
	else
		snprintf(buf, len, "%s (%s)", n, sec_name_of(o, sym.st_shndx));
	return buf;
}

/* Depth-first walk of the control-flow graph, as the kernel's check_cfg()
 * does before 5.3: an edge to an instruction still on the DFS stack is a
 * back-edge (a loop), an instruction never reached is rejected too.  A jump
 * to a lower address is not a loop by itself: clang often places shared exit
 * blocks before the code that jumps to them. */
static void check_cfg(struct obj *o, const char *prog, const struct bpf_insn *insns, size_t n)
{
	unsigned char *state = calloc(n ? n : 1, 1); /* 0 new, 1 on stack, 2 done */
	size_t *stack = calloc(n ? n : 1, sizeof(*stack));
	unsigned char *next = calloc(n ? n : 1, 1); /* edges of the node already taken */
	size_t sp = 0, loops = 0, unreachable = 0, first_un = 0;

	if (!state || !stack || !next) {
		violation(o, prog, "read", "out of memory");
		goto out;
	}
	if (!n)
		goto out;
	stack[sp++] = 0;
	state[0] = 1;
	while (sp) {
		size_t t = stack[sp - 1];
		const struct bpf_insn *in = &insns[t];
		unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		long edges[2];
		int ne = 0;

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (t + 1 < n)
				state[t + 1] = 2;
			edges[ne++] = (long)t + 2;
		} else if ((cls == BPF_JMP || cls == 0x06) && op == BPF_EXIT) {
			/* no successor */
		} else if ((cls == BPF_JMP || cls == 0x06) && op == BPF_CALL) {
			edges[ne++] = (long)t + 1;
		} else if ((cls == BPF_JMP || cls == 0x06) && op == BPF_JA) {
			edges[ne++] = (long)t + 1 + (cls == 0x06 ? in->imm : in->off);
		} else if (cls == BPF_JMP || cls == 0x06) {
			edges[ne++] = (long)t + 1;
			edges[ne++] = (long)t + 1 + in->off;
		} else {
			edges[ne++] = (long)t + 1;
		}
		if (next[t] < ne) {
			long w = edges[next[t]++];

			if (w < 0 || w >= (long)n)
				continue; /* reported as "jump" (or falls off the end) */
			if (state[w] == 1) {
				if (!loops++)
					violation(o, prog, "loop",
						  "back-edge from insn %zu to insn %ld (loop)", t,
						  w);
			} else if (state[w] == 0) {
				state[w] = 1;
				stack[sp++] = (size_t)w;
			}
			continue;
		}
		state[t] = 2;
		sp--;
	}
	if (loops > 1)
		violation(o, prog, "loop", "%zu back-edges in all", loops);
	for (size_t i = 0; i < n; i++) {
		if (state[i])
			continue;
		if (!unreachable++)
			first_un = i;
	}
	if (unreachable)
		violation(o, prog, "unreachable", "%zu unreachable instructions, first at insn %zu",
			  unreachable, first_un);
out:
	free(state);
	free(stack);
	free(next);
}

static void check_prog(struct obj *o, size_t si, const char *prog, GElf_Addr start, GElf_Addr end)
{
	const struct sec *s = &o->secs[si];
	const struct bpf_insn *insns =
	    (const struct bpf_insn *)((const char *)s->data->d_buf + start);
	size_t n = (size_t)(end - start) / INSN_SIZE;
	unsigned char used[HELPER_MAX_ID] = {0};
	unsigned bad_calls[HELPER_MAX_ID] = {0};
	size_t bad_first[HELPER_MAX_ID] = {0};
	const char *where = NULL;
	const struct guard *g = find_guard(o, s->name, prog, &where);
	unsigned jmp32 = 0;
	char b1[16], b2[16], tb[300];
	GElf_Rel rb;

	o->nprogs++;
	if (n > o->max_insns || !o->max_prog) {
		o->max_insns = (unsigned)n;
		o->max_prog = prog;
	}
	if (!prog_type_ok(s->name))
		violation(o, prog, "prog-type",
			  "section '%s' is not kprobe/, kretprobe/, tracepoint/, tp/ or perf_event",
			  s->name);
	if (n > MAX_INSN_SLOTS)
		violation(o, prog, "insns", "%zu instruction slots > %d (ld_imm64 counts 2)", n,
			  MAX_INSN_SLOTS);

	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &insns[i];
		unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (in->src_reg == PSEUDO_FUNC)
				violation(o, prog, "bpf2bpf", "insn %zu: address of function %s", i,
					  rel_at(s, start + i * INSN_SIZE, &rb)
					      ? rel_target(o, &rb, tb, sizeof(tb))
					      : "?");
			i++; /* second slot */
			continue;
		}
		if (cls == BPF_STX && BPF_MODE(in->code) == 0xc0 && in->imm != BPF_ADD)
			violation(o, prog, "isa", "insn %zu: atomic op 0x%x (5.12+)", i,
				  (unsigned)in->imm);
		if ((cls == BPF_LDX) && BPF_MODE(in->code) == 0x80)
			violation(o, prog, "isa", "insn %zu: sign-extending load (cpu v4, 6.6+)",
				  i);
		if ((cls == BPF_ALU || cls == BPF_ALU64) && in->off != 0 &&
		    (op == BPF_DIV || op == BPF_MOD || op == BPF_MOV))
			violation(o, prog, "isa",
				  "insn %zu: signed div/mod or movsx (cpu v4, 6.6+)", i);
		if (cls == BPF_ALU64 && op == BPF_END)
			violation(o, prog, "isa", "insn %zu: bswap (cpu v4, 6.6+)", i);
		if (cls != BPF_JMP && cls != 0x06 /* BPF_JMP32 */)
			continue;
		if (cls == 0x06)
			jmp32++;
		if (op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			if (in->src_reg == PSEUDO_CALL) {
				violation(o, prog, "bpf2bpf", "insn %zu: call to %s", i,
					  rel_at(s, start + i * INSN_SIZE, &rb)
					      ? call_target(o, &rb, in, tb, sizeof(tb))
					      : "a subprogram in this section");
			} else if (in->src_reg == PSEUDO_KFUNC) {
				violation(o, prog, "kfunc", "insn %zu: kernel function call", i);
			} else if (in->imm <= 0 || in->imm >= HELPER_MAX_ID ||
				   !helpers[in->imm].name) {
				violation(o, prog, "helper", "insn %zu: unknown helper id %d", i,
					  in->imm);
			} else {
				const struct kver *h = &helpers[in->imm];

				o->helper_used[in->imm] = 1;
				if (h->kv <= KV_BASE)
					continue;
				if (g && h->kv <= g->kv) {
					used[in->imm] = 1;
					continue;
				}
				if (!bad_calls[in->imm]++)
					bad_first[in->imm] = i;
			}
			continue;
		}
		{
			long target =
			    (long)i + 1 + ((cls == 0x06 && op == BPF_JA) ? in->imm : in->off);

			if (target < 0 || target >= (long)n)
				violation(o, prog, "jump",
					  "insn %zu: target %ld outside the program", i, target);
		}
	}
	check_cfg(o, prog, insns, n);
	if (jmp32)
		violation(o, prog, "isa",
			  "%u JMP32 instructions (5.1+): compile with -mcpu=v1 or v2", jmp32);
	for (int id = 1; id < HELPER_MAX_ID; id++) {
		if (!bad_calls[id])
			continue;
		if (g)
			violation(o, prog, "helper",
				  "bpf_%s (id %d, %u calls, first at insn %zu) needs %s, more than "
				  "its guard %s allows",
				  helpers[id].name, id, bad_calls[id], bad_first[id],
				  kv_str(helpers[id].kv, b1, sizeof(b1)), g->marker);
		else
			violation(o, prog, "helper",
				  "bpf_%s (id %d, %u calls, first at insn %zu) needs %s > %s and "
				  "is not behind a feature probe (no _v55 marker)",
				  helpers[id].name, id, bad_calls[id], bad_first[id],
				  kv_str(helpers[id].kv, b1, sizeof(b1)),
				  kv_str(KV_BASE, b2, sizeof(b2)));
	}

	/* relocations of this program */
	for (size_t r = 0; r < s->nrel; r++) {
		GElf_Rel rel;
		GElf_Sym sym;
		const char *tsec;

		if (!gelf_getrel(s->rel, (int)r, &rel) || rel.r_offset < start ||
		    rel.r_offset >= end)
			continue;
		if (sym_get(o, GELF_R_SYM(rel.r_info), &sym) < 0)
			continue;
		tsec = sec_name_of(o, sym.st_shndx);
		if (sym.st_shndx == SHN_UNDEF) {
			violation(o, prog, "global-data",
				  "insn %zu: extern symbol %s (.kconfig/.ksyms)",
				  (size_t)(rel.r_offset - start) / INSN_SIZE, sym_name(o, &sym));
		} else if (is_global_data_sec(tsec)) {
			violation(o, prog, "global-data", "insn %zu: uses %s",
				  (size_t)(rel.r_offset - start) / INSN_SIZE,
				  rel_target(o, &rel, tb, sizeof(tb)));
		} else if (sym.st_shndx < o->nsecs &&
			   (o->secs[sym.st_shndx].sh.sh_flags & SHF_EXECINSTR)) {
			const struct bpf_insn *in =
			    &insns[(size_t)(rel.r_offset - start) / INSN_SIZE];

			/* calls and function addresses were reported above */
			if (!(in->code == (BPF_JMP | BPF_CALL) && in->src_reg == PSEUDO_CALL) &&
			    !(in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			      in->src_reg == PSEUDO_FUNC))
				violation(o, prog, "bpf2bpf", "insn %zu: reference to code %s",
					  (size_t)(rel.r_offset - start) / INSN_SIZE,
					  rel_target(o, &rel, tb, sizeof(tb)));
		}
	}

	if (g) {
		char line[1024];
		size_t len = 0;

		for (int id = 1; id < HELPER_MAX_ID; id++) {
			if (!used[id])
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%sbpf_%s (%s)",
						len ? ", " : "", helpers[id].name,
						kv_str(helpers[id].kv, b1, sizeof(b1)));
			if (len >= sizeof(line))
				break;
		}
		if (len)
			printf(
			    "%s: %s: guarded: %s, allowed by marker %s on the %s: loader loads it "
			    "only after the %s\n",
			    o->path, prog, line, g->marker, where, g->probe);
	}
}

/* Map definitions: BTF-defined (.maps) and legacy (maps). */
static void check_maps(struct obj *o)
{
	const struct guard *g = object_guard(o);
	unsigned limit = g ? g->kv : KV_BASE;
	struct btf *btf;
	char b1[16], b2[16], where[300];

	for (size_t i = 0; i < o->nsecs; i++) {
		const struct sec *s = &o->secs[i];
		GElf_Sym sym;

		if (!s->name || strcmp(s->name, "maps") != 0 || !s->data || !s->data->d_buf)
			continue;
		for (size_t k = 0; k < o->nsyms; k++) {
			unsigned type;

			if (sym_get(o, k, &sym) < 0 || sym.st_shndx != i ||
			    GELF_ST_TYPE(sym.st_info) == STT_SECTION ||
			    sym.st_value + 4 > s->data->d_size)
				continue;
			memcpy(&type, (const char *)s->data->d_buf + sym.st_value, 4);
			snprintf(where, sizeof(where), "maps/%s", sym_name(o, &sym));
			if (type >= ARRAY_SIZE(map_types))
				violation(o, where, "map-type", "unknown map type %u", type);
			else if (map_types[type].kv > limit)
				violation(o, where, "map-type", "%s (%u) needs %s > %s",
					  map_types[type].name, type,
					  kv_str(map_types[type].kv, b1, sizeof(b1)),
					  kv_str(limit, b2, sizeof(b2)));
		}
	}

	btf = btf__parse_elf(o->path, NULL);
	if (!btf) {
		for (size_t i = 0; i < o->nsecs; i++)
			if (o->secs[i].name && strcmp(o->secs[i].name, ".maps") == 0)
				violation(o, ".maps", "map-type", "cannot read the .maps BTF: %s",
					  strerror(errno));
		return;
	}
	{
		int id = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
		const struct btf_type *ds = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
		const struct btf_var_secinfo *vs = ds ? btf_var_secinfos(ds) : NULL;

		for (int k = 0; ds && k < btf_vlen(ds); k++) {
			const struct btf_type *var = btf__type_by_id(btf, vs[k].type);
			const char *mname = btf__name_by_offset(btf, var->name_off);
			int sid = btf__resolve_type(btf, var->type);
			const struct btf_type *st =
			    sid > 0 ? btf__type_by_id(btf, (__u32)sid) : NULL;
			const struct btf_member *m;
			int found = 0;

			snprintf(where, sizeof(where), ".maps/%s", mname ? mname : "?");
			if (!st || !btf_is_struct(st)) {
				violation(o, where, "map-type", "definition is not a struct");
				continue;
			}
			m = btf_members(st);
			for (int j = 0; j < btf_vlen(st); j++, m++) {
				const char *fn = btf__name_by_offset(btf, m->name_off);
				const struct btf_type *pt, *at;
				unsigned type;

				if (!fn || strcmp(fn, "type") != 0)
					continue;
				found = 1;
				pt = btf__type_by_id(btf, m->type);
				at = pt && btf_is_ptr(pt) ? btf__type_by_id(btf, pt->type) : NULL;
				if (!at || !btf_is_array(at)) {
					violation(o, where, "map-type",
						  "`type` is not __uint(type, ...)");
					break;
				}
				type = btf_array(at)->nelems;
				if (type >= ARRAY_SIZE(map_types))
					violation(o, where, "map-type", "unknown map type %u",
						  type);
				else if (map_types[type].kv > limit)
					violation(o, where, "map-type", "%s (%u) needs %s > %s",
						  map_types[type].name, type,
						  kv_str(map_types[type].kv, b1, sizeof(b1)),
						  kv_str(limit, b2, sizeof(b2)));
				break;
			}
			if (!found)
				violation(o, where, "map-type", "no map type given");
		}
	}
	btf__free(btf);
}

static int load_obj(struct obj *o)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_kind(o->elf) != ELF_K_ELF || elf_getshdrstrndx(o->elf, &shstrndx) != 0 ||
	    elf_getshdrnum(o->elf, &o->nsecs) != 0) {
		violation(o, "-", "read", "not an ELF object");
		return -1;
	}
	{
		GElf_Ehdr eh;

		if (!gelf_getehdr(o->elf, &eh) || eh.e_machine != EM_BPF) {
			violation(o, "-", "read", "not a BPF ELF object (e_machine != EM_BPF)");
			return -1;
		}
	}
	o->secs = calloc(o->nsecs, sizeof(*o->secs));
	if (!o->secs) {
		violation(o, "-", "read", "out of memory");
		return -1;
	}
	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		size_t idx = elf_ndxscn(scn);
		struct sec *s;

		if (idx >= o->nsecs)
			continue;
		s = &o->secs[idx];
		if (!gelf_getshdr(scn, &s->sh))
			continue;
		s->name = elf_strptr(o->elf, shstrndx, s->sh.sh_name);
		s->data = elf_getdata(scn, NULL);
		if (s->sh.sh_type == SHT_SYMTAB) {
			o->symtab = s->data;
			o->nsyms = s->sh.sh_entsize ? s->sh.sh_size / s->sh.sh_entsize : 0;
			o->strtab_idx = s->sh.sh_link;
		}
	}
	for (size_t i = 0; i < o->nsecs; i++) {
		struct sec *s = &o->secs[i];

		if (s->sh.sh_type == SHT_REL && s->sh.sh_info < o->nsecs && s->sh.sh_entsize) {
			o->secs[s->sh.sh_info].rel = s->data;
			o->secs[s->sh.sh_info].nrel = s->sh.sh_size / s->sh.sh_entsize;
		}
	}
	return 0;
}

static void check_obj(struct obj *o)
{
	char b1[16];

	check_maps(o);

	/* global data present at all: libbpf makes it an internal map */
	for (size_t i = 0; i < o->nsecs; i++) {
		const struct sec *s = &o->secs[i];

		if (s->name && (s->sh.sh_flags & SHF_ALLOC) && s->sh.sh_size > 0 &&
		    is_global_data_sec(s->name))
			violation(o, s->name, "global-data",
				  "section %s holds %llu bytes: libbpf would create an internal "
				  "map (5.2+)",
				  s->name, (unsigned long long)s->sh.sh_size);
	}

	for (size_t i = 0; i < o->nsecs; i++) {
		const struct sec *s = &o->secs[i];
		int nfunc = 0;

		if (!is_prog_sec(s))
			continue;
		if (!s->data || !s->data->d_buf || s->data->d_size != s->sh.sh_size) {
			violation(o, s->name, "read", "cannot read section data");
			continue;
		}
		for (size_t k = 0; k < o->nsyms; k++) {
			GElf_Sym sym;

			if (sym_get(o, k, &sym) < 0 || sym.st_shndx != i ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size == 0)
				continue;
			if (sym.st_value + sym.st_size > s->sh.sh_size) {
				violation(o, sym_name(o, &sym), "read",
					  "symbol outside its section");
				continue;
			}
			nfunc++;
			check_prog(o, i, sym_name(o, &sym), sym.st_value,
				   sym.st_value + sym.st_size);
		}
		if (!nfunc)
			check_prog(o, i, s->name, 0, s->sh.sh_size);
	}

	printf("%s: summary: %u programs, max %u insn slots%s%s%s, helpers:", o->path, o->nprogs,
	       o->max_insns, o->max_prog ? " (" : "", o->max_prog ? o->max_prog : "",
	       o->max_prog ? ")" : "");
	{
		int any = 0;

		for (int id = 1; id < HELPER_MAX_ID; id++) {
			if (!o->helper_used[id])
				continue;
			printf("%s %s(%d,%s)", any ? "," : "", helpers[id].name, id,
			       kv_str(helpers[id].kv, b1, sizeof(b1)));
			any = 1;
		}
		if (!any)
			printf(" none");
	}
	printf("%s\n", o->bad ? " [FAIL]" : " [ok]");
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr,
			"usage: %s [-G] BPF_OBJECT...\n"
			"  -G OBJ  OBJ is loaded only after the loader's %s (like an\n"
			"          object named *%s.bpf.o)\n",
			argv[0], guards[0].probe, guards[0].marker);
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "compat-check: libelf: %s\n", elf_errmsg(-1));
		return 2;
	}
	libbpf_set_print(NULL);
	for (int a = 1; a < argc; a++) {
		struct obj o;
		const char *base;
		int fd;

		memset(&o, 0, sizeof(o));
		if (strcmp(argv[a], "-G") == 0) {
			if (++a >= argc) {
				fprintf(stderr, "compat-check: -G needs an object\n");
				return 2;
			}
			o.guarded = 1;
		}
		base = strrchr(argv[a], '/');
		o.path = argv[a];
		snprintf(o.stem, sizeof(o.stem), "%s", base ? base + 1 : argv[a]);
		if (ends_with(o.stem, ".o"))
			o.stem[strlen(o.stem) - 2] = '\0';
		if (ends_with(o.stem, ".bpf"))
			o.stem[strlen(o.stem) - 4] = '\0';
		fd = open(o.path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			violation(&o, "-", "read", "cannot open: %s", strerror(errno));
			rc = 1;
			continue;
		}
		o.elf = elf_begin(fd, ELF_C_READ, NULL);
		if (!o.elf) {
			violation(&o, "-", "read", "libelf: %s", elf_errmsg(-1));
		} else if (load_obj(&o) == 0) {
			check_obj(&o);
		}
		if (o.bad)
			rc = 1;
		free(o.secs);
		if (o.elf)
			elf_end(o.elf);
		close(fd);
	}
	fflush(stdout);
	return rc;
}
