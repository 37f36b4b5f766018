/* map_types_table.c - the map type table of compat-check: one row per
 * enum bpf_map_type value, [type] = {name without BPF_MAP_TYPE_, first
 * kernel release that has it}.  A type past the last row is unknown. */
#include "compat_check.h"

const struct kver map_types[] = {
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

const size_t map_types_count = ARRAY_SIZE(map_types);
