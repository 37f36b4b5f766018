/* check_rules.c - the rules of compat-check, one function each (see the top
 * of compat_check.c for what each rule forbids), and the `_v55`
 * feature-probe guard convention that lets guarded code use newer helpers.
 * Every violation is one `OBJ: PROG: rule: detail` line from violation().
 *
 * The rules that look at single instructions (isa, bpf2bpf, kfunc, helper,
 * jump) run inside one walk, check_insns(), so that their lines come out in
 * instruction order; the relocation rules (global-data, bpf2bpf) likewise
 * share one walk over the relocations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "compat_check.h"

#define CLASS_JMP32 0x06 /* BPF_JMP32 (5.1 uapi) */
#define MODE_ATOMIC 0xc0 /* BPF_ATOMIC (5.12 uapi; 0xc0 is also BPF_XADD) */
#define MODE_MEMSX  0x80 /* BPF_MEMSX (6.6 uapi) */
#define LD_IMM64    (BPF_LD | BPF_IMM | BPF_DW)

/* Feature-probe guards the loader implements. */
const struct guard guards[] = {
    {"_v55", KV(5, 5), "bpf_probe_read_user helper probe"},
};

/* Section name prefixes libbpf loads as kprobe, tracepoint or perf_event. */
static const char *const prog_prefixes[] = {
    "kprobe/", "kretprobe/", "ksyscall/", "kretsyscall/", "tracepoint/", "tp/", "perf_event",
};

/* ---- the _v55 guard convention ---- */

/* The guard that covers program `prog` of section `sec`, or NULL; `where`
 * says where its marker was found. */
const struct guard *find_guard(const struct obj *o, const char *sec, const char *prog,
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

/* The guard that covers the whole object (its name or -G), or NULL. */
const struct guard *object_guard(const struct obj *o)
{
	const char *where;

	return find_guard(o, "", "", &where);
}

/* ---- map-type ---- */

static void check_map_type(struct obj *o, const char *where, unsigned type, unsigned limit)
{
	char b1[16], b2[16];

	if (type >= map_types_count)
		violation(o, where, "map-type", "unknown map type %u", type);
	else if (map_types[type].kv > limit)
		violation(o, where, "map-type", "%s (%u) needs %s > %s", map_types[type].name, type,
			  kv_str(map_types[type].kv, b1, sizeof(b1)),
			  kv_str(limit, b2, sizeof(b2)));
}

/* Legacy `maps` section: struct bpf_map_def, map type in the first 4 bytes. */
static void check_legacy_maps(struct obj *o, unsigned limit)
{
	char where[300];

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
			check_map_type(o, where, type, limit);
		}
	}
}

/* The member called `name` of BTF struct `st`, or NULL. */
static const struct btf_member *struct_member(const struct btf *btf, const struct btf_type *st,
					      const char *name)
{
	const struct btf_member *m = btf_members(st);

	for (int j = 0; j < btf_vlen(st); j++, m++) {
		const char *fn = btf__name_by_offset(btf, m->name_off);

		if (fn && strcmp(fn, name) == 0)
			return m;
	}
	return NULL;
}

/* One BTF-defined map: its `type` member is __uint(type, N), an int (*)[N]. */
static void check_btf_map(struct obj *o, const struct btf *btf, const struct btf_var_secinfo *vs,
			  unsigned limit)
{
	const struct btf_type *var = btf__type_by_id(btf, vs->type);
	const char *mname = btf__name_by_offset(btf, var->name_off);
	int sid = btf__resolve_type(btf, var->type);
	const struct btf_type *st = sid > 0 ? btf__type_by_id(btf, (__u32)sid) : NULL;
	const struct btf_member *m;
	const struct btf_type *pt, *at;
	char where[300];

	snprintf(where, sizeof(where), ".maps/%s", mname ? mname : "?");
	if (!st || !btf_is_struct(st)) {
		violation(o, where, "map-type", "definition is not a struct");
		return;
	}
	m = struct_member(btf, st, "type");
	if (!m) {
		violation(o, where, "map-type", "no map type given");
		return;
	}
	pt = btf__type_by_id(btf, m->type);
	at = pt && btf_is_ptr(pt) ? btf__type_by_id(btf, pt->type) : NULL;
	if (!at || !btf_is_array(at)) {
		violation(o, where, "map-type", "`type` is not __uint(type, ...)");
		return;
	}
	check_map_type(o, where, btf_array(at)->nelems, limit);
}

