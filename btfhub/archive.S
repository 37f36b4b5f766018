/* archive.S - the packed BTF archive (btfhub/pack.py) as read-only data:
 * dv_btf_archive (the bytes) and dv_btf_archive_size (u64, their count).
 * DV_BTF_BLOB is the archive's path. */
	.section .rodata.dv_btf_archive, "a"
	.balign 16
	.globl dv_btf_archive
	.type dv_btf_archive, %object
dv_btf_archive:
	.incbin DV_BTF_BLOB
1:
	.byte 0
	.balign 8
	.globl dv_btf_archive_size
	.type dv_btf_archive_size, %object
dv_btf_archive_size:
	.8byte 1b - dv_btf_archive
	.section .note.GNU-stack, "", %progbits
