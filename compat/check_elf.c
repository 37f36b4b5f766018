/* check_elf.c - ELF side of compat-check: opening and loading a BPF object
 * (sections, symbol table, relocation sections) and the symbol and
 * relocation look-ups the rules use to name what they report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compat_check.h"

int sym_get(const struct obj *o, size_t idx, GElf_Sym *sym)
{
	if (!o->symtab || idx >= o->nsyms)
		return -1;
	return gelf_getsym(o->symtab, (int)idx, sym) ? 0 : -1;
}

const char *sym_name(const struct obj *o, const GElf_Sym *sym)
{
	const char *n = elf_strptr(o->elf, o->strtab_idx, sym->st_name);

	return n ? n : "";
}

const char *sec_name_of(const struct obj *o, size_t shndx)
{
	if (shndx == SHN_UNDEF)
		return "(extern)";
	if (shndx >= o->nsecs || !o->secs[shndx].name)
		return "(special)";
	return o->secs[shndx].name;
}

/* A section of BPF code that libbpf loads as program(s). */
int is_prog_sec(const struct sec *s)
{
	return s->name && (s->sh.sh_flags & SHF_EXECINSTR) && s->sh.sh_size > 0 &&
	       strcmp(s->name, ".text") != 0;
}

/* The relocation at byte offset `off` of section `s` (copied to buf), or NULL. */
const GElf_Rel *rel_at(const struct sec *s, GElf_Xword off, GElf_Rel *buf)
{
	for (size_t i = 0; i < s->nrel; i++) {
		if (!gelf_getrel(s->rel, (int)i, buf))
			continue;
		if (buf->r_offset == off)
			return buf;
	}
	return NULL;
}

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
const char *call_target(const struct obj *o, const GElf_Rel *r, const struct bpf_insn *in,
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

/* "symbol (section)", or just the section for a section symbol. */
const char *rel_target(const struct obj *o, const GElf_Rel *r, char *buf, size_t len)
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

/* Reads the section headers, the symbol table and the relocation sections. */
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

/* Opens and loads the object at `path`.  On failure the reason has been
 * reported as a `read` violation and -1 is returned; obj_close() it either
 * way. */
int obj_open(struct obj *o, const char *path, int guarded)
{
	const char *base = strrchr(path, '/');

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->guarded = guarded;
	o->path = path;
	snprintf(o->stem, sizeof(o->stem), "%s", base ? base + 1 : path);
	if (ends_with(o->stem, ".o"))
		o->stem[strlen(o->stem) - 2] = '\0';
	if (ends_with(o->stem, ".bpf"))
		o->stem[strlen(o->stem) - 4] = '\0';
	o->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0) {
		violation(o, "-", "read", "cannot open: %s", strerror(errno));
		return -1;
	}
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf) {
		violation(o, "-", "read", "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	return load_obj(o);
}

void obj_close(struct obj *o)
{
	free(o->secs);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd >= 0)
		close(o->fd);
}