/* BTF-defined maps: the variables of the .maps DATASEC. */
static void check_btf_maps(struct obj *o, unsigned limit)
{
	struct btf *btf = btf__parse_elf(o->path, NULL);
	int id;
	const struct btf_type *ds;
	const struct btf_var_secinfo *vs;

	if (!btf) {
		for (size_t i = 0; i < o->nsecs; i++)
			if (o->secs[i].name && strcmp(o->secs[i].name, ".maps") == 0)
				violation(o, ".maps", "map-type", "cannot read the .maps BTF: %s",
					  strerror(errno));
		return;
	}
	id = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	ds = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	vs = ds ? btf_var_secinfos(ds) : NULL;
	for (int k = 0; ds && k < btf_vlen(ds); k++)
		check_btf_map(o, btf, &vs[k], limit);
	btf__free(btf);
}

/* map-type: no map type newer than 4.14 (or than the object's guard). */
void check_map_types(struct obj *o)
{
	const struct guard *g = object_guard(o);
	unsigned limit = g ? g->kv : KV_BASE;

	check_legacy_maps(o, limit);
	check_btf_maps(o, limit);
}

/* ---- global-data ---- */

static int is_global_data_sec(const char *name)
{
	return strcmp(name, ".data") == 0 || strcmp(name, ".bss") == 0 ||
	       strcmp(name, ".rodata") == 0 || strcmp(name, ".kconfig") == 0 ||
	       strcmp(name, ".ksyms") == 0 || starts_with(name, ".data.") ||
	       starts_with(name, ".bss.") || starts_with(name, ".rodata.") ||
	       starts_with(name, ".rodata");
}

/* global-data: such a section present at all: libbpf makes it an internal map. */
void check_global_data_sections(struct obj *o)
{
	for (size_t i = 0; i < o->nsecs; i++) {
		const struct sec *s = &o->secs[i];

		if (s->name && (s->sh.sh_flags & SHF_ALLOC) && s->sh.sh_size > 0 &&
		    is_global_data_sec(s->name))
			violation(o, s->name, "global-data",
				  "section %s holds %llu bytes: libbpf would create an internal "
				  "map (5.2+)",
				  s->name, (unsigned long long)s->sh.sh_size);
	}
}

/* ---- prog-type, insns ---- */

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

/* prog-type: only kprobe, tracepoint and perf_event sections. */
void check_prog_type(struct obj *o, const struct prog *p)
{
	if (!prog_type_ok(p->sec->name))
		violation(o, p->name, "prog-type",
			  "section '%s' is not kprobe/, kretprobe/, tracepoint/, tp/ or perf_event",
			  p->sec->name);
}

/* insns: at most 4096 instruction slots. */
void check_insn_count(struct obj *o, const struct prog *p)
{
	if (p->n > MAX_INSN_SLOTS)
		violation(o, p->name, "insns", "%zu instruction slots > %d (ld_imm64 counts 2)",
			  p->n, MAX_INSN_SLOTS);
}

/* ---- the instruction walk: isa, bpf2bpf, kfunc, helper, jump ---- */

