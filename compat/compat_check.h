/* compat_check.h - shared declarations of the BPF compat checker
 * (build/compat-check): the loaded object and program structs, the
 * kernel-version tables, and the functions of its parts:
 *
 *   compat_check.c     main, option parsing, the rule order, output lines
 *   check_elf.c        ELF object loading, symbol and relocation look-ups
 *   check_rules.c      one function per rule, the _v55 guard convention
 *   helpers_table.c    helper id -> name -> first kernel release
 *   map_types_table.c  map type -> name -> first kernel release
 *
 * The rules themselves are described at the top of compat_check.c.
 */
#ifndef COMPAT_CHECK_H
#define COMPAT_CHECK_H

#include <stddef.h>
#include <string.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>

#define KV(a, b)       ((a)*256 + (b))
#define KV_BASE	       KV(4, 14)
#define MAX_INSN_SLOTS 4096
#define PSEUDO_CALL    1
#define PSEUDO_KFUNC   2
#define PSEUDO_FUNC    4
#define INSN_SIZE      8
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define HELPER_MAX_ID  210

/* A helper or map type and the first kernel release that has it. */
struct kver {
	const char *name;
	unsigned short kv; /* KV(major, minor) of the first release that has it */
};

/* Helper id -> name -> first release (helpers_table.c); index 0 is unused. */
extern const struct kver helpers[HELPER_MAX_ID];
/* enum bpf_map_type value -> name -> first release (map_types_table.c). */
extern const struct kver map_types[];
extern const size_t map_types_count;

/* A feature-probe guard the loader implements (see compat_check.c). */
struct guard {
	const char *marker; /* name suffix, e.g. "_v55" */
	unsigned short kv;  /* code behind it may use what this release has */
	const char *probe;  /* what the loader probes first */
};

extern const struct guard guards[];

/* One ELF section of the object. */
struct sec {
	const char *name;
	GElf_Shdr sh;
	Elf_Data *data;
	Elf_Data *rel; /* .rel<name>, if any */
	size_t nrel;
};

/* One BPF object file being checked. */
struct obj {
	const char *path;
	char stem[256]; /* file name without directory, .o and .bpf */
	int fd;		/* -1 when not open */
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

/* One program: a function symbol (or a whole section) of a code section. */
struct prog {
	const char *name;
	const struct sec *sec;
	GElf_Addr start, end; /* byte range inside sec */
	const struct bpf_insn *insns;
	size_t n; /* instruction slots */
	const struct guard *guard;
	const char *guard_where; /* where the guard's marker was found */
	/* filled by check_insns() */
	unsigned jmp32;
	unsigned char guarded_used[HELPER_MAX_ID]; /* newer helpers the guard allows */
	unsigned unguarded_calls[HELPER_MAX_ID];   /* newer helpers it does not */
	size_t unguarded_first[HELPER_MAX_ID];	   /* first such call */
};

/* compat_check.c: output */
void violation(struct obj *o, const char *prog, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *kv_str(unsigned kv, char *buf, size_t len);

static inline int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static inline int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* check_elf.c: loading and look-ups */
int obj_open(struct obj *o, const char *path, int guarded);
void obj_close(struct obj *o);
int sym_get(const struct obj *o, size_t idx, GElf_Sym *sym);
const char *sym_name(const struct obj *o, const GElf_Sym *sym);
const char *sec_name_of(const struct obj *o, size_t shndx);
int is_prog_sec(const struct sec *s);
const GElf_Rel *rel_at(const struct sec *s, GElf_Xword off, GElf_Rel *buf);
const char *rel_target(const struct obj *o, const GElf_Rel *r, char *buf, size_t len);
const char *call_target(const struct obj *o, const GElf_Rel *r, const struct bpf_insn *in,
			char *buf, size_t len);

/* check_rules.c: the _v55 guard convention */
const struct guard *find_guard(const struct obj *o, const char *sec, const char *prog,
			       const char **where);
const struct guard *object_guard(const struct obj *o);

/* check_rules.c: object rules */
void check_map_types(struct obj *o);
void check_global_data_sections(struct obj *o);

/* check_rules.c: program rules, in the order compat_check.c applies them */
void check_prog_type(struct obj *o, const struct prog *p);
void check_insn_count(struct obj *o, const struct prog *p);
void check_insns(struct obj *o, struct prog *p);
void check_loops(struct obj *o, const struct prog *p);
void check_jmp32(struct obj *o, const struct prog *p);
void check_helper_versions(struct obj *o, const struct prog *p);
void check_relocations(struct obj *o, const struct prog *p);
void report_guarded_helpers(const struct obj *o, const struct prog *p);

#endif
