/* btf_lookup.c - choose the kernel BTF and read function prototypes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "btf_lookup.h"

const char *btf_select(const char *opt, int *custom, char *why, size_t len)
{
	*custom = 0;
	if (opt) {
		if (access(opt, R_OK) != 0) {
			snprintf(why, len, "--btf %s: %s", opt, strerror(errno));
			return NULL;
		}
		*custom = 1;
		return opt;
	}
	if (access(BTF_VMLINUX_PATH, R_OK) == 0)
		return BTF_VMLINUX_PATH;
	snprintf(why, len,
		 "this kernel has no BTF (%s missing); pass --btf FILE with the BTF of "
		 "this exact kernel",
		 BTF_VMLINUX_PATH);
	return NULL;
}

int btf_func_arity(const char *btf_path, const char *name)
{
	struct btf *btf = btf__parse(btf_path, NULL);
	const struct btf_type *t;
	int id, n = -1;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id > 0) {
		t = btf__type_by_id(btf, id);
		t = t ? btf__type_by_id(btf, t->type) : NULL;
		if (t && btf_is_func_proto(t))
			n = btf_vlen(t);
	}
	btf__free(btf);
	return n;
}