/* isa: encodings old verifiers reject (JMP32 is counted by check_insns). */
static void check_isa_insn(struct obj *o, const struct prog *p, size_t i)
{
	const struct bpf_insn *in = &p->insns[i];
	unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (cls == BPF_STX && BPF_MODE(in->code) == MODE_ATOMIC && in->imm != BPF_ADD)
		violation(o, p->name, "isa", "insn %zu: atomic op 0x%x (5.12+)", i,
			  (unsigned)in->imm);
	if ((cls == BPF_LDX) && BPF_MODE(in->code) == MODE_MEMSX)
		violation(o, p->name, "isa", "insn %zu: sign-extending load (cpu v4, 6.6+)", i);
	if ((cls == BPF_ALU || cls == BPF_ALU64) && in->off != 0 &&
	    (op == BPF_DIV || op == BPF_MOD || op == BPF_MOV))
		violation(o, p->name, "isa", "insn %zu: signed div/mod or movsx (cpu v4, 6.6+)", i);
	if (cls == BPF_ALU64 && op == BPF_END)
		violation(o, p->name, "isa", "insn %zu: bswap (cpu v4, 6.6+)", i);
}

/* bpf2bpf: a ld_imm64 taking the address of a function (a callback). */
static void check_func_address(struct obj *o, const struct prog *p, size_t i)
{
	GElf_Rel rb;
	char tb[300];

	if (p->insns[i].src_reg == PSEUDO_FUNC)
		violation(o, p->name, "bpf2bpf", "insn %zu: address of function %s", i,
			  rel_at(p->sec, p->start + i * INSN_SIZE, &rb)
			      ? rel_target(o, &rb, tb, sizeof(tb))
			      : "?");
}

/* helper: an unknown id is a violation; a known one is recorded for the
 * summary and, if newer than 4.14, as guarded or not (check_helper_versions
 * and report_guarded_helpers report them after the walk). */
static void record_helper_call(struct obj *o, struct prog *p, size_t i)
{
	int id = p->insns[i].imm;
	const struct kver *h;

	if (id <= 0 || id >= HELPER_MAX_ID || !helpers[id].name) {
		violation(o, p->name, "helper", "insn %zu: unknown helper id %d", i, id);
		return;
	}
	h = &helpers[id];
	o->helper_used[id] = 1;
	if (h->kv <= KV_BASE)
		return;
	if (p->guard && h->kv <= p->guard->kv) {
		p->guarded_used[id] = 1;
		return;
	}
	if (!p->unguarded_calls[id]++)
		p->unguarded_first[id] = i;
}

/* bpf2bpf (a call to a subprogram), kfunc, or a helper call. */
static void check_call(struct obj *o, struct prog *p, size_t i)
{
	const struct bpf_insn *in = &p->insns[i];
	GElf_Rel rb;
	char tb[300];

	if (in->src_reg == PSEUDO_CALL)
		violation(o, p->name, "bpf2bpf", "insn %zu: call to %s", i,
			  rel_at(p->sec, p->start + i * INSN_SIZE, &rb)
			      ? call_target(o, &rb, in, tb, sizeof(tb))
			      : "a subprogram in this section");
	else if (in->src_reg == PSEUDO_KFUNC)
		violation(o, p->name, "kfunc", "insn %zu: kernel function call", i);
	else
		record_helper_call(o, p, i);
}

/* jump: a jump target outside the program. */
static void check_jump_target(struct obj *o, const struct prog *p, size_t i)
{
	const struct bpf_insn *in = &p->insns[i];
	unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	long target = (long)i + 1 + ((cls == CLASS_JMP32 && op == BPF_JA) ? in->imm : in->off);

	if (target < 0 || target >= (long)p->n)
		violation(o, p->name, "jump", "insn %zu: target %ld outside the program", i,
			  target);
}

void check_insns(struct obj *o, struct prog *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct bpf_insn *in = &p->insns[i];
		unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (in->code == LD_IMM64) {
			check_func_address(o, p, i);
			i++; /* second slot */
			continue;
		}
		check_isa_insn(o, p, i);
		if (cls != BPF_JMP && cls != CLASS_JMP32)
			continue;
		if (cls == CLASS_JMP32)
			p->jmp32++;
		if (op == BPF_EXIT)
			continue;
		if (op == BPF_CALL)
			check_call(o, p, i);
		else
			check_jump_target(o, p, i);
	}
}

