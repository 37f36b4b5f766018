/* bolt_reader.h - a read-only reader of bbolt database files, enough to
 * find one key in nested buckets, and on it the lookup of a container's
 * record in containerd's metadata database (meta.db): bucket path
 * v1 -> <namespace> -> containers -> <id>, its "image" value and its
 * "labels" bucket.  ctr containers carry their image nowhere else.
 *
 * The file is untrusted: every page id is checked against the file and the
 * meta page's high-water mark, every element against its page, recursion
 * depth and the pages read per lookup are bounded, and nothing is mapped
 * (pread, or a memory buffer for tests and the fuzz target).  A file being
 * written meanwhile can give a miss, never a read out of bounds. */
#ifndef DNSVIS_BOLT_READER_H
#define DNSVIS_BOLT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "enrich/k8s_meta.h"

/* The bytes of a database: a file (fd >= 0, read with pread) or memory
 * (fd < 0, mem). */
struct bolt_src {
	int fd;
	const uint8_t *mem;
	uint64_t size;
};

/* containerd's record of container id (in any namespace) into the empty
 * fields of *a: image; pod, namespace, container name and pod uid from the
 * io.kubernetes.* labels.  1 when the record was found, 0 when not, -1
 * when the file is not a valid bbolt database. */
int bolt_containerd_find(const struct bolt_src *src, const char *id, struct k8s_attr *a);

/* The same through containerd's meta.db under the host root
 * (/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db, or k3s's).
 * Answers are remembered while the file's size and mtime stay the same.
 * Safe to call from more than one thread. */
int bolt_containerd_lookup(const char *id, struct k8s_attr *a);

#endif
