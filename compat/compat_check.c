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
 *                a helper id helpers_table.c does not know.
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
 *
 * This file holds main, the option parsing, the order in which the rules are
 * applied to an object and to each of its programs, and the output lines.
 * The rules are in check_rules.c, ELF loading in check_elf.c, the helper and
 * map type tables in helpers_table.c and map_types_table.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "compat_check.h"

void violation(struct obj *o, const char *prog, const char *rule, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: %s: ", o->path, prog, rule);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	o->bad = 1;
}

const char *kv_str(unsigned kv, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", kv >> 8, kv & 0xff);
	return buf;
}

/* Every rule on the program at bytes [start, end) of section `si`. */
static void check_prog(struct obj *o, size_t si, const char *name, GElf_Addr start, GElf_Addr end)
{
	struct prog p;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.sec = &o->secs[si];
	p.start = start;
	p.end = end;
	p.insns = (const struct bpf_insn *)((const char *)p.sec->data->d_buf + start);
	p.n = (size_t)(end - start) / INSN_SIZE;
	p.guard = find_guard(o, p.sec->name, name, &p.guard_where);

	o->nprogs++;
	if (p.n > o->max_insns || !o->max_prog) {
		o->max_insns = (unsigned)p.n;
		o->max_prog = name;
	}
	check_prog_type(o, &p);
	check_insn_count(o, &p);
	check_insns(o, &p);
	check_loops(o, &p);
	check_jmp32(o, &p);
	check_helper_versions(o, &p);
	check_relocations(o, &p);
	report_guarded_helpers(o, &p);
}

/* The programs of code section `i`: each function symbol, or else the
 * whole section. */
static void check_sec_progs(struct obj *o, size_t i)
{
	const struct sec *s = &o->secs[i];
	int nfunc = 0;

	if (!s->data || !s->data->d_buf || s->data->d_size != s->sh.sh_size) {
		violation(o, s->name, "read", "cannot read section data");
		return;
	}
	for (size_t k = 0; k < o->nsyms; k++) {
		GElf_Sym sym;

		if (sym_get(o, k, &sym) < 0 || sym.st_shndx != i ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size == 0)
			continue;
		if (sym.st_value + sym.st_size > s->sh.sh_size) {
			violation(o, sym_name(o, &sym), "read", "symbol outside its section");
			continue;
		}
		nfunc++;
		check_prog(o, i, sym_name(o, &sym), sym.st_value, sym.st_value + sym.st_size);
	}
	if (!nfunc)
		check_prog(o, i, s->name, 0, s->sh.sh_size);
}

/* The `summary` line: programs, largest program, helpers used. */
static void print_summary(const struct obj *o)
{
	char b1[16];
	int any = 0;

	printf("%s: summary: %u programs, max %u insn slots%s%s%s, helpers:", o->path, o->nprogs,
	       o->max_insns, o->max_prog ? " (" : "", o->max_prog ? o->max_prog : "",
	       o->max_prog ? ")" : "");
	for (int id = 1; id < HELPER_MAX_ID; id++) {
		if (!o->helper_used[id])
			continue;
		printf("%s %s(%d,%s)", any ? "," : "", helpers[id].name, id,
		       kv_str(helpers[id].kv, b1, sizeof(b1)));
		any = 1;
	}
	if (!any)
		printf(" none");
	printf("%s\n", o->bad ? " [FAIL]" : " [ok]");
}

static void check_obj(struct obj *o)
{
	check_map_types(o);
	check_global_data_sections(o);
	for (size_t i = 0; i < o->nsecs; i++)
		if (is_prog_sec(&o->secs[i]))
			check_sec_progs(o, i);
	print_summary(o);
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-G] BPF_OBJECT...\n"
		"  -G OBJ  OBJ is loaded only after the loader's %s (like an\n"
		"          object named *%s.bpf.o)\n",
		argv0, guards[0].probe, guards[0].marker);
	return 2;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(argv[0]);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "compat-check: libelf: %s\n", elf_errmsg(-1));
		return 2;
	}
	libbpf_set_print(NULL);
	for (int a = 1; a < argc; a++) {
		struct obj o;
		int guarded = 0;

		if (strcmp(argv[a], "-G") == 0) {
			if (++a >= argc) {
				fprintf(stderr, "compat-check: -G needs an object\n");
				return 2;
			}
			guarded = 1;
		}
		if (obj_open(&o, argv[a], guarded) == 0)
			check_obj(&o);
		if (o.bad)
			rc = 1;
		obj_close(&o);
	}
	fflush(stdout);
	return rc;
}