/* isa: JMP32 instructions, counted by check_insns. */
void check_jmp32(struct obj *o, const struct prog *p)
{
	if (p->jmp32)
		violation(o, p->name, "isa",
			  "%u JMP32 instructions (5.1+): compile with -mcpu=v1 or v2", p->jmp32);
}

/* helper: the newer helpers check_insns found outside any guard (or newer
 * than their guard allows), one line per helper. */
void check_helper_versions(struct obj *o, const struct prog *p)
{
	const struct guard *g = p->guard;
	char b1[16], b2[16];

	for (int id = 1; id < HELPER_MAX_ID; id++) {
		if (!p->unguarded_calls[id])
			continue;
		if (g)
			violation(o, p->name, "helper",
				  "bpf_%s (id %d, %u calls, first at insn %zu) needs %s, more than "
				  "its guard %s allows",
				  helpers[id].name, id, p->unguarded_calls[id],
				  p->unguarded_first[id], kv_str(helpers[id].kv, b1, sizeof(b1)),
				  g->marker);
		else
			violation(o, p->name, "helper",
				  "bpf_%s (id %d, %u calls, first at insn %zu) needs %s > %s and "
				  "is not behind a feature probe (no _v55 marker)",
				  helpers[id].name, id, p->unguarded_calls[id],
				  p->unguarded_first[id], kv_str(helpers[id].kv, b1, sizeof(b1)),
				  kv_str(KV_BASE, b2, sizeof(b2)));
	}
}

/* The `guarded` line: the newer helpers a guard allowed, and which probe. */
void report_guarded_helpers(const struct obj *o, const struct prog *p)
{
	const struct guard *g = p->guard;
	char line[1024], b1[16];
	size_t len = 0;

	if (!g)
		return;
	for (int id = 1; id < HELPER_MAX_ID; id++) {
		if (!p->guarded_used[id])
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%sbpf_%s (%s)",
					len ? ", " : "", helpers[id].name,
					kv_str(helpers[id].kv, b1, sizeof(b1)));
		if (len >= sizeof(line))
			break;
	}
	if (len)
		printf("%s: %s: guarded: %s, allowed by marker %s on the %s: loader loads it "
		       "only after the %s\n",
		       o->path, p->name, line, g->marker, p->guard_where, g->probe);
}

/* ---- loop (and unreachable): the CFG walk ---- */

/* Successors of instruction `t` as the CFG walk sees them; returns how many. */
static int insn_successors(const struct bpf_insn *in, size_t t, long edges[2])
{
	unsigned cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	int is_jmp = cls == BPF_JMP || cls == CLASS_JMP32;
	int ne = 0;

	if (in->code == LD_IMM64) {
		edges[ne++] = (long)t + 2;
	} else if (is_jmp && op == BPF_EXIT) {
		/* no successor */
	} else if (is_jmp && op == BPF_CALL) {
		edges[ne++] = (long)t + 1;
	} else if (is_jmp && op == BPF_JA) {
		edges[ne++] = (long)t + 1 + (cls == CLASS_JMP32 ? in->imm : in->off);
	} else if (is_jmp) {
		edges[ne++] = (long)t + 1;
		edges[ne++] = (long)t + 1 + in->off;
	} else {
		edges[ne++] = (long)t + 1;
	}
	return ne;
}

static void report_unreachable(struct obj *o, const struct prog *p, const unsigned char *state)
{
	size_t unreachable = 0, first_un = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (state[i])
			continue;
		if (!unreachable++)
			first_un = i;
	}
	if (unreachable)
		violation(o, p->name, "unreachable",
			  "%zu unreachable instructions, first at insn %zu", unreachable, first_un);
}

/* loop: a depth-first walk of the control-flow graph, as the kernel's
 * check_cfg() does before 5.3: an edge to an instruction still on the DFS
 * stack is a back-edge (a loop), an instruction never reached is rejected
 * too.  A jump to a lower address is not a loop by itself: clang often
 * places shared exit blocks before the code that jumps to them. */
void check_loops(struct obj *o, const struct prog *p)
{
	size_t n = p->n;
	unsigned char *state = calloc(n ? n : 1, 1); /* 0 new, 1 on stack, 2 done */
	size_t *stack = calloc(n ? n : 1, sizeof(*stack));
	unsigned char *next = calloc(n ? n : 1, 1); /* edges of the node already taken */
	size_t sp = 0, loops = 0;

	if (!state || !stack || !next) {
		violation(o, p->name, "read", "out of memory");
		goto out;
	}
	if (!n)
		goto out;
	stack[sp++] = 0;
	state[0] = 1;
	while (sp) {
		size_t t = stack[sp - 1];
		long edges[2];
		int ne = insn_successors(&p->insns[t], t, edges);

		if (p->insns[t].code == LD_IMM64 && t + 1 < n)
			state[t + 1] = 2; /* second slot */
		if (next[t] < ne) {
			long w = edges[next[t]++];

			if (w < 0 || w >= (long)n)
				continue; /* reported as "jump" (or falls off the end) */
			if (state[w] == 1) {
				if (!loops++)
					violation(o, p->name, "loop",
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
		violation(o, p->name, "loop", "%zu back-edges in all", loops);
	report_unreachable(o, p, state);
out:
	free(state);
	free(stack);
	free(next);
}

/* ---- relocations: global-data, bpf2bpf ---- */

/* global-data: a relocation against an extern or a global data section;
 * returns 1 if it was one. */
static int check_data_relocation(struct obj *o, const struct prog *p, const GElf_Rel *rel,
				 const GElf_Sym *sym)
{
	size_t i = (size_t)(rel->r_offset - p->start) / INSN_SIZE;
	char tb[300];

	if (sym->st_shndx == SHN_UNDEF) {
		violation(o, p->name, "global-data", "insn %zu: extern symbol %s (.kconfig/.ksyms)",
			  i, sym_name(o, sym));
		return 1;
	}
	if (is_global_data_sec(sec_name_of(o, sym->st_shndx))) {
		violation(o, p->name, "global-data", "insn %zu: uses %s", i,
			  rel_target(o, rel, tb, sizeof(tb)));
		return 1;
	}
	return 0;
}

/* bpf2bpf: any other relocation against code (calls and function addresses
 * were reported by check_insns). */
static void check_code_relocation(struct obj *o, const struct prog *p, const GElf_Rel *rel,
				  const GElf_Sym *sym)
{
	size_t i = (size_t)(rel->r_offset - p->start) / INSN_SIZE;
	const struct bpf_insn *in = &p->insns[i];
	char tb[300];

	if (sym->st_shndx >= o->nsecs || !(o->secs[sym->st_shndx].sh.sh_flags & SHF_EXECINSTR))
		return;
	if (!(in->code == (BPF_JMP | BPF_CALL) && in->src_reg == PSEUDO_CALL) &&
	    !(in->code == LD_IMM64 && in->src_reg == PSEUDO_FUNC))
		violation(o, p->name, "bpf2bpf", "insn %zu: reference to code %s", i,
			  rel_target(o, rel, tb, sizeof(tb)));
}

/* The relocations inside the program, in relocation order. */
void check_relocations(struct obj *o, const struct prog *p)
{
	const struct sec *s = p->sec;

	for (size_t r = 0; r < s->nrel; r++) {
		GElf_Rel rel;
		GElf_Sym sym;

		if (!gelf_getrel(s->rel, (int)r, &rel) || rel.r_offset < p->start ||
		    rel.r_offset >= p->end)
			continue;
		if (sym_get(o, GELF_R_SYM(rel.r_info), &sym) < 0)
			continue;
		if (!check_data_relocation(o, p, &rel, &sym))
			check_code_relocation(o, p, &rel, &sym);
	}
}
